#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <settings/storage.hpp>

#include "storage/storage_engine.hpp"

namespace settings::detail {

/// Connects to the PostgreSQL database of `url` (retrying an unreachable server
/// for `options.connect_wait`), migrates it under an advisory lock, and returns
/// the engine. Throws as Storage::open does.
std::unique_ptr<Engine> open_postgresql_engine(std::string_view url, const StorageOptions& options,
                                               int& schema_version, std::string& description);

/// Whether the server whose `SELECT version()` is `server_version` is
/// PostgreSQL itself, where a snapshot's xmax orders every commit of every
/// connection (see PgEngine::change_version). PostgreSQL-compatible distributed
/// engines (CockroachDB, YugabyteDB's "-YB-" builds) keep transaction ids per
/// node or not at all: there the read cache stays off (scale-out.md, promise 6).
[[nodiscard]] bool snapshots_order_commits(std::string_view server_version);

}  // namespace settings::detail
