#include "sqlite/sqlite_errors.hpp"

#include <string>

#include <sqlite3.h>

#include <settings/errors.hpp>

namespace settings::detail {

void throw_storage_error(const SQLite::Exception& error, std::string_view context) {
    const std::string message = std::string(context) + ": " + error.what();
    const auto code = std::to_string(error.getExtendedErrorCode());
    switch (error.getErrorCode()) {
        case SQLITE_BUSY:
        case SQLITE_LOCKED:
        case SQLITE_READONLY:
        case SQLITE_FULL:
        case SQLITE_IOERR:
        case SQLITE_CANTOPEN:
        // Damaged pages: a restore (settingsctl restore) brings the file back.
        case SQLITE_CORRUPT:
        case SQLITE_NOTADB:
            throw StorageUnavailableError(message, code);
        default:
            throw StorageError(message, code);
    }
}

}  // namespace settings::detail
