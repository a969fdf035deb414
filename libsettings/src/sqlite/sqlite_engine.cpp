#include "sqlite/sqlite_engine.hpp"

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include "sqlite/sqlite_admin_backend.hpp"
#include "sqlite/sqlite_changes.hpp"
#include "sqlite/sqlite_database.hpp"
#include "sqlite/sqlite_errors.hpp"
#include "sqlite/sqlite_session_backend.hpp"
#include "sqlite/sqlite_settings_backend.hpp"
#include "storage/embedded_migrations.hpp"

namespace settings::detail {

namespace {

// Often enough that a replaced file is found within a second.
constexpr auto watch_interval = std::chrono::milliseconds(200);

class SqliteEngine final : public Engine {
  public:
    SqliteEngine(SqliteDatabase database, std::function<void(std::size_t)> on_group_commit)
        : database_(std::move(database)),
          changes_(database_),
          on_group_commit_(std::move(on_group_commit)),
          watcher_([this] { watch_file(); }) {}

    ~SqliteEngine() override {
        {
            const std::scoped_lock lock(watch_mutex_);
            stopping_ = true;
        }
        watch_wake_.notify_all();
        watcher_.join();
    }
    SqliteEngine(const SqliteEngine&) = delete;
    SqliteEngine& operator=(const SqliteEngine&) = delete;

    std::unique_ptr<SettingsBackend> settings_backend() override {
        return make_sqlite_settings_backend(database_, on_group_commit_);
    }
    std::unique_ptr<SessionBackend> session_backend() override {
        return make_sqlite_session_backend(database_);
    }
    std::unique_ptr<AdminBackend> admin_backend() override {
        return make_sqlite_admin_backend(database_);
    }

    StorageState state() override { return database_.guard().state(); }

    std::vector<std::pair<std::string, std::int64_t>> row_counts() override {
        const std::scoped_lock lock(mutex_);
        return database_.run("counting rows", [&] {
            std::vector<std::pair<std::string, std::int64_t>> counts;
            counts.reserve(data_tables.size());
            for (const auto* table : data_tables) {
                // Table names come from the fixed list, never from input.
                counts.emplace_back(table,
                                    database_.connection()
                                        .execAndGet(std::string("SELECT count(*) FROM ") + table)
                                        .getInt64());
            }
            return counts;
        });
    }

    bool tracks_changes() const override { return true; }
    bool change_version_asks_server() const override { return false; }
    std::optional<std::int64_t> change_version() override { return changes_.version(); }

  private:
    // Looks at the file a few times a second, with or without traffic. A damaged
    // file is checked again whenever something was committed to it (a restore).
    // The data version is followed on every look, not only once the file is
    // corrupt: a restore may commit between the request that found the damage
    // and the next look, and a baseline taken then would never see it change.
    void watch_file() {
        std::optional<std::int64_t> last_version;  // at the previous look
        std::unique_lock lock(watch_mutex_);
        while (!stopping_) {
            lock.unlock();
            auto& guard = database_.guard();
            guard.poll();
            if (guard.state() != StorageState::replaced) {
                const auto version = data_version();
                if (guard.state() == StorageState::corrupt && version && version != last_version &&
                    sound()) {
                    guard.report_sound();
                }
                if (version) {
                    last_version = version;
                }
            }
            lock.lock();
            watch_wake_.wait_for(lock, watch_interval, [this] { return stopping_; });
        }
    }

    // The engine's own connection: the changes one refuses while the file is corrupt.
    std::optional<std::int64_t> data_version() {
        const std::scoped_lock lock(mutex_);
        try {
            return database_.connection().execAndGet("PRAGMA data_version").getInt64();
        } catch (const SQLite::Exception&) {
            return std::nullopt;
        }
    }

    bool sound() {
        const std::scoped_lock lock(mutex_);
        try {
            SQLite::Statement check(database_.connection(), "PRAGMA quick_check");
            return check.executeStep() && check.getColumn(0).getString() == "ok";
        } catch (const SQLite::Exception&) {
            return false;
        }
    }

    std::mutex mutex_;  // database_'s connection
    SqliteDatabase database_;
    SqliteChanges changes_;
    std::function<void(std::size_t)> on_group_commit_;
    std::mutex watch_mutex_;
    std::condition_variable watch_wake_;
    bool stopping_ = false;
    std::thread watcher_;
};

}  // namespace

std::unique_ptr<Engine> open_sqlite_engine(const std::filesystem::path& path,
                                           const StorageOptions& options, int& schema_version) {
    SqliteOptions sqlite;
    sqlite.busy_timeout = options.busy_timeout;
    sqlite.migrations = embedded_migrations(StorageEngine::sqlite);
    sqlite.clock = options.clock;
    sqlite.read_only = options.read_only;
    auto database = SqliteDatabase::open(path, sqlite);
    schema_version = database.schema_version();
    return std::make_unique<SqliteEngine>(std::move(database), options.on_group_commit);
}

}  // namespace settings::detail
