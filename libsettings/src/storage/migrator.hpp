#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <settings/clock.hpp>

#include "storage/migration.hpp"

namespace settings::detail {

/// A migration recorded as applied in `schema_migrations`.
struct AppliedMigration {
    int version = 0;
    std::string file_name;
    std::string checksum;
};

/// What the migrator needs of one engine's connection.
class MigrationConnection {
  public:
    virtual ~MigrationConnection() = default;

    /// Held around the whole migration where the engine needs it to keep
    /// concurrent starters apart (SQLite's write lock already does).
    virtual void lock() = 0;
    virtual void unlock() noexcept = 0;

    /// The version in `schema_version`, 0 when there is no such table yet.
    [[nodiscard]] virtual int version() = 0;
    /// `schema_migrations`, empty when there is no such table yet.
    [[nodiscard]] virtual std::vector<AppliedMigration> applied() = 0;

    /// Runs once the read-only checks passed, before the first write.
    virtual void prepare() = 0;

    virtual void begin() = 0;
    virtual void commit() = 0;
    virtual void rollback() noexcept = 0;
    /// Creates `schema_version` (one row, version 0) and `schema_migrations`.
    virtual void create_bookkeeping(const std::string& applied_at) = 0;
    virtual void execute_script(std::string_view sql) = 0;
    /// Bumps `schema_version` to the migration's and records it.
    virtual void record(const Migration& migration, const std::string& checksum,
                        const std::string& applied_at) = 0;
};

/// Brings a database to the newest schema. The version lives in the one-row table
/// `schema_version`; `schema_migrations` records each applied file with its
/// SHA-256 so that an edited migration is detected.
///
/// Each pending migration runs in its own transaction together with the version
/// bump, so concurrent processes apply every migration exactly once.
class Migrator {
  public:
    /// Throws std::invalid_argument when `migrations` is not numbered 1..n in order.
    explicit Migrator(std::span<const Migration> migrations,
                      const Clock& clock = SystemClock::instance());

    /// The version of the newest migration.
    [[nodiscard]] int latest_version() const;

    /// Applies every pending migration and returns the version the database is at.
    /// Before it writes anything it checks that the database is not newer than the
    /// program (SchemaTooNewError) and that no applied file changed (MigrationError).
    /// A failing migration is rolled back and reported as a MigrationError naming the
    /// file and the engine's message.
    int migrate(MigrationConnection& db) const;

    /// The version of a database opened without migrating (read-only): it must be
    /// at the newest version. Throws SchemaTooNewError, or DatabaseOpenError for an
    /// older database. Writes nothing.
    int require_current(MigrationConnection& db) const;

  private:
    int migrate_locked(MigrationConnection& db) const;
    void verify_applied(MigrationConnection& db) const;
    void apply(MigrationConnection& db, const Migration& migration) const;

    std::span<const Migration> migrations_;
    const Clock& clock_;
};

}  // namespace settings::detail
