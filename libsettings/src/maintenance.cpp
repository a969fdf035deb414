#include <array>
#include <chrono>
#include <stdexcept>
#include <thread>

#include <SQLiteCpp/Backup.h>
#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <sqlite3.h>

#include <settings/errors.hpp>
#include <settings/maintenance.hpp>

#include "sqlite/sqlite_database.hpp"
#include "sqlite/sqlite_errors.hpp"
#include "storage/embedded_migrations.hpp"
#include "storage/storage_engine.hpp"

namespace settings {

namespace {

constexpr auto table_exists_sql =
    "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?";

SQLite::Database open_read_only(const std::filesystem::path& path) {
    if (!std::filesystem::is_regular_file(path)) {
        throw DatabaseOpenError("no database at " + path.string());
    }
    try {
        SQLite::Database db(path.string(), SQLite::OPEN_READONLY);
        db.setBusyTimeout(5000);
        db.execAndGet("SELECT count(*) FROM sqlite_master");
        return db;
    } catch (const SQLite::Exception& e) {
        throw DatabaseOpenError(path.string() + " is not a usable SQLite database: " + e.what());
    }
}

}  // namespace

DatabaseStatus inspect_database(const std::filesystem::path& path) {
    auto db = open_read_only(path);
    const auto migrations = embedded_migrations(StorageEngine::sqlite);
    DatabaseStatus status;
    status.path = path;
    status.program_version = migrations.back().version;
    try {
        status.schema_version = detail::sqlite_schema_version(db);
        for (const auto& m : migrations) {
            if (m.version > status.schema_version) {
                status.pending.emplace_back(m.file_name);
            }
        }
        for (const auto* table : detail::data_tables) {
            SQLite::Statement exists(db, table_exists_sql);
            exists.bind(1, table);
            exists.executeStep();
            if (exists.getColumn(0).getInt() == 0) {
                continue;
            }
            // Table names come from the fixed list, never from input.
            const auto rows =
                db.execAndGet(std::string("SELECT count(*) FROM ") + table).getInt64();
            status.row_counts.emplace_back(table, rows);
        }
    } catch (const SQLite::Exception& e) {
        detail::throw_storage_error(e, "inspecting " + path.string());
    }
    return status;
}

std::vector<std::string> check_integrity(const std::filesystem::path& path, IntegrityCheck how) {
    auto db = open_read_only(path);
    std::vector<std::string> problems;
    try {
        SQLite::Statement check(
            db, how == IntegrityCheck::quick ? "PRAGMA quick_check" : "PRAGMA integrity_check");
        while (check.executeStep()) {
            const auto line = check.getColumn(0).getString();
            if (line != "ok") {
                problems.push_back(line);
            }
        }
    } catch (const SQLite::Exception& e) {
        problems.emplace_back(e.what());
    }
    return problems;
}

void backup_database(const std::filesystem::path& source,
                     const std::filesystem::path& destination) {
    if (std::filesystem::exists(destination)) {
        throw DatabaseOpenError("the backup destination " + destination.string() +
                                " already exists");
    }
    auto from = open_read_only(source);
    try {
        SQLite::Database to(destination.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
        SQLite::Backup backup(to, from);
        // Copy in steps so that writers in other processes get their turn.
        constexpr int pages_per_step = 256;
        for (;;) {
            const int result = backup.executeStep(pages_per_step);
            if (result == SQLITE_DONE) {
                break;
            }
            if (result != SQLITE_OK) {
                std::this_thread::sleep_for(std::chrono::milliseconds(10));  // busy: retry
            }
        }
    } catch (const SQLite::Exception& e) {
        std::error_code ignored;
        std::filesystem::remove(destination, ignored);
        detail::throw_storage_error(e, "backing up to " + destination.string());
    }
}

namespace {

// How long a restore waits for the target's write lock, held by others' writes.
constexpr auto restore_lock_wait = std::chrono::seconds(10);

void remove_with_companions(const std::filesystem::path& path) {
    std::error_code ignored;
    for (const auto* suffix : {"", "-wal", "-shm", "-journal"}) {
        std::filesystem::remove(path.string() + suffix, ignored);
    }
}

// Copies every page of `from` into `to` in one write transaction of `to`,
// waiting for its write lock until `deadline`.
void copy_pages(SQLite::Database& from, SQLite::Database& to,
                std::chrono::steady_clock::time_point deadline) {
    SQLite::Backup backup(to, from);
    for (;;) {
        const int result = backup.executeStep(-1);
        if (result == SQLITE_DONE) {
            return;
        }
        if (std::chrono::steady_clock::now() > deadline) {
            throw StorageUnavailableError("the database stayed locked by other writers",
                                          std::to_string(result));
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));  // busy: retry
    }
}

}  // namespace

RowCounts restore_database(const std::filesystem::path& backup,
                           const std::filesystem::path& target) {
    std::vector<std::string> problems;
    try {
        problems = check_integrity(backup);
    } catch (const DatabaseOpenError& e) {
        throw std::invalid_argument(e.what());
    }
    if (!problems.empty()) {
        throw std::invalid_argument("the backup " + backup.string() +
                                    " fails its integrity check: " + problems.front());
    }
    {
        auto db = open_read_only(backup);
        int version = 0;
        try {
            version = detail::sqlite_schema_version(db);
        } catch (const SQLite::Exception& e) {
            throw std::invalid_argument(backup.string() + ": " + e.what());
        }
        if (version == 0) {
            throw std::invalid_argument(backup.string() + " is not a settings database");
        }
    }
    // Brought to the program's schema beside the target, so the target goes from
    // one complete state to another in a single transaction.
    const std::filesystem::path staging = target.string() + ".restoring";
    remove_with_companions(staging);
    struct Cleanup {
        const std::filesystem::path& path;
        ~Cleanup() { remove_with_companions(path); }
    } cleanup{staging};
    try {
        auto from = open_read_only(backup);
        SQLite::Database to(staging.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
        copy_pages(from, to, std::chrono::steady_clock::now() + restore_lock_wait);
    } catch (const SQLite::Exception& e) {
        detail::throw_storage_error(e, "copying the backup to " + staging.string());
    }
    // Throws SchemaTooNewError or MigrationError, as opening the backup would.
    detail::SqliteDatabase::open(staging);
    try {
        SQLite::Database from(staging.string(), SQLite::OPEN_READONLY);
        SQLite::Database to(target.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
        to.setBusyTimeout(static_cast<int>(
            std::chrono::duration_cast<std::chrono::milliseconds>(restore_lock_wait).count()));
        copy_pages(from, to, std::chrono::steady_clock::now() + restore_lock_wait);
    } catch (const SQLite::Exception& e) {
        if (e.getErrorCode() == SQLITE_READONLY) {
            throw StorageError("cannot restore into " + target.string() +
                                   " while it is open: " + e.what() +
                                   " (a different page size?); stop the service and restore again",
                               std::to_string(e.getExtendedErrorCode()));
        }
        detail::throw_storage_error(e, "restoring into " + target.string());
    }
    const auto after = check_integrity(target);
    if (!after.empty()) {
        throw StorageError("the restored database " + target.string() +
                           " fails its integrity check: " + after.front());
    }
    return inspect_database(target).row_counts;
}

}  // namespace settings
