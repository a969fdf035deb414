#pragma once

#include <memory>

#include "postgresql/pg_pool.hpp"
#include "storage/storage_engine.hpp"

namespace settings::detail {

/// The `admin_users` table in PostgreSQL. Writes run in a transaction that first
/// locks the table against other writers (of any host), so "the first admin" and
/// "not the last admin" are decided on a count nobody can change meanwhile.
std::unique_ptr<AdminBackend> make_pg_admin_backend(PgPool& pool);

}  // namespace settings::detail
