#pragma once

#include <cstdint>
#include <mutex>
#include <optional>

#include <SQLiteCpp/Statement.h>

#include "sqlite/sqlite_database.hpp"

namespace settings::detail {

/// Tells whether a database file changed: `PRAGMA data_version` on a connection of
/// its own, which sees a commit by any other connection, of this process or of
/// another one. Cheap (the WAL index in shared memory, no page read) and never
/// waits for a lock. Thread-safe.
class SqliteChanges {
  public:
    /// Opens a connection of its own to the file of `database`.
    explicit SqliteChanges(const SqliteDatabase& database);

    /// A number that differs from every earlier answer when something was
    /// committed in between. Nothing when it cannot be read at once (a lock held
    /// during recovery, an I/O error): then treat the database as changed.
    [[nodiscard]] std::optional<std::int64_t> version();

  private:
    std::mutex mutex_;
    SqliteDatabase database_;
    SQLite::Statement data_version_;
};

}  // namespace settings::detail
