#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>

#include <settings/clock.hpp>

#include "storage/embedded_migrations.hpp"
#include "storage/migration.hpp"

namespace SQLite {
class Database;
}

namespace settings::detail {

struct SqliteOptions {
    /// How long a statement waits for another connection's lock before it fails.
    std::chrono::milliseconds busy_timeout{5000};
    std::span<const Migration> migrations = embedded_migrations(StorageEngine::sqlite);
    const Clock* clock = &SystemClock::instance();
    /// Opens without migrating or writing; the file must exist at the newest version.
    bool read_only = false;
};

/// One open, configured and migrated connection to a settings database file.
/// Not thread-safe: each backend guards the connections it owns.
class SqliteDatabase {
  public:
    /// Creates the parent folder and the file if missing, checks that the file is a
    /// readable and writable SQLite database, applies pending migrations, and sets
    /// WAL, synchronous=FULL (a write acknowledged after commit survives power loss),
    /// the busy timeout and foreign keys.
    /// Throws DatabaseOpenError, SchemaTooNewError or MigrationError; none of them
    /// leaves a half-initialised database behind.
    static SqliteDatabase open(const std::filesystem::path& path,
                               const SqliteOptions& options = {});

    /// Another connection to the same, already migrated file, with the same
    /// pragmas and busy timeout.
    [[nodiscard]] SqliteDatabase open_connection() const;

    SqliteDatabase(SqliteDatabase&&) noexcept;
    SqliteDatabase& operator=(SqliteDatabase&&) noexcept;
    ~SqliteDatabase();

    [[nodiscard]] SQLite::Database& connection() { return *connection_; }
    [[nodiscard]] const std::filesystem::path& path() const { return path_; }
    [[nodiscard]] std::chrono::milliseconds busy_timeout() const { return busy_timeout_; }
    [[nodiscard]] bool read_only() const { return read_only_; }

    /// Throws StorageUnavailableError (and logs an ERROR) when the file at `path()`
    /// is no longer the file this connection opened: deleted, or replaced. Writes
    /// would then go to an unlinked file and be lost, so they are refused instead.
    void ensure_file_in_place() const;
    /// The schema version after migration.
    [[nodiscard]] int schema_version() const { return schema_version_; }

  private:
    SqliteDatabase(std::filesystem::path path, std::unique_ptr<SQLite::Database> connection,
                   int schema_version, std::chrono::milliseconds busy_timeout, bool read_only);

    std::filesystem::path path_;
    std::unique_ptr<SQLite::Database> connection_;
    int schema_version_;
    std::chrono::milliseconds busy_timeout_;
    bool read_only_;
    std::uint64_t device_ = 0;
    std::uint64_t inode_ = 0;
};

/// The version in `schema_version` of an open SQLite database, 0 when the table
/// does not exist. Writes nothing.
int sqlite_schema_version(SQLite::Database& db);

}  // namespace settings::detail
