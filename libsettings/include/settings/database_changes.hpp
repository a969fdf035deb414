#pragma once

#include <cstdint>
#include <memory>
#include <optional>

#include <settings/database.hpp>

namespace settings {

/// Tells whether a database file changed: `PRAGMA data_version` on a connection of
/// its own, which sees a commit by any other connection, of this process or of
/// another one. Caches stamp what they hold with a version and drop it when the
/// version moves, so they never serve what a commit replaced.
///
/// Cheap (the WAL index in shared memory, no page read) and never waits for a
/// lock. Thread-safe.
class DatabaseChanges {
  public:
    /// Opens a connection of its own to the file of `database`.
    explicit DatabaseChanges(const Database& database);
    ~DatabaseChanges();
    DatabaseChanges(const DatabaseChanges&) = delete;
    DatabaseChanges& operator=(const DatabaseChanges&) = delete;

    /// A number that differs from every earlier answer when something was
    /// committed in between. Nothing when it cannot be read at once (a lock held
    /// during recovery, an I/O error): then treat the database as changed.
    [[nodiscard]] std::optional<std::int64_t> version();

  private:
    class Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace settings
