#pragma once

#include <functional>
#include <memory>

#include "sqlite/sqlite_database.hpp"
#include "storage/storage_engine.hpp"

namespace settings::detail {

/// The settings tables in a SQLite file: reads on a connection of their own, so
/// they are served while a write waits for the file's write lock; writes share
/// BEGIN IMMEDIATE transactions (group commit) on another.
/// `on_batch` hears the size of every group commit (StorageOptions::on_group_commit).
std::unique_ptr<SettingsBackend> make_sqlite_settings_backend(
    const SqliteDatabase& database, std::function<void(std::size_t)> on_batch = {});

}  // namespace settings::detail
