#pragma once

#include <memory>

#include "postgresql/pg_pool.hpp"
#include "storage/storage_engine.hpp"

namespace settings::detail {

/// The `user_sessions` table in PostgreSQL, every call one statement on a
/// pooled connection. Changes of a live session are single UPDATEs that check
/// liveness themselves, so hosts racing on one session never revive a deleted
/// or expired one.
std::unique_ptr<SessionBackend> make_pg_session_backend(PgPool& pool);

}  // namespace settings::detail
