#include "sqlite/sqlite_database.hpp"

#include <system_error>
#include <thread>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <sqlite3.h>

#include <settings/errors.hpp>
#include <settings/log.hpp>

#include "storage/migrator.hpp"

namespace settings::detail {

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

// The migrator's view of a SQLite connection. BEGIN IMMEDIATE takes the file's
// write lock, which keeps concurrent starters apart.
class SqliteMigrationConnection final : public MigrationConnection {
  public:
    explicit SqliteMigrationConnection(SQLite::Database& db) : db_(db) {}

    void lock() override {}
    void unlock() noexcept override {}

    int version() override {
        if (!table_exists(db_, "schema_version")) {
            return 0;
        }
        SQLite::Statement query(db_, select_version_sql);
        return query.executeStep() ? query.getColumn(0).getInt() : 0;
    }

    std::vector<AppliedMigration> applied() override {
        std::vector<AppliedMigration> out;
        if (!table_exists(db_, "schema_migrations")) {
            return out;
        }
        SQLite::Statement query(db_, select_applied_sql);
        while (query.executeStep()) {
            out.push_back({query.getColumn(0).getInt(), query.getColumn(1).getString(),
                           query.getColumn(2).getString()});
        }
        return out;
    }

    // Switching to WAL writes the file header, so it happens only after the checks
    // that promise not to write. Another process may hold a lock for a moment while
    // it does the same; the busy handler covers that wait.
    void prepare() override {
        const auto mode = db_.execAndGet("PRAGMA journal_mode = WAL").getString();
        if (mode != "wal") {
            throw DatabaseOpenError("cannot switch the database to WAL (journal mode is " + mode +
                                    ")");
        }
    }

    void begin() override { db_.exec("BEGIN IMMEDIATE"); }
    void commit() override { db_.exec("COMMIT"); }
    void rollback() noexcept override {
        try {
            db_.exec("ROLLBACK");
        } catch (const SQLite::Exception&) {
            // Nothing was open, or SQLite already rolled back.
        }
    }

    void create_bookkeeping(const std::string& applied_at) override {
        db_.exec(create_bookkeeping_sql);
        SQLite::Statement insert(db_, insert_initial_version_sql);
        insert.bind(1, applied_at);
        insert.exec();
    }

    void execute_script(std::string_view sql) override { db_.exec(std::string(sql)); }

    void record(const Migration& migration, const std::string& checksum,
                const std::string& applied_at) override {
        SQLite::Statement bump(db_, update_version_sql);
        bump.bind(1, migration.version);
        bump.bind(2, applied_at);
        bump.exec();
        SQLite::Statement record(db_, insert_applied_sql);
        record.bind(1, migration.version);
        record.bind(2, std::string(migration.file_name));
        record.bind(3, checksum);
        record.bind(4, applied_at);
        record.exec();
    }

  private:
    SQLite::Database& db_;
};

std::unique_ptr<SQLite::Database> connect(const std::filesystem::path& path,
                                          std::chrono::milliseconds busy_timeout, bool read_only) {
    const auto folder = path.parent_path();
    if (read_only) {
        if (!std::filesystem::is_regular_file(path)) {
            throw DatabaseOpenError("no database at " + path.string());
        }
    } else if (!folder.empty()) {
        std::error_code ec;
        std::filesystem::create_directories(folder, ec);
        if (ec) {
            throw DatabaseOpenError("cannot create the database folder " + folder.string() + ": " +
                                    ec.message());
        }
    }
    std::unique_ptr<SQLite::Database> db;
    try {
        db = std::make_unique<SQLite::Database>(
            path.string(),
            read_only ? SQLite::OPEN_READONLY : SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    } catch (const SQLite::Exception& e) {
        throw DatabaseOpenError("cannot open the database " + path.string() + ": " + e.what());
    }
    // SQLite quietly falls back to read-only when it may not write; we never run
    // without persistence.
    if (!read_only && sqlite3_db_readonly(db->getHandle(), "main") == 1) {
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
void configure(SQLite::Database& db, bool read_only) {
    if (!read_only) {
        db.exec("PRAGMA synchronous = FULL");
    }
    db.exec("PRAGMA foreign_keys = ON");
}

// Switching a new file to WAL takes an exclusive lock for a moment, and SQLite
// reports a connection that meets it as busy without consulting the busy handler.
// Every step of `migrate` is safe to repeat, so a busy attempt is simply retried
// until the busy timeout has passed.
int migrate_with_retry(SQLite::Database& db, const SqliteOptions& options) {
    const Migrator migrator(options.migrations, *options.clock);
    SqliteMigrationConnection connection(db);
    const auto deadline = std::chrono::steady_clock::now() + options.busy_timeout;
    for (;;) {
        try {
            return migrator.migrate(connection);
        } catch (const SQLite::Exception& e) {
            if (e.getErrorCode() != SQLITE_BUSY || std::chrono::steady_clock::now() > deadline) {
                throw;
            }
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
}

// A read-only open migrates nothing: the file must be at the program's version.
int check_version(SQLite::Database& db, const SqliteOptions& options) {
    SqliteMigrationConnection connection(db);
    return Migrator(options.migrations, *options.clock).require_current(connection);
}

}  // namespace

int sqlite_schema_version(SQLite::Database& db) {
    return SqliteMigrationConnection(db).version();
}

SqliteDatabase SqliteDatabase::open(const std::filesystem::path& path,
                                    const SqliteOptions& options) {
    auto db = connect(path, options.busy_timeout, options.read_only);
    auto guard = std::make_shared<SqliteFileGuard>(path);
    int version = 0;
    try {
        version =
            options.read_only ? check_version(*db, options) : migrate_with_retry(*db, options);
        configure(*db, options.read_only);
    } catch (const SQLite::Exception& e) {
        throw DatabaseOpenError("cannot prepare the database " + path.string() + ": " + e.what());
    }
    log::debug("database",
               "opened " + path.string() + " (schema version " + std::to_string(version) + ")");
    return {
        path, std::move(db), version, options.busy_timeout, options.read_only, std::move(guard)};
}

SqliteDatabase SqliteDatabase::open_connection() const {
    auto db = connect(path_, busy_timeout_, read_only_);
    try {
        configure(*db, read_only_);
    } catch (const SQLite::Exception& e) {
        throw DatabaseOpenError("cannot prepare the database " + path_.string() + ": " + e.what());
    }
    return {path_, std::move(db), schema_version_, busy_timeout_, read_only_, guard_};
}

SqliteDatabase::SqliteDatabase(std::filesystem::path path,
                               std::unique_ptr<SQLite::Database> connection, int schema_version,
                               std::chrono::milliseconds busy_timeout, bool read_only,
                               std::shared_ptr<SqliteFileGuard> guard)
    : path_(std::move(path)),
      connection_(std::move(connection)),
      schema_version_(schema_version),
      busy_timeout_(busy_timeout),
      read_only_(read_only),
      guard_(std::move(guard)) {}

void SqliteDatabase::ensure_file_in_place() const {
    guard_->poll();
    guard_->ensure_usable();
}

void SqliteDatabase::note_failure(const SQLite::Exception& error) const {
    const auto code = error.getErrorCode();
    if (code == SQLITE_CORRUPT || code == SQLITE_NOTADB) {
        guard_->report_corrupt(error.what());
    }
}

SqliteDatabase::SqliteDatabase(SqliteDatabase&&) noexcept = default;
SqliteDatabase& SqliteDatabase::operator=(SqliteDatabase&&) noexcept = default;

SqliteDatabase::~SqliteDatabase() {
    if (!connection_) {
        return;  // moved from
    }
    // The last connection to close checkpoints the WAL into the file at its
    // path unless SQLite sees the file moved; a file overwritten in place it
    // does not see, so a replaced file is never checkpointed into.
    try {
        guard_->poll();
    } catch (const std::exception&) {
        // Closing anyway; the state stays what was last seen.
    }
    if (guard_->state() == StorageState::replaced) {
        sqlite3_db_config(connection_->getHandle(), SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, nullptr);
    }
}

}  // namespace settings::detail
