// The typed accessors: a value of the wrong kind for a field does not compile.

#include <catch2/catch.hpp>

#include <settings/settings_store.hpp>

#include "support/test_database.hpp"

namespace {

namespace fields = settings::fields;

template <auto field, typename Value>
concept settable = requires(settings::PreferencesUpdate update, Value value) {
    update.set(field, value);
};

static_assert(settable<fields::ai_temperature, double>);
static_assert(!settable<fields::ai_temperature, int>);  // 1 for a real: write 1.0
static_assert(!settable<fields::ai_temperature, const char*>);
static_assert(settable<fields::display_theme, const char*>);
static_assert(settable<fields::display_theme, std::string>);
static_assert(!settable<fields::display_theme, int>);
static_assert(settable<fields::display_sidebar_collapsed, bool>);
static_assert(!settable<fields::display_sidebar_collapsed, int>);
static_assert(settable<fields::workflow_copilot_polling_interval, int>);
static_assert(settable<fields::workflow_copilot_polling_interval, std::int64_t>);
static_assert(!settable<fields::workflow_copilot_polling_interval, double>);
static_assert(!settable<fields::workflow_copilot_polling_interval, bool>);

static_assert(
    std::is_same_v<decltype(settings::Preferences{}.get(fields::ai_temperature)), const double&>);

}  // namespace

TEST_CASE("typed setters and getters round-trip through the store", "[store][typed]") {
    test::TestDatabase db;
    settings::SettingsStore store(db.open());

    settings::PreferencesUpdate update;
    update.set(fields::ai_temperature, 1.5)
        .set(fields::display_theme, "dark")
        .set(fields::workflow_copilot_polling_interval, 30)
        .set(fields::notifications_chat_mention, false)
        .reset(fields::ai_model);
    const auto outcome = store.update_user_settings("typed", update);
    REQUIRE(outcome.ok());

    const auto& values = store.effective_user_settings("typed").values;
    CHECK(values.get(fields::ai_temperature) == 1.5);
    CHECK(values.get(fields::display_theme) == "dark");
    CHECK(values.get(fields::workflow_copilot_polling_interval) == 30);
    CHECK_FALSE(values.get(fields::notifications_chat_mention));
    CHECK(values.get(fields::ai_model) == "gpt-4o");
}
