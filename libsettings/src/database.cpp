#include <sys/stat.h>
#include <system_error>
#include <thread>

#include <SQLiteCpp/Database.h>
#include <sqlite3.h>

#include <settings/database.hpp>
#include <settings/errors.hpp>
#include <settings/log.hpp>
#include <settings/migrator.hpp>

namespace settings {

namespace {

std::unique_ptr<SQLite::Database> connect(const std::filesystem::path& path,
                                          std::chrono::milliseconds busy_timeout) {
    const auto folder = path.parent_path();
    if (!folder.empty()) {
        std::error_code ec;
        std::filesystem::create_directories(folder, ec);
        if (ec) {
            throw DatabaseOpenError("cannot create the database folder " + folder.string() + ": " +
                                    ec.message());
        }
    }
    std::unique_ptr<SQLite::Database> db;
    try {
        db = std::make_unique<SQLite::Database>(path.string(),
                                                SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    } catch (const SQLite::Exception& e) {
        throw DatabaseOpenError("cannot open the database " + path.string() + ": " + e.what());
    }
    // SQLite quietly falls back to read-only when it may not write; we never run
    // without persistence.
    if (sqlite3_db_readonly(db->getHandle(), "main") == 1) {
        throw DatabaseOpenError("the database " + path.string() + " cannot be opened for writing");
    }
    db->setBusyTimeout(static_cast<int>(busy_timeout.count()));
    try {
        // The first read parses the header and the schema: it fails for a file that
        // is not a database or whose schema is damaged.
        db->execAndGet("SELECT count(*) FROM sqlite_master");
    } catch (const SQLite::Exception& e) {
        // Busy means another connection is at work on a real database; the
        // migration step below reads the schema again and waits for it.
        if (e.getErrorCode() != SQLITE_BUSY) {
            throw DatabaseOpenError(path.string() +
                                    " is not a usable SQLite database: " + e.what());
        }
    }
    return db;
}

// Per-connection settings; WAL itself is a property of the file.
void configure(SQLite::Database& db) {
    db.exec("PRAGMA synchronous = FULL");
    db.exec("PRAGMA foreign_keys = ON");
}

// Switching a new file to WAL takes an exclusive lock for a moment, and SQLite
// reports a connection that meets it as busy without consulting the busy handler.
// Every step of `migrate` is safe to repeat, so a busy attempt is simply retried
// until the busy timeout has passed.
int migrate_with_retry(SQLite::Database& db, const DatabaseOptions& options) {
    const Migrator migrator(options.migrations, *options.clock);
    const auto deadline = std::chrono::steady_clock::now() + options.busy_timeout;
    for (;;) {
        try {
            return migrator.migrate(db);
        } catch (const SQLite::Exception& e) {
            if (e.getErrorCode() != SQLITE_BUSY || std::chrono::steady_clock::now() > deadline) {
                throw;
            }
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
}

}  // namespace

Database Database::open(const std::filesystem::path& path, const DatabaseOptions& options) {
    auto db = connect(path, options.busy_timeout);
    int version = 0;
    try {
        version = migrate_with_retry(*db, options);
        configure(*db);
    } catch (const SQLite::Exception& e) {
        throw DatabaseOpenError("cannot prepare the database " + path.string() + ": " + e.what());
    }
    log::debug("database",
               "opened " + path.string() + " (schema version " + std::to_string(version) + ")");
    return {path, std::move(db), version, options.busy_timeout};
}

Database Database::open_connection() const {
    auto db = connect(path_, busy_timeout_);
    try {
        configure(*db);
    } catch (const SQLite::Exception& e) {
        throw DatabaseOpenError("cannot prepare the database " + path_.string() + ": " + e.what());
    }
    return {path_, std::move(db), schema_version_, busy_timeout_};
}

Database::Database(std::filesystem::path path, std::unique_ptr<SQLite::Database> connection,
                   int schema_version, std::chrono::milliseconds busy_timeout)
    : path_(std::move(path)),
      connection_(std::move(connection)),
      schema_version_(schema_version),
      busy_timeout_(busy_timeout) {
    struct stat file {};
    if (stat(path_.c_str(), &file) == 0) {
        device_ = file.st_dev;
        inode_ = file.st_ino;
    }
}

void Database::ensure_file_in_place() const {
    struct stat file {};
    if (stat(path_.c_str(), &file) != 0 || file.st_dev != device_ || file.st_ino != inode_) {
        const std::string message = "the database file " + path_.string() +
                                    " was deleted or replaced while open; refusing to write";
        log::error("database", message);
        throw StorageUnavailableError(message, 0);
    }
}

Database::Database(Database&&) noexcept = default;
Database& Database::operator=(Database&&) noexcept = default;
Database::~Database() = default;

}  // namespace settings
