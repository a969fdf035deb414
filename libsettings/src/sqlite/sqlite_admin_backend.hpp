#pragma once

#include <memory>

#include "sqlite/sqlite_database.hpp"
#include "storage/storage_engine.hpp"

namespace settings::detail {

/// The `admin_users` table in a SQLite file. Writes that depend on the number of
/// admins run in one BEGIN IMMEDIATE transaction: the file's write lock keeps
/// every other writer out while they decide.
std::unique_ptr<AdminBackend> make_sqlite_admin_backend(const SqliteDatabase& database);

}  // namespace settings::detail
