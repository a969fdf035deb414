#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>

#include <settings/clock.hpp>
#include <settings/embedded_migrations.hpp>

namespace SQLite {
class Database;
}

namespace settings {

struct DatabaseOptions {
    /// How long a statement waits for another connection's lock before it fails.
    std::chrono::milliseconds busy_timeout{5000};
    std::span<const Migration> migrations = embedded_migrations();
    const Clock* clock = &SystemClock::instance();
};

/// One open, configured and migrated connection to a settings database file.
/// Not thread-safe: each store guards the connection it owns.
class Database {
  public:
    /// Creates the parent folder and the file if missing, checks that the file is a
    /// readable and writable SQLite database, applies pending migrations, and sets
    /// WAL, synchronous=FULL (a write acknowledged after commit survives power loss),
    /// the busy timeout and foreign keys.
    /// Throws DatabaseOpenError, SchemaTooNewError or MigrationError; none of them
    /// leaves a half-initialised database behind.
    static Database open(const std::filesystem::path& path, const DatabaseOptions& options = {});

    /// Another connection to the same, already migrated file, with the same
    /// pragmas and busy timeout; stores use one to read while another writes.
    [[nodiscard]] Database open_connection() const;

    Database(Database&&) noexcept;
    Database& operator=(Database&&) noexcept;
    ~Database();

    [[nodiscard]] SQLite::Database& connection() { return *connection_; }
    [[nodiscard]] const std::filesystem::path& path() const { return path_; }
    [[nodiscard]] std::chrono::milliseconds busy_timeout() const { return busy_timeout_; }

    /// Throws StorageUnavailableError (and logs an ERROR) when the file at `path()`
    /// is no longer the file this connection opened: deleted, or replaced. Writes
    /// would then go to an unlinked file and be lost, so they are refused instead.
    void ensure_file_in_place() const;
    /// The schema version after migration.
    [[nodiscard]] int schema_version() const { return schema_version_; }

  private:
    Database(std::filesystem::path path, std::unique_ptr<SQLite::Database> connection,
             int schema_version, std::chrono::milliseconds busy_timeout);

    std::filesystem::path path_;
    std::unique_ptr<SQLite::Database> connection_;
    int schema_version_;
    std::chrono::milliseconds busy_timeout_;
    std::uint64_t device_ = 0;
    std::uint64_t inode_ = 0;
};

}  // namespace settings
