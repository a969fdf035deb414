// Library micro-benchmarks next to the raw SQLite operations they are built on,
// measured in the same run on the same file:
//   effective user/project read  vs  one prepared point SELECT
//   single-field update          vs  one durable single-row commit
//   32 writers' updates, history recorded  vs  the same, recording none

#include <benchmark/benchmark.h>
#include <filesystem>
#include <memory>
#include <string>
#include <unistd.h>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <session/session_store.hpp>
#include <settings/settings_store.hpp>
#include <settings/storage.hpp>

namespace {

constexpr int users = 1000;

struct Fixture {
    std::filesystem::path dir;
    std::shared_ptr<settings::Storage> storage;
    std::unique_ptr<settings::SettingsStore> store;
    std::unique_ptr<settings::SettingsStore> store_without_history;
    std::unique_ptr<session::SessionStore> sessions;
    std::string cookie;

    Fixture() {
        dir = std::filesystem::temp_directory_path() / ("micro-bench-" + std::to_string(getpid()));
        std::filesystem::create_directories(dir);
        storage = settings::Storage::open("sqlite:" + (dir / "bench.db").string());
        sessions = std::make_unique<session::SessionStore>(storage);
        store = std::make_unique<settings::SettingsStore>(storage);
        store_without_history = std::make_unique<settings::SettingsStore>(
            storage, settings::SettingsStoreOptions{.record_history = false});
        for (int i = 0; i < users; ++i) {
            settings::PreferencesUpdate update;
            update[settings::Field::display_theme] = std::string(i % 2 ? "dark" : "light");
            update[settings::Field::ai_temperature] = (i % 20) / 10.0;
            (void)store->update_user_settings("user-" + std::to_string(i), update);
            settings::ProjectSettingsUpdate project;
            project.board_display_config = settings::BoardDisplayConfig{
                std::vector<std::string>{"Backlog", "Ready", "Done"}, std::nullopt, true};
            (void)store->update_project_settings("user-" + std::to_string(i), "PVT_1", project);
        }
        cookie = sessions->create({"user-42", "octocat", std::nullopt}, {"token", {}, {}}).cookie;
    }
    ~Fixture() {
        sessions.reset();
        store_without_history.reset();
        store.reset();
        storage.reset();
        std::error_code ignored;
        std::filesystem::remove_all(dir, ignored);
    }
};

Fixture& fixture() {
    static Fixture f;
    return f;
}

void BM_EffectiveUserSettings(benchmark::State& state) {
    auto& f = fixture();
    int i = 0;
    for (auto _ : state) {
        benchmark::DoNotOptimize(f.store->effective_user_settings("user-" + std::to_string(i)));
        i = (i + 1) % users;
    }
}

void BM_EffectiveProjectSettings(benchmark::State& state) {
    auto& f = fixture();
    int i = 0;
    for (auto _ : state) {
        benchmark::DoNotOptimize(
            f.store->effective_project_settings("user-" + std::to_string(i), "PVT_1"));
        i = (i + 1) % users;
    }
}

void BM_SessionFind(benchmark::State& state) {
    auto& f = fixture();
    for (auto _ : state) {
        benchmark::DoNotOptimize(f.sessions->find(f.cookie));
    }
}

void BM_UpdateOneField(benchmark::State& state) {
    auto& f = fixture();
    std::int64_t i = 0;
    for (auto _ : state) {
        settings::PreferencesUpdate update;
        update[settings::Field::workflow_copilot_polling_interval] = ++i % 86400;
        benchmark::DoNotOptimize(f.store->update_user_settings("user-7", update));
    }
}

// Many writers at once, as the service's PUTs: their updates share group commits.
template <bool RecordHistory>
void BM_ConcurrentUpdates(benchmark::State& state) {
    auto& f = fixture();
    auto& store = RecordHistory ? *f.store : *f.store_without_history;
    const auto user = "user-" + std::to_string(state.thread_index());
    std::int64_t i = 0;
    for (auto _ : state) {
        settings::PreferencesUpdate update;
        update[settings::Field::workflow_copilot_polling_interval] = ++i % 86400;
        benchmark::DoNotOptimize(store.update_user_settings(user, update));
    }
}

// The reference for reads: one prepared point SELECT of a user's row.
// What the read cache pays per request to know that nothing was committed.
void BM_DatabaseChangesVersion(benchmark::State& state) {
    auto& storage = *fixture().storage;
    for (auto _ : state) {
        benchmark::DoNotOptimize(storage.change_version());
    }
}

void BM_RawPreparedSelect(benchmark::State& state) {
    auto& f = fixture();
    SQLite::Database db((f.dir / "bench.db").string(), SQLite::OPEN_READONLY);
    SQLite::Statement select(db, "SELECT * FROM user_preferences WHERE github_user_id = ?");
    int i = 0;
    for (auto _ : state) {
        select.bind(1, "user-" + std::to_string(i));
        benchmark::DoNotOptimize(select.executeStep());
        benchmark::DoNotOptimize(select.getColumn(1).getText());
        select.reset();
        i = (i + 1) % users;
    }
}

// The reference for writes: one durable commit of one row, same pragmas.
void BM_RawDurableCommit(benchmark::State& state) {
    auto& f = fixture();
    SQLite::Database db((f.dir / "bench.db").string(), SQLite::OPEN_READWRITE);
    db.exec("PRAGMA synchronous = FULL");
    db.setBusyTimeout(5000);
    SQLite::Statement begin(db, "BEGIN IMMEDIATE");
    SQLite::Statement update(db,
                             "UPDATE user_preferences SET copilot_polling_interval = ? "
                             "WHERE github_user_id = 'user-8'");
    SQLite::Statement commit(db, "COMMIT");
    std::int64_t i = 0;
    for (auto _ : state) {
        begin.exec();
        begin.reset();
        update.bind(1, static_cast<int64_t>(++i % 86400));
        update.exec();
        update.reset();
        commit.exec();
        commit.reset();
    }
}

}  // namespace

BENCHMARK(BM_EffectiveUserSettings);
BENCHMARK(BM_EffectiveProjectSettings);
BENCHMARK(BM_SessionFind);
BENCHMARK(BM_UpdateOneField);
BENCHMARK_TEMPLATE(BM_ConcurrentUpdates, true)->Threads(32)->UseRealTime();
BENCHMARK_TEMPLATE(BM_ConcurrentUpdates, false)->Threads(32)->UseRealTime();
BENCHMARK(BM_RawPreparedSelect);
BENCHMARK(BM_DatabaseChangesVersion)->Threads(1)->Threads(2);
BENCHMARK(BM_RawDurableCommit);
BENCHMARK_MAIN();
