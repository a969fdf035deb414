#pragma once

#include <memory>

#include "sqlite/sqlite_database.hpp"
#include "storage/storage_engine.hpp"

namespace settings::detail {

/// The `user_sessions` table in a SQLite file. Lookups read through a connection
/// of their own, and the writes a lookup makes on the side (recording activity,
/// deleting an expired row) are skipped while the write lock is busy, so sessions
/// keep working while another process holds the file's write lock.
std::unique_ptr<SessionBackend> make_sqlite_session_backend(const SqliteDatabase& database);

}  // namespace settings::detail
