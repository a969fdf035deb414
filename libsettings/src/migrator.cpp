#include <stdexcept>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>

#include <settings/errors.hpp>
#include <settings/log.hpp>
#include <settings/migrator.hpp>
#include <settings/sha256.hpp>
#include <settings/timestamp.hpp>

namespace settings {

namespace {

constexpr auto table_exists_sql =
    "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?";

constexpr auto create_bookkeeping_sql = R"sql(
CREATE TABLE IF NOT EXISTS schema_version (
    version    INTEGER NOT NULL,
    applied_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    file_name  TEXT NOT NULL,
    checksum   TEXT NOT NULL,
    applied_at TEXT NOT NULL
);
)sql";

constexpr auto insert_initial_version_sql =
    "INSERT INTO schema_version (version, applied_at) "
    "SELECT 0, ? WHERE NOT EXISTS (SELECT 1 FROM schema_version)";

constexpr auto select_version_sql = "SELECT version FROM schema_version";

constexpr auto select_applied_sql = "SELECT version, file_name, checksum FROM schema_migrations";

constexpr auto update_version_sql = "UPDATE schema_version SET version = ?, applied_at = ?";

constexpr auto insert_applied_sql =
    "INSERT INTO schema_migrations (version, file_name, checksum, applied_at) VALUES (?, ?, ?, ?)";

bool table_exists(SQLite::Database& db, const char* name) {
    SQLite::Statement query(db, table_exists_sql);
    query.bind(1, name);
    query.executeStep();
    return query.getColumn(0).getInt() > 0;
}

// Switching to WAL writes the file header, so it happens only after the checks
// that promise not to write. Another process may hold a lock for a moment while
// it does the same; the busy handler covers that wait.
void use_write_ahead_log(SQLite::Database& db) {
    const auto mode = db.execAndGet("PRAGMA journal_mode = WAL").getString();
    if (mode != "wal") {
        throw DatabaseOpenError("cannot switch the database to WAL (journal mode is " + mode + ")");
    }
}

}  // namespace

Migrator::Migrator(std::span<const Migration> migrations, const Clock& clock)
    : migrations_(migrations), clock_(clock) {
    if (auto error = find_sequence_error(migrations_)) {
        throw std::invalid_argument(*error);
    }
}

int Migrator::latest_version() const {
    return migrations_.back().version;
}

int Migrator::current_version(SQLite::Database& db) {
    if (!table_exists(db, "schema_version")) {
        return 0;
    }
    SQLite::Statement query(db, select_version_sql);
    return query.executeStep() ? query.getColumn(0).getInt() : 0;
}

void Migrator::verify_applied(SQLite::Database& db) const {
    if (!table_exists(db, "schema_migrations")) {
        return;
    }
    SQLite::Statement query(db, select_applied_sql);
    while (query.executeStep()) {
        const int version = query.getColumn(0).getInt();
        const std::string file_name = query.getColumn(1).getString();
        if (version < 1 || version > latest_version()) {
            continue;  // a newer schema is refused by the version check
        }
        const auto& migration = migrations_[static_cast<std::size_t>(version - 1)];
        if (query.getColumn(2).getString() != sha256_hex(migration.sql)) {
            throw MigrationError(std::string(migration.file_name),
                                 "the file has changed since it was applied to this database "
                                 "(applied as " +
                                     file_name +
                                     "); never edit an applied "
                                     "migration, add a new one");
        }
    }
}

int Migrator::migrate(SQLite::Database& db) const {
    // Read-only checks first: a database we must refuse is never written.
    const int found = current_version(db);
    if (found > latest_version()) {
        log::error("migrator", "database schema version " + std::to_string(found) +
                                   " is newer than this program's " +
                                   std::to_string(latest_version()));
        throw SchemaTooNewError(found, latest_version());
    }
    verify_applied(db);

    use_write_ahead_log(db);
    if (found == latest_version()) {
        return found;
    }
    {
        SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
        db.exec(create_bookkeeping_sql);
        SQLite::Statement insert(db, insert_initial_version_sql);
        insert.bind(1, format_timestamp(clock_.now()));
        insert.exec();
        tx.commit();
    }
    for (const auto& migration : migrations_) {
        if (migration.version > found) {
            apply(db, migration);
        }
    }
    return current_version(db);
}

void Migrator::apply(SQLite::Database& db, const Migration& migration) const {
    const std::string file(migration.file_name);
    SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
    // Another process may have moved on while we waited for the write lock.
    const int version = current_version(db);
    if (version > latest_version()) {
        throw SchemaTooNewError(version, latest_version());
    }
    if (version >= migration.version) {
        verify_applied(db);
        return;
    }
    try {
        db.exec(std::string(migration.sql));
    } catch (const SQLite::Exception& e) {
        log::error("migrator", "migration " + file + " failed: " + e.what());
        throw MigrationError(file, e.what());
    }
    const auto now = format_timestamp(clock_.now());
    SQLite::Statement bump(db, update_version_sql);
    bump.bind(1, migration.version);
    bump.bind(2, now);
    bump.exec();
    SQLite::Statement record(db, insert_applied_sql);
    record.bind(1, migration.version);
    record.bind(2, file);
    record.bind(3, sha256_hex(migration.sql));
    record.bind(4, now);
    record.exec();
    tx.commit();
    log::info("migrator", "applied migration " + file + " (schema version " +
                              std::to_string(version) + " -> " + std::to_string(migration.version) +
                              ")");
}

}  // namespace settings
