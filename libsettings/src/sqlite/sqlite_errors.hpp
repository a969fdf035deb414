#pragma once

#include <string_view>

#include <SQLiteCpp/Exception.h>

namespace settings::detail {

/// Rethrows a SQLite failure as StorageUnavailableError when a retry may succeed
/// (busy, locked, read-only, disk full, I/O error, damaged pages until a restore)
/// and as StorageError otherwise.
[[noreturn]] void throw_storage_error(const SQLite::Exception& error, std::string_view context);

/// Runs `fn` and turns a SQLite failure into the library's storage errors.
template <typename Fn>
auto with_storage_errors(std::string_view context, Fn&& fn) -> decltype(fn()) {
    try {
        return fn();
    } catch (const SQLite::Exception& e) {
        throw_storage_error(e, context);
    }
}

}  // namespace settings::detail
