#include "storage/migrator.hpp"

#include <stdexcept>

#include <settings/errors.hpp>
#include <settings/log.hpp>
#include <settings/sha256.hpp>
#include <settings/timestamp.hpp>

namespace settings::detail {

namespace {

// Undoes an open transaction unless it was committed.
class TransactionGuard {
  public:
    explicit TransactionGuard(MigrationConnection& db) : db_(db) { db_.begin(); }
    ~TransactionGuard() {
        if (!committed_) {
            db_.rollback();
        }
    }
    TransactionGuard(const TransactionGuard&) = delete;
    TransactionGuard& operator=(const TransactionGuard&) = delete;
    void commit() {
        db_.commit();
        committed_ = true;
    }

  private:
    MigrationConnection& db_;
    bool committed_ = false;
};

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

void Migrator::verify_applied(MigrationConnection& db) const {
    for (const auto& applied : db.applied()) {
        if (applied.version < 1 || applied.version > latest_version()) {
            continue;  // a newer schema is refused by the version check
        }
        const auto& migration = migrations_[static_cast<std::size_t>(applied.version - 1)];
        if (applied.checksum != sha256_hex(migration.sql)) {
            throw MigrationError(std::string(migration.file_name),
                                 "the file has changed since it was applied to this database "
                                 "(applied as " +
                                     applied.file_name +
                                     "); never edit an applied "
                                     "migration, add a new one");
        }
    }
}

int Migrator::require_current(MigrationConnection& db) const {
    const int version = db.version();
    if (version > latest_version()) {
        throw SchemaTooNewError(version, latest_version());
    }
    if (version < latest_version()) {
        throw DatabaseOpenError("the database is at schema version " + std::to_string(version) +
                                " and needs migrating to " + std::to_string(latest_version()) +
                                " before it can be opened read-only");
    }
    return version;
}

int Migrator::migrate(MigrationConnection& db) const {
    db.lock();
    try {
        const int version = migrate_locked(db);
        db.unlock();
        return version;
    } catch (...) {
        db.unlock();
        throw;
    }
}

int Migrator::migrate_locked(MigrationConnection& db) const {
    // Read-only checks first: a database we must refuse is never written.
    const int found = db.version();
    if (found > latest_version()) {
        log::error("migrator", "database schema version " + std::to_string(found) +
                                   " is newer than this program's " +
                                   std::to_string(latest_version()));
        throw SchemaTooNewError(found, latest_version());
    }
    verify_applied(db);

    db.prepare();
    if (found == latest_version()) {
        return found;
    }
    {
        TransactionGuard tx(db);
        db.create_bookkeeping(format_timestamp(clock_.now()));
        tx.commit();
    }
    for (const auto& migration : migrations_) {
        if (migration.version > found) {
            apply(db, migration);
        }
    }
    return db.version();
}

void Migrator::apply(MigrationConnection& db, const Migration& migration) const {
    const std::string file(migration.file_name);
    TransactionGuard tx(db);
    // Another process may have moved on while we waited for the write lock.
    const int version = db.version();
    if (version > latest_version()) {
        throw SchemaTooNewError(version, latest_version());
    }
    if (version >= migration.version) {
        verify_applied(db);
        return;
    }
    try {
        db.execute_script(migration.sql);
    } catch (const std::exception& e) {
        log::error("migrator", "migration " + file + " failed: " + e.what());
        throw MigrationError(file, e.what());
    }
    db.record(migration, sha256_hex(migration.sql), format_timestamp(clock_.now()));
    tx.commit();
    log::info("migrator", "applied migration " + file + " (schema version " +
                              std::to_string(version) + " -> " + std::to_string(migration.version) +
                              ")");
}

}  // namespace settings::detail
