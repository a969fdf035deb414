#pragma once

#include <filesystem>
#include <memory>

#include <settings/storage.hpp>

#include "storage/storage_engine.hpp"

namespace settings::detail {

/// Opens (creating and migrating as needed) the SQLite file at `path`. Throws as
/// Storage::open does.
std::unique_ptr<Engine> open_sqlite_engine(const std::filesystem::path& path,
                                           const StorageOptions& options, int& schema_version);

}  // namespace settings::detail
