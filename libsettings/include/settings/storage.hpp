#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <settings/clock.hpp>

namespace settings {

namespace detail {
class Engine;
}

/// The storage engines a database can live in.
enum class StorageEngine {
    sqlite,      // one file, one host: the embedded default
    postgresql,  // one server database shared by any number of hosts
};

std::string_view to_string(StorageEngine engine);

/// What a database can take right now, as health reports it.
enum class StorageState {
    ok,
    unavailable,  // cannot be reached (PostgreSQL); may come back by itself
    replaced,     // the SQLite file was deleted or replaced under the process: needs a restart
    corrupt,      // damaged pages were found; comes back after a restore
};

/// `ok`, `unavailable`, `replaced`, `corrupt`.
std::string_view to_string(StorageState state);

struct StorageOptions {
    /// SQLite: how long a statement waits for another connection's lock before it
    /// fails. PostgreSQL: how long a statement may wait for a row lock.
    std::chrono::milliseconds busy_timeout{5000};
    /// PostgreSQL: connections this process keeps open (reads share them; writes
    /// have one more of their own).
    std::size_t pool_size = 4;
    /// PostgreSQL: how long `open` keeps retrying a server that cannot be reached.
    std::chrono::milliseconds connect_wait{0};
    /// Open without migrating or writing anything: a database that is not at the
    /// program's schema version is refused (DatabaseOpenError), and every write
    /// fails with StorageError.
    bool read_only = false;
    const Clock* clock = &SystemClock::instance();
    /// Hears the number of writes of every group commit (a program's metrics).
    /// Called on the writing thread: keep it cheap; it must not throw.
    std::function<void(std::size_t writes)> on_group_commit;
};

/// Connections of a PostgreSQL pool: leased to a statement right now, and the most
/// the pool opens.
struct PoolUsage {
    std::size_t in_use = 0;
    std::size_t size = 0;
};

/// An open, migrated settings database on one of the engines: the handle that
/// SettingsStore and session::SessionStore share. Thread-safe.
class Storage {
  public:
    /// Opens the database at `location`:
    /// - `sqlite:PATH` or a plain file path: SQLite, the file and its folder
    ///   created when missing;
    /// - `postgresql://…` or `postgres://…`: a libpq connection URI (libpq's PG*
    ///   variables and ~/.pgpass apply).
    /// Applies pending migrations (several processes starting together migrate
    /// once). Throws std::invalid_argument for a location of another scheme,
    /// DatabaseOpenError (cannot reach, open or use it), SchemaTooNewError or
    /// MigrationError; none of them leaves anything half-written.
    static std::shared_ptr<Storage> open(std::string_view location,
                                         const StorageOptions& options = {});

    ~Storage();
    Storage(const Storage&) = delete;
    Storage& operator=(const Storage&) = delete;

    [[nodiscard]] StorageEngine engine() const { return engine_; }
    /// The schema version after migration.
    [[nodiscard]] int schema_version() const { return schema_version_; }
    /// Engine and place, never a password: `sqlite ./data/settings.db`,
    /// `postgresql db.example.com:5432/settings`.
    [[nodiscard]] const std::string& description() const { return description_; }

    /// Whether the database answers right now: `state() == StorageState::ok`.
    [[nodiscard]] bool reachable();
    /// What the database can take right now, from what the engine last saw (a
    /// watcher looks at least once a second). Never throws, never waits. Every
    /// storage call fails with StorageUnavailableError while it is not `ok`.
    [[nodiscard]] StorageState state();

    /// How long a storage call waits for a lock held elsewhere (see WaitDeadline).
    [[nodiscard]] std::chrono::milliseconds busy_timeout() const { return busy_timeout_; }

    /// True when `change_version` sees every commit of every process (both engines).
    [[nodiscard]] bool tracks_changes() const;
    /// True when `change_version` asks the database server (PostgreSQL: one round
    /// trip), so that it belongs on a storage thread; false when it reads state of
    /// this host (SQLite: a counter in the file's shared memory), nanoseconds.
    [[nodiscard]] bool change_version_asks_server() const;
    /// A number that differs from every earlier answer once anything was committed
    /// in between, by any connection of any process; nothing when it cannot be read
    /// at once (then treat the database as changed) or the engine cannot tell.
    /// Never waits for a lock.
    [[nodiscard]] std::optional<std::int64_t> change_version();

    /// The connection pool's usage (PostgreSQL); nothing on SQLite. Never waits long.
    [[nodiscard]] std::optional<PoolUsage> pool_usage();

    /// The engine behind this handle, for the libraries' own use.
    [[nodiscard]] detail::Engine& internals() { return *engine_impl_; }

  private:
    Storage(std::unique_ptr<detail::Engine> engine, StorageEngine kind, int schema_version,
            std::string description, std::chrono::milliseconds busy_timeout);

    std::unique_ptr<detail::Engine> engine_impl_;
    StorageEngine engine_;
    int schema_version_;
    std::string description_;
    std::chrono::milliseconds busy_timeout_;
};

}  // namespace settings
