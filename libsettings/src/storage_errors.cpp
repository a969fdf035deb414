#include <string>

#include <sqlite3.h>

#include <settings/errors.hpp>
#include <settings/storage_errors.hpp>

namespace settings {

void throw_storage_error(const SQLite::Exception& error, std::string_view context) {
    const std::string message = std::string(context) + ": " + error.what();
    switch (error.getErrorCode()) {
        case SQLITE_BUSY:
        case SQLITE_LOCKED:
        case SQLITE_READONLY:
        case SQLITE_FULL:
        case SQLITE_IOERR:
        case SQLITE_CANTOPEN:
            throw StorageUnavailableError(message, error.getExtendedErrorCode());
        default:
            throw StorageError(message, error.getExtendedErrorCode());
    }
}

}  // namespace settings
