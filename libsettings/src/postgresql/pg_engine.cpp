#include "postgresql/pg_engine.hpp"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <settings/errors.hpp>
#include <settings/log.hpp>

#include "postgresql/pg_admin_backend.hpp"
#include "postgresql/pg_pool.hpp"
#include "postgresql/pg_session_backend.hpp"
#include "postgresql/pg_settings_backend.hpp"
#include "storage/embedded_migrations.hpp"
#include "storage/migrator.hpp"

namespace settings::detail {

namespace {

// Any fixed number: the key all starters of this schema agree on.
constexpr auto migration_lock_key = "7243901";
constexpr auto health_interval = std::chrono::seconds(1);
// Far above what SELECT 1 takes on a loaded host, and with health_interval
// within promise 5's two seconds.
constexpr auto probe_timeout = std::chrono::milliseconds(800);

const PgStatement select_version{"migrator_version", "SELECT version FROM schema_version"};
const PgStatement select_applied{"migrator_applied",
                                 "SELECT version, file_name, checksum FROM schema_migrations"};
const PgStatement table_exists{"migrator_table_exists", "SELECT to_regclass($1) IS NOT NULL"};

// The change version. A snapshot's xmax is one past the newest finished
// transaction, and xmin = xmax says that none below it is still running; a
// commit after that is of an xid at or above xmax (a lower one would have been
// running), and moves xmax past itself. So two equal answers mean nothing
// committed between them, in any database of the cluster; a snapshot with
// older transactions still running gives no answer, which counts as a change.
const PgStatement select_quiet_snapshot{
    "change_version",
    "SELECT pg_snapshot_xmax(s)::text FROM pg_current_snapshot() AS s "
    "WHERE pg_snapshot_xmin(s) = pg_snapshot_xmax(s)"};

constexpr auto create_bookkeeping_sql = R"sql(
CREATE TABLE IF NOT EXISTS schema_version (
    version    integer NOT NULL,
    applied_at timestamptz NOT NULL
);
CREATE TABLE IF NOT EXISTS schema_migrations (
    version    integer PRIMARY KEY,
    file_name  text NOT NULL,
    checksum   text NOT NULL,
    applied_at timestamptz NOT NULL
);
)sql";

// The migrator's view of a PostgreSQL connection. A session-level advisory
// lock keeps hosts that start together apart: the first migrates, the others
// wait and then find nothing to do.
class PgMigrationConnection final : public MigrationConnection {
  public:
    explicit PgMigrationConnection(PgConnection& db) : db_(db) {}

    void lock() override {
        db_.exec(std::string("SELECT pg_advisory_lock(") + migration_lock_key + ")");
    }
    void unlock() noexcept override {
        try {
            db_.exec(std::string("SELECT pg_advisory_unlock(") + migration_lock_key + ")");
        } catch (const std::exception&) {
            // The lock ends with the connection, which is closed next.
        }
    }

    int version() override {
        if (!exists("schema_version")) {
            return 0;
        }
        const auto result = db_.run(select_version);
        return result.rows() > 0 ? std::stoi(result.text(0, 0)) : 0;
    }

    std::vector<AppliedMigration> applied() override {
        std::vector<AppliedMigration> out;
        if (!exists("schema_migrations")) {
            return out;
        }
        const auto result = db_.run(select_applied);
        for (int row = 0; row < result.rows(); ++row) {
            out.push_back(
                {std::stoi(result.text(row, 0)), result.text(row, 1), result.text(row, 2)});
        }
        return out;
    }

    void prepare() override {}
    void begin() override { db_.exec("BEGIN"); }
    void commit() override { db_.commit(); }
    void rollback() noexcept override {
        try {
            db_.exec("ROLLBACK");
        } catch (const std::exception&) {
            // Nothing was open.
        }
    }

    void create_bookkeeping(const std::string& applied_at) override {
        db_.exec(create_bookkeeping_sql);
        db_.run_once(
            "INSERT INTO schema_version (version, applied_at) "
            "SELECT 0, $1 WHERE NOT EXISTS (SELECT 1 FROM schema_version)",
            {applied_at});
    }

    void execute_script(std::string_view sql) override { db_.exec(sql); }

    void record(const Migration& migration, const std::string& checksum,
                const std::string& applied_at) override {
        const auto version = std::to_string(migration.version);
        db_.run_once("UPDATE schema_version SET version = $1, applied_at = $2",
                     {version, applied_at});
        db_.run_once(
            "INSERT INTO schema_migrations (version, file_name, checksum, applied_at) "
            "VALUES ($1, $2, $3, $4)",
            {version, std::string(migration.file_name), checksum, applied_at});
    }

  private:
    bool exists(const char* table) { return db_.run(table_exists, {table}).text(0, 0) == "t"; }

    PgConnection& db_;
};

// A refused login or a missing database will not fix itself; a server that is
// down, starting or unreachable may.
bool worth_retrying(const std::string& message) {
    for (const auto* sign : {"could not connect", "Connection refused", "timeout expired",
                             "starting up", "shutting down", "No route to host",
                             "could not translate host name", "server closed the connection"}) {
        if (message.find(sign) != std::string::npos) {
            return true;
        }
    }
    return false;
}

std::unique_ptr<PgConnection> connect_waiting(const std::string& url,
                                              const StorageOptions& options) {
    const auto deadline = std::chrono::steady_clock::now() + options.connect_wait;
    bool told = false;
    for (;;) {
        try {
            return std::make_unique<PgConnection>(url, options.busy_timeout);
        } catch (const DatabaseOpenError& e) {
            if (!worth_retrying(e.what()) || std::chrono::steady_clock::now() >= deadline) {
                throw;
            }
            if (!told) {
                log::warn("database", std::string(e.what()) + "; retrying");
                told = true;
            }
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
}

class PgEngine final : public Engine {
  public:
    PgEngine(const std::string& url, const StorageOptions& options, bool snapshots_order_commits)
        : pool_(url, options.busy_timeout, options.pool_size),
          snapshots_order_commits_(snapshots_order_commits),
          on_group_commit_(options.on_group_commit),
          health_thread_([this] { watch_health(); }) {}

    ~PgEngine() override {
        {
            const std::scoped_lock lock(health_mutex_);
            stopping_ = true;
        }
        health_wake_.notify_all();
        health_thread_.join();
    }
    PgEngine(const PgEngine&) = delete;
    PgEngine& operator=(const PgEngine&) = delete;

    std::unique_ptr<SettingsBackend> settings_backend() override {
        return make_pg_settings_backend(pool_, on_group_commit_);
    }
    std::unique_ptr<SessionBackend> session_backend() override {
        return make_pg_session_backend(pool_);
    }
    std::unique_ptr<AdminBackend> admin_backend() override { return make_pg_admin_backend(pool_); }

    StorageState state() override {
        return reachable_.load() ? StorageState::ok : StorageState::unavailable;
    }
    std::optional<PoolUsage> pool_usage() override { return pool_.usage(); }

    std::vector<std::pair<std::string, std::int64_t>> row_counts() override {
        return pool_.with([](PgConnection& db) {
            std::vector<std::pair<std::string, std::int64_t>> counts;
            counts.reserve(data_tables.size());
            for (const auto* table : data_tables) {
                // Table names come from the fixed list, never from input.
                counts.emplace_back(
                    table,
                    std::stoll(db.exec(std::string("SELECT count(*) FROM ") + table).text(0, 0)));
            }
            return counts;
        });
    }
    bool tracks_changes() const override { return snapshots_order_commits_; }
    bool change_version_asks_server() const override { return true; }
    std::optional<std::int64_t> change_version() override {
        if (!snapshots_order_commits_) {
            return std::nullopt;
        }
        try {
            return pool_.with([](PgConnection& db) -> std::optional<std::int64_t> {
                const auto result = db.run(select_quiet_snapshot);
                if (result.rows() == 0) {
                    return std::nullopt;
                }
                return std::stoll(std::string(result.text(0, 0)));
            });
        } catch (const std::exception&) {
            return std::nullopt;  // unreadable: the caller treats it as a change
        }
    }

  private:
    // Asks the server once a second on a connection of its own, so that health
    // answers at once and tells an outage (and the recovery) within about two
    // seconds, with or without traffic. A server that takes longer than
    // probe_timeout to answer counts as down (frozen, or cut off without a
    // reset): the pool's waits then end at once instead of at each request's
    // deadline (scale-out.md, promise 5).
    void watch_health() {
        std::unique_ptr<PgConnection> connection;
        std::unique_lock lock(health_mutex_);
        while (!stopping_) {
            lock.unlock();
            bool ok = false;
            try {
                if (!connection || !connection->healthy()) {
                    connection = pool_.probe_connection(probe_timeout);
                }
                connection->exec("SELECT 1");
                ok = true;
            } catch (const std::exception&) {
                connection.reset();
            }
            pool_.set_server_answers(ok);
            if (reachable_.exchange(ok) != ok) {
                if (ok) {
                    log::info("database", "PostgreSQL answers again");
                } else {
                    log::warn("database", "PostgreSQL cannot be reached");
                }
            }
            lock.lock();
            health_wake_.wait_for(lock, health_interval, [this] { return stopping_; });
        }
    }

    PgPool pool_;
    bool snapshots_order_commits_;
    std::function<void(std::size_t)> on_group_commit_;
    std::atomic<bool> reachable_{true};
    std::mutex health_mutex_;
    std::condition_variable health_wake_;
    bool stopping_ = false;
    std::thread health_thread_;
};

}  // namespace

std::unique_ptr<Engine> open_postgresql_engine(std::string_view url, const StorageOptions& options,
                                               int& schema_version, std::string& description) {
    const std::string location(url);
    description = "postgresql " + describe_postgresql_url(location);
    bool ordered = false;
    {
        auto connection = connect_waiting(location, options);
        const Migrator migrator(embedded_migrations(StorageEngine::postgresql), *options.clock);
        PgMigrationConnection migration(*connection);
        try {
            schema_version = options.read_only ? migrator.require_current(migration)
                                               : migrator.migrate(migration);
        } catch (const StorageError& e) {
            throw DatabaseOpenError("cannot prepare the database " + description + ": " + e.what());
        }
        ordered = snapshots_order_commits(connection->exec("SELECT version()").text(0, 0));
    }
    return std::make_unique<PgEngine>(location, options, ordered);
}

bool snapshots_order_commits(std::string_view server_version) {
    constexpr std::string_view product = "PostgreSQL ";
    if (!server_version.starts_with(product)) {
        return false;
    }
    // pg_current_snapshot() is PostgreSQL 13's; "-YB-" marks YugabyteDB.
    const auto number = server_version.substr(product.size());
    const auto major = number.substr(0, number.find_first_not_of("0123456789"));
    return !major.empty() && major.size() <= 4 && std::stoi(std::string(major)) >= 13 &&
           server_version.find("-YB-") == std::string_view::npos;
}

}  // namespace settings::detail
