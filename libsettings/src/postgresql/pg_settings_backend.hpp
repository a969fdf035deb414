#pragma once

#include <functional>
#include <memory>

#include "postgresql/pg_pool.hpp"
#include "storage/storage_engine.hpp"

namespace settings::detail {

/// The settings tables in PostgreSQL: reads on the pool's connections, writes in
/// group-committed transactions on a connection of their own. A
/// read-modify-write locks its row (SELECT … FOR UPDATE), so writers on other
/// hosts never lose each other's fields.
/// `on_batch` hears the size of every group commit (StorageOptions::on_group_commit).
std::unique_ptr<SettingsBackend> make_pg_settings_backend(
    PgPool& pool, std::function<void(std::size_t)> on_batch = {});

}  // namespace settings::detail
