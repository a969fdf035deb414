#pragma once

#include <string_view>

#include <SQLiteCpp/Exception.h>

namespace settings {

/// Rethrows a SQLite failure as StorageUnavailableError when a retry may succeed
/// (busy, locked, read-only, disk full, I/O error) and as StorageError otherwise.
[[noreturn]] void throw_storage_error(const SQLite::Exception& error, std::string_view context);

}  // namespace settings
