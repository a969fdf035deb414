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

}  // namespace settings::detail
