// Revisions, conditional updates and the change history (revisions.md), on
// whichever engine SETTINGS_TEST_ENGINE names.

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include <settings/settings_store.hpp>

#include "support/test_database.hpp"

using settings::Actor;
using settings::Scope;
namespace fields = settings::fields;

namespace {

settings::PreferencesUpdate temperature(double value) {
    settings::PreferencesUpdate update;
    update.set(fields::ai_temperature, value);
    return update;
}

settings::UpdateOptions by(const Actor& actor, std::optional<settings::Revisions> expected = {}) {
    return {actor, expected};
}

const Actor octocat = Actor::user("42", "octocat");

settings::ProjectSettingsUpdate show_estimates(bool show) {
    settings::ProjectSettingsUpdate update;
    update.board_display_config = settings::BoardDisplayConfig{std::nullopt, std::nullopt, show};
    return update;
}

}  // namespace

TEST_CASE("revisions start at 1, move on only when a value changes, and are 0 without a row",
          "[revisions]") {
    test::TestDatabase db;
    settings::SettingsStore store(db.open());

    const auto before = store.effective_user_settings("42");
    CHECK(settings::revisions_of(before) == settings::Revisions{1, 0, std::nullopt});

    auto first = store.update_user_settings("42", temperature(1.1), by(octocat));
    REQUIRE(first.ok());
    CHECK(first.value().user_revision == 1);
    CHECK(store.update_user_settings("42", temperature(1.1), by(octocat)).value().user_revision ==
          1);
    CHECK(store.update_user_settings("42", temperature(1.2), by(octocat)).value().user_revision ==
          2);
    CHECK(store.effective_user_settings("42").user_revision == 2);

    settings::GlobalSettingsUpdate global;
    global.preferences.set(fields::display_theme, "dark");
    CHECK(store.update_global_settings(global).value().revision == 2);
    CHECK(store.update_global_settings(global).value().revision == 2);
    CHECK(store.effective_user_settings("42").global_revision == 2);

    auto project = store.effective_project_settings("42", "P1");
    CHECK(settings::revisions_of(project.value()) == settings::Revisions{2, 2, 0});
    CHECK(
        store.update_project_settings("42", "P1", show_estimates(true)).value().project_revision ==
        1);
    CHECK(
        store.update_project_settings("42", "P1", show_estimates(false)).value().project_revision ==
        2);
}

TEST_CASE("an update expecting other revisions is a conflict and writes nothing",
          "[revisions][conflict]") {
    test::TestDatabase db;
    settings::SettingsStore store(db.open());
    REQUIRE(store.update_user_settings("42", temperature(1.1)).ok());
    const auto seen = settings::revisions_of(store.effective_user_settings("42"));  // g1-u1
    REQUIRE(store.update_user_settings("42", temperature(1.3)).ok());               // u2

    const auto stale = store.update_user_settings("42", temperature(0.2), by(octocat, seen));
    CHECK_FALSE(stale.ok());
    REQUIRE(stale.conflicted());
    CHECK(stale.value().user_revision == 2);
    CHECK(stale.value().values.get(fields::ai_temperature) == 1.3);
    CHECK(store.effective_user_settings("42").values.get(fields::ai_temperature) == 1.3);

    const auto current = settings::revisions_of(store.effective_user_settings("42"));
    const auto fresh = store.update_user_settings("42", temperature(0.2), by(octocat, current));
    REQUIRE(fresh.ok());
    CHECK(fresh.value().user_revision == 3);

    SECTION("a global change is a conflict for the user view too") {
        settings::GlobalSettingsUpdate global;
        global.preferences.set(fields::display_theme, "dark");
        REQUIRE(store.update_global_settings(global).ok());
        const auto outcome = store.update_user_settings(
            "42", temperature(0.5), by(octocat, settings::revisions_of(fresh.value())));
        CHECK(outcome.conflicted());
        CHECK(outcome.value().global_revision == 2);
    }
    SECTION("global and project views") {
        settings::GlobalSettingsUpdate global;
        global.preferences.set(fields::display_theme, "dark");
        CHECK(store.update_global_settings(global, by(octocat, settings::Revisions{7, {}, {}}))
                  .conflicted());
        CHECK(store.global_settings().preferences.get(fields::display_theme) == "light");
        const auto project = store.update_project_settings(
            "42", "P1", show_estimates(true), by(octocat, settings::Revisions{1, 3, 1}));
        REQUIRE(project.conflicted());
        CHECK(project.value().project_revision == 0);
        CHECK(store.projects("42").empty());
    }
    SECTION("a conflict comes before validation of values the store checks itself") {
        settings::PreferencesUpdate update;
        update.set(fields::ai_model, "not-allowed-anywhere");
        settings::GlobalSettingsUpdate allow;
        allow.allowed_models = std::vector<std::string>{"gpt-4o"};
        REQUIRE(store.update_global_settings(allow).ok());
        CHECK(store.update_user_settings("42", update, by(octocat, seen)).conflicted());
    }
}

TEST_CASE("every change appends one history entry per field, with actor and revision",
          "[history]") {
    test::TestDatabase db;
    settings::ManualClock clock(std::chrono::sys_days(std::chrono::year{2026} / 11 / 27));
    settings::SettingsStore store(db.open(), {.clock = &clock});

    settings::PreferencesUpdate two;
    two.set(fields::ai_temperature, 1.1).set(fields::display_theme, "dark");
    REQUIRE(store.update_user_settings("42", two, by(octocat)).ok());
    clock.advance(std::chrono::seconds(1));
    settings::PreferencesUpdate reset;
    reset.reset(fields::display_theme);
    REQUIRE(store.update_user_settings("42", reset, by(octocat)).ok());
    REQUIRE(store.update_user_settings("42", reset, by(octocat)).ok());  // changes nothing
    REQUIRE(store
                .update_project_settings("42", "P1", show_estimates(true),
                                         by(Actor::named_tool("settingsctl")))
                .ok());
    settings::GlobalSettingsUpdate global;
    global.allowed_models = std::vector<std::string>{"gpt-4o", "o1"};
    REQUIRE(store.update_global_settings(global, by(Actor::user("1", "admin"))).ok());
    // Another user's change, which user 42 must never see.
    REQUIRE(store.update_user_settings("7", temperature(0.1), by(Actor::user("7", "x"))).ok());

    const auto page = store.history({.user_id = "42"});
    REQUIRE(page.ok());
    const auto& entries = page.value().entries;
    REQUIRE(entries.size() == 5);
    CHECK_FALSE(page.value().next_before);
    for (std::size_t i = 1; i < entries.size(); ++i) {
        CHECK(entries[i - 1].id > entries[i].id);  // newest first
    }
    CHECK(entries[0].scope == Scope::global);
    CHECK(entries[0].field == "allowed_models");
    CHECK(entries[0].old_value == "[]");
    CHECK(entries[0].new_value == R"(["gpt-4o","o1"])");
    CHECK(entries[0].actor == Actor::user("1", "admin"));
    CHECK(entries[0].revision == 2);
    CHECK(entries[1].scope == Scope::project);
    CHECK(entries[1].project_id == "P1");
    CHECK(entries[1].field == "board_display_config");
    CHECK_FALSE(entries[1].old_value);
    CHECK(entries[1].actor == Actor::named_tool("settingsctl"));
    CHECK(entries[2].field == "display.theme");
    CHECK(entries[2].old_value == R"("dark")");
    CHECK_FALSE(entries[2].new_value);
    CHECK(entries[2].revision == 2);
    CHECK(entries[2].at == "2026-11-27T00:00:01.000Z");
    // One write, two fields: the same revision and time, in field-table order.
    CHECK(entries[3].revision == 1);
    CHECK(entries[4].revision == 1);
    CHECK(entries[3].id == entries[4].id + 1);
    CHECK(entries[4].field == "ai.temperature");
    CHECK(entries[4].new_value == "1.1");
    CHECK(entries[4].actor == octocat);

    SECTION("filtered by scope and project, and paged") {
        CHECK(store.history({.user_id = "42", .scope = Scope::user}).value().entries.size() == 3);
        CHECK(store.history({.user_id = "42", .scope = Scope::global}).value().entries.size() == 1);
        const auto project =
            store.history({.user_id = "42", .scope = Scope::project, .project_id = "P1"});
        CHECK(project.value().entries.size() == 1);
        CHECK(store.history({.user_id = "42", .scope = Scope::project, .project_id = "P2"})
                  .value()
                  .entries.empty());
        const auto first = store.history({.user_id = "42", .limit = 2}).value();
        REQUIRE(first.entries.size() == 2);
        REQUIRE(first.next_before == first.entries.back().id);
        const auto second =
            store.history({.user_id = "42", .limit = 2, .before = first.next_before}).value();
        CHECK(second.entries.front().id < first.entries.back().id);
        const auto third =
            store.history({.user_id = "42", .limit = 2, .before = second.next_before}).value();
        CHECK(third.entries.size() == 1);
        CHECK_FALSE(third.next_before);
    }
    SECTION("bad queries name the parameter") {
        CHECK(store.history({.user_id = "42", .limit = 0}).errors().front().field == "limit");
        CHECK(store.history({.user_id = "42", .limit = 201}).errors().front().field == "limit");
        CHECK(store.history({.user_id = "42", .project_id = "P1"}).errors().front().field ==
              "project_id");
    }
    SECTION("a conflict or a refused update records nothing") {
        const auto before = store.history({.user_id = "42"}).value().entries.size();
        CHECK(store
                  .update_user_settings("42", temperature(0.3),
                                        by(octocat, settings::Revisions{9, 9, std::nullopt}))
                  .conflicted());
        CHECK_FALSE(store.update_user_settings("42", temperature(7.0), by(octocat)).ok());
        CHECK(store.history({.user_id = "42"}).value().entries.size() == before);
    }
    SECTION("the change feed lists every user's changes in id order") {
        const auto all = store.changes_after(0, 100);
        CHECK_FALSE(all.reset);
        REQUIRE(all.entries.size() == 6);
        CHECK(all.last_id == all.entries.back().id);
        CHECK(all.entries.back().user_id == "7");
        CHECK(store.changes_after(all.last_id, 100).entries.empty());
        CHECK(store.changes_after(all.entries[3].id, 100).entries.size() == 2);
    }
    SECTION("retention purges old entries; a feed reader past them must reset") {
        clock.advance(std::chrono::hours(24));
        REQUIRE(store.update_user_settings("42", temperature(0.9), by(octocat)).ok());
        const auto cutoff = clock.now() - std::chrono::hours(1);
        CHECK(store.purge_history(cutoff, 2) == 6);
        const auto left = store.history({.user_id = "42"}).value().entries;
        REQUIRE(left.size() == 1);
        CHECK(left[0].new_value == "0.9");
        CHECK(store.changes_after(0, 100).reset);
        CHECK_FALSE(store.changes_after(left[0].id - 1, 100).reset);
        CHECK(store.changes_after(left[0].id - 1, 100).entries.size() == 1);
    }
    SECTION("an entry written by a clock that ran ahead may hold back the purge of later ones") {
        const auto start = clock.now();
        clock.advance(std::chrono::hours(48));
        REQUIRE(store.update_user_settings("42", temperature(0.9), by(octocat)).ok());
        clock.set(start + std::chrono::hours(1));
        for (const double t : {1.0, 1.1, 1.2}) {
            REQUIRE(store.update_user_settings("42", temperature(t), by(octocat)).ok());
        }
        // Batches of the oldest two by id: the entry from "48 h" and the one after
        // it make a batch of which one is due; the two after them wait.
        CHECK(store.purge_history(start + std::chrono::hours(24), 2) == 7);
        const auto left = store.history({.user_id = "42"}).value().entries;  // newest first
        REQUIRE(left.size() == 3);
        CHECK(left[0].new_value == "1.2");
        CHECK(left[1].new_value == "1.1");
        CHECK(left[2].new_value == "0.9");
        CHECK(store.purge_history(start + std::chrono::hours(72), 2) == 3);
        CHECK(store.changes_after(0, 100).entries.empty());
    }
}

TEST_CASE("history ids follow commit order under concurrent writers", "[history][concurrency]") {
    test::TestDatabase db;
    settings::SettingsStore a(db.open());
    settings::SettingsStore b(db.open());  // a second process in all but name
    std::vector<std::thread> writers;
    for (int w = 0; w < 4; ++w) {
        writers.emplace_back([&, w] {
            auto& store = w % 2 == 0 ? a : b;
            std::string user = "u";
            user.append(std::to_string(w));
            for (int i = 0; i < 25; ++i) {
                REQUIRE(store.update_user_settings(user, temperature(0.01 * (i + 1))).ok());
            }
        });
    }
    for (auto& t : writers) {
        t.join();
    }
    const auto all = a.changes_after(0, 1000);
    REQUIRE(all.entries.size() == 100);
    for (std::size_t i = 0; i < all.entries.size(); ++i) {
        CHECK(all.entries[i].id == static_cast<std::int64_t>(i) + 1);
    }
}

TEST_CASE("import records its changes under its actor", "[history][import]") {
    test::TestDatabase db;
    settings::SettingsStore store(db.open());
    auto snapshot = store.export_snapshot();
    snapshot.users.push_back({"42", {}, ""});
    snapshot.users.back().overrides[settings::Field::ai_temperature] = 1.5;
    REQUIRE(store.import_snapshot(snapshot, Actor::named_tool("settingsctl")).ok());
    const auto entries = store.history({.user_id = "42"}).value().entries;
    REQUIRE(entries.size() == 1);
    CHECK(entries[0].actor == Actor::named_tool("settingsctl"));
    CHECK(entries[0].field == "ai.temperature");
    CHECK(entries[0].revision == 1);
    // The same import again changes nothing, so records nothing.
    REQUIRE(store.import_snapshot(snapshot, Actor::named_tool("settingsctl")).ok());
    CHECK(store.history({.user_id = "42"}).value().entries.size() == 1);
    CHECK(store.global_settings().revision == 1);
}

TEST_CASE("the first-start seed is recorded as the seed's, once", "[history][seed]") {
    test::TestDatabase db;
    settings::PreferencesUpdate seed;
    seed.set(fields::ai_model, "o1").set(fields::workflow_default_repository, "octo/repo");
    {
        settings::SettingsStore store(db.open(), {.seed = seed});
        REQUIRE(store.seeded_global_settings());
        const auto entries = store.history({.scope = Scope::global}).value().entries;
        REQUIRE(entries.size() == 2);
        for (const auto& entry : entries) {
            CHECK(entry.actor == Actor::named_tool("seed"));
            CHECK(entry.scope == Scope::global);
            CHECK_FALSE(entry.old_value.has_value());
            CHECK(entry.revision == 1);
        }
        // Newest first: the fields in the order of the field table.
        CHECK(entries[1].field == "ai.model");
        CHECK(entries[1].new_value == "\"o1\"");
        CHECK(entries[0].field == "workflow.default_repository");
        CHECK(entries[0].new_value == "\"octo/repo\"");
        CHECK(store.global_settings().revision == 1);
    }
    // Later starts seed nothing, so record nothing, whatever their seed says.
    seed.set(fields::ai_model, "gpt-4o-mini");
    settings::SettingsStore again(db.open(), {.seed = seed});
    CHECK_FALSE(again.seeded_global_settings());
    CHECK(again.history({.scope = Scope::global}).value().entries.size() == 2);
    CHECK(again.last_history_id() == 2);
}
