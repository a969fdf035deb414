#pragma once

#include <span>
#include <vector>

#include <settings/clock.hpp>
#include <settings/embedded_migrations.hpp>
#include <settings/migration.hpp>

namespace SQLite {
class Database;
}

namespace settings {

/// Brings a database to the newest schema. The version lives in the one-row table
/// `schema_version`; `schema_migrations` records each applied file with its
/// SHA-256 so that an edited migration is detected.
///
/// Each pending migration runs in its own BEGIN IMMEDIATE transaction together with
/// the version bump, so concurrent processes apply every migration exactly once.
/// Thread-safe: a Migrator holds no mutable state.
class Migrator {
  public:
    /// Throws std::invalid_argument when `migrations` is not numbered 1..n in order.
    explicit Migrator(std::span<const Migration> migrations = embedded_migrations(),
                      const Clock& clock = SystemClock::instance());

    /// The version of the newest migration.
    [[nodiscard]] int latest_version() const;

    /// Applies every pending migration and returns the version the database is at.
    /// Before it writes anything it checks that the database is not newer than the
    /// program (SchemaTooNewError) and that no applied file changed (MigrationError).
    /// A failing migration is rolled back and reported as a MigrationError naming the
    /// file and SQLite's message. Also switches the file to WAL.
    int migrate(SQLite::Database& db) const;

    /// The version recorded in the database, 0 for a database without `schema_version`.
    /// Writes nothing.
    static int current_version(SQLite::Database& db);

  private:
    void verify_applied(SQLite::Database& db) const;
    void apply(SQLite::Database& db, const Migration& migration) const;

    std::span<const Migration> migrations_;
    const Clock& clock_;
};

}  // namespace settings
