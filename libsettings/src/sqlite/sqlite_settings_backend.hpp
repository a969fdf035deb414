#pragma once

#include <memory>

#include "sqlite/sqlite_database.hpp"
#include "storage/storage_engine.hpp"

namespace settings::detail {

/// The settings tables in a SQLite file: reads on a connection of their own, so
/// they are served while a write waits for the file's write lock; writes share
/// BEGIN IMMEDIATE transactions (group commit) on another.
std::unique_ptr<SettingsBackend> make_sqlite_settings_backend(const SqliteDatabase& database);

}  // namespace settings::detail
