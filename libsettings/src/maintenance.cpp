#include <array>
#include <chrono>
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

std::vector<std::string> check_integrity(const std::filesystem::path& path) {
    auto db = open_read_only(path);
    std::vector<std::string> problems;
    try {
        SQLite::Statement check(db, "PRAGMA integrity_check");
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

}  // namespace settings
