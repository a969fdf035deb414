#pragma once

// Read-only inspection and upkeep of a SQLite database file, for the admin tool.
// None of these migrate or otherwise change the file they inspect. (PostgreSQL
// has its own tools for these: pg_dump, amcheck.)

#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include <settings/storage.hpp>

namespace settings {

/// Rows per table: `global_settings`, `user_preferences`, `project_settings`,
/// `user_sessions`, `admin_users`.
using RowCounts = std::vector<std::pair<std::string, std::int64_t>>;

/// Copies every settings layer, every session (tokens as stored, encrypted or
/// not; timestamps kept) and every stored admin of `from` into `to`, on either engine, then reads both
/// back and compares them row by row. `to` must hold no row unless `replace`,
/// which deletes its rows first. The settings are copied in one transaction.
/// Returns the rows copied. Throws std::invalid_argument when `to` holds rows and
/// `replace` is false (nothing written), StorageError when the copy does not
/// read back equal to its source.
RowCounts copy_database(Storage& from, Storage& to, bool replace);

struct DatabaseStatus {
    std::filesystem::path path;
    int schema_version = 0;
    int program_version = 0;
    /// Migration files the program would apply, in order.
    std::vector<std::string> pending;
    /// Rows per table of the schema, for the tables that exist.
    std::vector<std::pair<std::string, std::int64_t>> row_counts;
};

/// The state of an existing database file. Throws DatabaseOpenError when the file
/// does not exist or is not a SQLite database.
DatabaseStatus inspect_database(const std::filesystem::path& path);

/// How thoroughly check_integrity looks.
enum class IntegrityCheck {
    quick,  // `PRAGMA quick_check`: every page and record, not index contents (linear time)
    full,   // `PRAGMA integrity_check`: also that every index matches its table
};

/// SQLite's integrity check: the problems it reports, none when the file is
/// sound. Throws DatabaseOpenError when the file cannot be opened.
std::vector<std::string> check_integrity(const std::filesystem::path& path,
                                         IntegrityCheck how = IntegrityCheck::full);

/// A consistent copy of `source` at `destination` (which must not exist), taken
/// with SQLite's online backup while other connections keep reading and writing.
/// Throws DatabaseOpenError or StorageError.
void backup_database(const std::filesystem::path& source, const std::filesystem::path& destination);

/// Replaces the content of the database at `target` (created when missing) with
/// that of the backup at `backup`, safely while other connections and processes
/// (a running settings-service) use it. The backup is checked (integrity, a
/// settings schema not newer than the program) and migrated in a temporary copy
/// beside `target`; that copy then goes into `target` with SQLite's online backup
/// in one transaction, so readers see the old or the restored content, never a
/// mix, and every connection notices the change (PRAGMA data_version). Works on a
/// damaged `target` too. Returns the rows of `target` afterwards.
/// Throws std::invalid_argument when the backup is not a sound settings database
/// (nothing changed), SchemaTooNewError, DatabaseOpenError or StorageError
/// (StorageUnavailableError when `target` stayed locked).
RowCounts restore_database(const std::filesystem::path& backup,
                           const std::filesystem::path& target);

}  // namespace settings
