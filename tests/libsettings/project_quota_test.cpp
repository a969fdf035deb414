#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include <settings/settings_store.hpp>

#include "support/test_database.hpp"

namespace {

// "P3", "H2_7": appended, not `"P" + std::to_string(i)`, which trips GCC 12's
// -Wrestrict false positive in Release builds.
std::string project_id(std::string prefix, int i) {
    prefix.append(std::to_string(i));
    return prefix;
}

settings::ProjectSettingsUpdate show_estimates() {
    settings::ProjectSettingsUpdate update;
    update.board_display_config = settings::BoardDisplayConfig{std::nullopt, std::nullopt, true};
    return update;
}

settings::SettingsStoreOptions with_limit(std::size_t limit) {
    settings::SettingsStoreOptions options;
    options.max_projects_per_user = limit;
    return options;
}

settings::SettingsStore open_store(const test::TestDatabase& db, std::size_t limit) {
    return settings::SettingsStore(db.open(), with_limit(limit));
}

}  // namespace

TEST_CASE("a user's project rows stop at max_projects_per_user", "[store][quota]") {
    test::TestDatabase db;
    auto store = open_store(db, 3);
    for (const auto* id : {"P1", "P2", "P3"}) {
        REQUIRE(store.update_project_settings("u1", id, show_estimates()).ok());
    }

    const auto refused = store.update_project_settings("u1", "P4", show_estimates());

    REQUIRE_FALSE(refused.ok());
    REQUIRE(refused.errors().size() == 1);
    CHECK(refused.errors()[0].field == "project_id");
    CHECK_THAT(refused.errors()[0].message, Catch::Contains("at most 3 projects"));
    CHECK(db.count("SELECT count(*) FROM project_settings WHERE github_user_id = 'u1'") == 3);
    // Existing rows still change; other users have their own quota.
    settings::ProjectSettingsUpdate hide;
    hide.board_display_config = settings::BoardDisplayConfig{std::nullopt, std::nullopt, false};
    CHECK(store.update_project_settings("u1", "P2", hide).ok());
    CHECK(store.update_project_settings("u2", "P4", show_estimates()).ok());
    // A PUT that would write nothing creates no row, so it is no "one more".
    CHECK(store.update_project_settings("u1", "P5", {}).ok());
}

TEST_CASE("0 means no project quota", "[store][quota]") {
    test::TestDatabase db;
    auto store = open_store(db, 0);
    for (int i = 0; i < 5; ++i) {
        CHECK(store.update_project_settings("u1", project_id("P", i), show_estimates()).ok());
    }
    CHECK(db.count("SELECT count(*) FROM project_settings") == 5);
}

TEST_CASE("racing writers of several processes never pass the project quota",
          "[store][quota][scale-out]") {
    test::TestDatabase db;
    constexpr std::size_t limit = 5;
    constexpr int hosts = 6;
    constexpr int per_host = 8;
    // Each store on its own storage handle: connections of their own, as hosts have.
    std::vector<std::unique_ptr<settings::SettingsStore>> stores;
    for (int h = 0; h < hosts; ++h) {
        stores.push_back(std::make_unique<settings::SettingsStore>(db.open(), with_limit(limit)));
    }
    std::atomic<int> accepted{0};
    std::atomic<int> refused{0};
    std::vector<std::thread> threads;
    for (int h = 0; h < hosts; ++h) {
        threads.emplace_back([&, h] {
            for (int i = 0; i < per_host; ++i) {
                const auto id = project_id(project_id("H", h).append("_"), i);
                if (stores[static_cast<std::size_t>(h)]
                        ->update_project_settings("racer", id, show_estimates())
                        .ok()) {
                    ++accepted;
                } else {
                    ++refused;
                }
            }
        });
    }
    for (auto& t : threads) {
        t.join();
    }
    CHECK(accepted.load() == static_cast<int>(limit));
    CHECK(refused.load() == hosts * per_host - static_cast<int>(limit));
    CHECK(db.count("SELECT count(*) FROM project_settings WHERE github_user_id = 'racer'") ==
          static_cast<std::int64_t>(limit));
}
