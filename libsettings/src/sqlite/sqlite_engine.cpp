#include "sqlite/sqlite_engine.hpp"

#include <mutex>

#include <SQLiteCpp/Database.h>

#include "sqlite/sqlite_changes.hpp"
#include "sqlite/sqlite_database.hpp"
#include "sqlite/sqlite_errors.hpp"
#include "sqlite/sqlite_session_backend.hpp"
#include "sqlite/sqlite_settings_backend.hpp"
#include "storage/embedded_migrations.hpp"

namespace settings::detail {

namespace {

class SqliteEngine final : public Engine {
  public:
    SqliteEngine(SqliteDatabase database, std::function<void(std::size_t)> on_group_commit)
        : database_(std::move(database)),
          changes_(database_),
          on_group_commit_(std::move(on_group_commit)) {}

    std::unique_ptr<SettingsBackend> settings_backend() override {
        return make_sqlite_settings_backend(database_, on_group_commit_);
    }
    std::unique_ptr<SessionBackend> session_backend() override {
        return make_sqlite_session_backend(database_);
    }

    // A local file has no outage: reads keep being served even from a file
    // deleted under the process, and writes refuse themselves (ensure_file_in_place).
    bool reachable() override { return true; }

    std::vector<std::pair<std::string, std::int64_t>> row_counts() override {
        const std::scoped_lock lock(mutex_);
        return with_storage_errors("counting rows", [&] {
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
    std::optional<std::int64_t> change_version() override { return changes_.version(); }

  private:
    std::mutex mutex_;  // database_'s connection, for row_counts
    SqliteDatabase database_;
    SqliteChanges changes_;
    std::function<void(std::size_t)> on_group_commit_;
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
