#include "sqlite/sqlite_changes.hpp"

#include <SQLiteCpp/Database.h>

#include "sqlite/statement_scope.hpp"

namespace settings::detail {

SqliteChanges::SqliteChanges(const SqliteDatabase& database)
    : database_(database.open_connection()),
      data_version_(database_.connection(), "PRAGMA data_version") {
    // A caller on an I/O thread must never sleep here: a busy lock is a miss.
    database_.connection().setBusyTimeout(0);
}

std::optional<std::int64_t> SqliteChanges::version() {
    // Nothing read from a replaced or damaged file may be served from a cache.
    if (database_.guard().state() != StorageState::ok) {
        return std::nullopt;
    }
    const std::scoped_lock lock(mutex_);
    try {
        StatementScope query(data_version_);
        if (!query->executeStep()) {
            return std::nullopt;
        }
        return query->getColumn(0).getInt64();
    } catch (const SQLite::Exception&) {
        return std::nullopt;
    }
}

}  // namespace settings::detail
