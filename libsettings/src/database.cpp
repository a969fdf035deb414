#include <settings/database.hpp>
#include <settings/errors.hpp>
#include <settings/log.hpp>
#include <settings/migrator.hpp>

#include <SQLiteCpp/Database.h>
#include <sqlite3.h>

#include <system_error>

namespace settings {

namespace {

std::unique_ptr<SQLite::Database> connect(const std::filesystem::path& path,
                                          std::chrono::milliseconds busy_timeout) {
    const auto folder = path.parent_path();
    if (!folder.empty()) {
        std::error_code ec;
        std::filesystem::create_directories(folder, ec);
        if (ec) {
            throw DatabaseOpenError("cannot create the database folder " + folder.string() +
                                    ": " + ec.message());
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
        throw DatabaseOpenError(path.string() + " is not a usable SQLite database: " + e.what());
    }
    return db;
}

}  // namespace

Database Database::open(const std::filesystem::path& path, const DatabaseOptions& options) {
    auto db = connect(path, options.busy_timeout);
    int version = 0;
    try {
        version = Migrator(options.migrations, *options.clock).migrate(*db);
        db->exec("PRAGMA synchronous = FULL");
        db->exec("PRAGMA foreign_keys = ON");
    } catch (const SQLite::Exception& e) {
        throw DatabaseOpenError("cannot prepare the database " + path.string() + ": " + e.what());
    }
    log::debug("database", "opened " + path.string() + " (schema version " +
                               std::to_string(version) + ")");
    return {path, std::move(db), version};
}

Database::Database(std::filesystem::path path, std::unique_ptr<SQLite::Database> connection,
                   int schema_version)
    : path_(std::move(path)), connection_(std::move(connection)), schema_version_(schema_version) {}

Database::Database(Database&&) noexcept = default;
Database& Database::operator=(Database&&) noexcept = default;
Database::~Database() = default;

}  // namespace settings
