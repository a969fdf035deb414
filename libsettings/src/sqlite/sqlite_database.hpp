#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <span>
#include <string_view>

#include <SQLiteCpp/Exception.h>

#include <settings/clock.hpp>

#include "sqlite/sqlite_errors.hpp"
#include "sqlite/sqlite_file_guard.hpp"
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

    /// The watch over the file, shared by every connection opened from this one.
    [[nodiscard]] SqliteFileGuard& guard() const { return *guard_; }

    /// Runs `fn` (a read) unless the file was found replaced or damaged, and turns
    /// a SQLite failure into the library's storage errors; damaged pages (SQLITE_CORRUPT,
    /// SQLITE_NOTADB) make the whole file `corrupt` (see SqliteFileGuard).
    template <typename Fn>
    auto run(std::string_view context, Fn&& fn) const -> decltype(fn()) {
        guard_->ensure_usable();
        try {
            return fn();
        } catch (const SQLite::Exception& e) {
            note_failure(e);
            throw_storage_error(e, context);
        }
    }

    /// As `run`, for a write: first looks again whether the file at `path()` is
    /// still the one this connection opened, since a write into a deleted or
    /// replaced file would be lost (or, checkpointed, corrupt the new file).
    template <typename Fn>
    auto run_write(std::string_view context, Fn&& fn) const -> decltype(fn()) {
        guard_->poll();
        return run(context, std::forward<Fn>(fn));
    }

    /// Throws StorageUnavailableError unless the file is still in place and sound.
    void ensure_file_in_place() const;
    /// Reports a SQLite failure to the guard (damaged pages).
    void note_failure(const SQLite::Exception& error) const;

    /// The schema version after migration.
    [[nodiscard]] int schema_version() const { return schema_version_; }

  private:
    SqliteDatabase(std::filesystem::path path, std::unique_ptr<SQLite::Database> connection,
                   int schema_version, std::chrono::milliseconds busy_timeout, bool read_only,
                   std::shared_ptr<SqliteFileGuard> guard);

    std::filesystem::path path_;
    std::unique_ptr<SQLite::Database> connection_;
    int schema_version_;
    std::chrono::milliseconds busy_timeout_;
    bool read_only_;
    std::shared_ptr<SqliteFileGuard> guard_;
};

/// The version in `schema_version` of an open SQLite database, 0 when the table
/// does not exist. Writes nothing.
int sqlite_schema_version(SQLite::Database& db);

}  // namespace settings::detail
