// Compares the store's merge with a straightforward reference over many random
// sequences of partial updates to the global, user and project layers.

#include <map>
#include <random>

#include <catch2/catch.hpp>

#include <settings/settings_store.hpp>

#include "support/test_database.hpp"

using settings::Field;
using settings::FieldValue;
using settings::Patch;
using settings::Preferences;

namespace {

FieldValue random_value(const settings::FieldDescriptor& d, std::mt19937& rng) {
    const auto pick = [&](int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng); };
    switch (d.kind) {
        case settings::FieldKind::choice:
            return std::string(
                d.choices[static_cast<std::size_t>(pick(static_cast<int>(d.choices.size())))]);
        case settings::FieldKind::text:
            return "model-" + std::to_string(pick(5));
        case settings::FieldKind::real:
            return pick(201) / 100.0;
        case settings::FieldKind::integer:
            return std::int64_t{pick(86401)};
        case settings::FieldKind::boolean:
            return pick(2) == 1;
        case settings::FieldKind::repository:
            return "owner" + std::to_string(pick(3)) + "/repo" + std::to_string(pick(3));
        case settings::FieldKind::login:
            return pick(3) == 0 ? std::string() : "user" + std::to_string(pick(3));
    }
    return false;
}

// A random partial update: each field absent, reset or set.
settings::PreferencesUpdate random_update(std::mt19937& rng, bool global) {
    settings::PreferencesUpdate update;
    for (const auto& d : settings::field_table) {
        const int roll = std::uniform_int_distribution<int>(0, 9)(rng);
        const bool may_reset = !global || d.nullable_in_global;
        if (roll < 5) {
            continue;
        }
        if (roll < 7 && may_reset) {
            update[d.field] = Patch<FieldValue>::reset();
        } else {
            update[d.field] = random_value(d, rng);
        }
    }
    return update;
}

}  // namespace

TEST_CASE("the store's merge matches a reference merge over random layers", "[store][merge]") {
    test::TestDatabase db;
    settings::SettingsStore store(db.open());
    std::mt19937 rng(20261126);

    Preferences global = store.global_settings().preferences;
    std::map<std::string, Preferences> users;
    std::map<std::pair<std::string, std::string>, std::optional<settings::BoardDisplayConfig>>
        boards;

    for (int step = 0; step < 400; ++step) {
        INFO("step " << step);
        // Appended, not "user" + string: GCC 12's -O3 -Wrestrict misreads that.
        const std::string user = std::string("user").append(std::to_string(rng() % 6));
        const std::string project = std::string("P").append(std::to_string(rng() % 3));
        switch (rng() % 3) {
            case 0: {
                settings::GlobalSettingsUpdate update{random_update(rng, true), std::nullopt};
                REQUIRE(store.update_global_settings(update).ok());
                global = update.preferences.applied_to(global);
                break;
            }
            case 1: {
                const auto update = random_update(rng, false);
                REQUIRE(store.update_user_settings(user, update).ok());
                users[user] = update.applied_to(users[user]);
                break;
            }
            default: {
                settings::ProjectSettingsUpdate update;
                if (rng() % 2 == 0) {
                    update.board_display_config = Patch<settings::BoardDisplayConfig>::reset();
                } else {
                    update.board_display_config = settings::BoardDisplayConfig{
                        std::vector<std::string>{"c" + std::to_string(step)}, std::nullopt,
                        rng() % 2 == 0};
                }
                REQUIRE(store.update_project_settings(user, project, update).ok());
                boards[{user, project}] =
                    update.board_display_config.applied_to(boards[{user, project}]);
                break;
            }
        }

        // Reference: each field from the user layer where set, else from global.
        const auto read = store.effective_project_settings(user, project);
        REQUIRE(read.ok());
        const auto& effective = read.value();
        const auto& overrides = users[user];
        for (const auto& d : settings::field_table) {
            INFO(d.path);
            const bool from_user = overrides[d.field].has_value();
            CHECK(effective.user.values[d.field] ==
                  (from_user ? overrides[d.field] : global[d.field]));
            CHECK(effective.user.source(d.field) ==
                  (from_user ? settings::Source::user : settings::Source::global));
        }
        CHECK(effective.project.board_display_config == boards[{user, project}]);
        CHECK(effective.board_display_config_source() ==
              (boards[{user, project}] ? settings::Source::project : settings::Source::global));
        CHECK(store.effective_user_settings(user) == effective.user);
    }
}
