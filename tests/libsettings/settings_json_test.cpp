#include <string>
#include <vector>

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

#include <settings/json_text.hpp>
#include <settings/settings_json.hpp>

using settings::Field;
using settings::FieldValue;

namespace {

boost::json::value json(const std::string& text) {
    return boost::json::parse(text);
}

std::vector<std::string> fields_of(const settings::FieldErrors& errors) {
    std::vector<std::string> out;
    for (const auto& e : errors) {
        out.push_back(e.field);
    }
    return out;
}

template <typename T>
std::vector<std::string> error_fields(const settings::Outcome<T>& outcome) {
    REQUIRE_FALSE(outcome.ok());
    return fields_of(outcome.errors());
}

settings::GlobalSettings defaults() {
    settings::GlobalSettings g;
    auto& p = g.preferences;
    p[Field::ai_provider] = std::string("copilot");
    p[Field::ai_model] = std::string("gpt-4o");
    p[Field::ai_temperature] = 0.7;
    p[Field::display_theme] = std::string("light");
    p[Field::display_default_view] = std::string("chat");
    p[Field::display_sidebar_collapsed] = false;
    p[Field::workflow_default_assignee] = std::string("");
    p[Field::workflow_copilot_polling_interval] = std::int64_t{60};
    p[Field::notifications_task_status_change] = true;
    p[Field::notifications_agent_completion] = true;
    p[Field::notifications_new_recommendation] = true;
    p[Field::notifications_chat_mention] = true;
    return g;
}

}  // namespace

TEST_CASE("a user update reads absent, null and values", "[json][SET-2]") {
    const auto outcome = settings::parse_user_update(
        json(R"({"ai": {"model": "o1", "temperature": 1, "provider": null},
                 "workflow": {"copilot_polling_interval": 30}})"));
    REQUIRE(outcome.ok());
    const auto& update = outcome.value();
    CHECK(update[Field::ai_model].value() == FieldValue(std::string("o1")));
    CHECK(update[Field::ai_temperature].value() == FieldValue(1.0));
    CHECK(update[Field::ai_provider].is_reset());
    CHECK(update[Field::workflow_copilot_polling_interval].value() == FieldValue(std::int64_t{30}));
    CHECK(update[Field::display_theme].is_absent());
}

TEST_CASE("a section set to null resets its fields for a user", "[json][SET-2]") {
    const auto outcome = settings::parse_user_update(json(R"({"notifications": null})"));
    REQUIRE(outcome.ok());
    CHECK(outcome.value()[Field::notifications_chat_mention].is_reset());
    CHECK(outcome.value()[Field::notifications_task_status_change].is_reset());
    CHECK(outcome.value()[Field::ai_model].is_absent());
}

TEST_CASE("a user update reports every bad field at its path", "[json][SET-3]") {
    const auto outcome = settings::parse_user_update(json(R"({
        "ai": {"temperature": 3, "foo": 1, "provider": "gpt"},
        "display": {"sidebar_collapsed": "true", "theme": 1},
        "workflow": {"copilot_polling_interval": 30.0, "default_repository": ""},
        "notifications": {"chat_mention": 1},
        "extra": {}
    })"));
    const auto fields = error_fields(outcome);
    for (const auto* expected :
         {"ai.temperature", "ai.foo", "ai.provider", "display.sidebar_collapsed", "display.theme",
          "workflow.copilot_polling_interval", "workflow.default_repository",
          "notifications.chat_mention", "extra"}) {
        INFO(expected);
        CHECK(std::count(fields.begin(), fields.end(), expected) == 1);
    }
    CHECK(fields.size() == 9);
}

TEST_CASE("sections must be objects and bodies must be objects", "[json][SET-3]") {
    CHECK(error_fields(settings::parse_user_update(json(R"({"ai": []})"))) ==
          std::vector<std::string>{"ai"});
    CHECK(error_fields(settings::parse_user_update(json("[]"))) == std::vector<std::string>{""});
    CHECK(error_fields(settings::parse_global_update(json(R"({"ai": null})"))) ==
          std::vector<std::string>{"ai"});
    CHECK(error_fields(settings::parse_project_update(json("42"))) == std::vector<std::string>{""});
}

TEST_CASE("a global update refuses nulls except the default repository", "[json][SET-3]") {
    CHECK(
        settings::parse_global_update(json(R"({"workflow": {"default_repository": null}})")).ok());
    CHECK(error_fields(settings::parse_global_update(
              json(R"({"ai": {"model": null}, "allowed_models": null})"))) ==
          std::vector<std::string>{"allowed_models", "ai.model"});
}

TEST_CASE("a global update reads allowed_models", "[json]") {
    const auto outcome =
        settings::parse_global_update(json(R"({"allowed_models": ["gpt-4o", "o1"]})"));
    REQUIRE(outcome.ok());
    CHECK(outcome.value().allowed_models == std::vector<std::string>{"gpt-4o", "o1"});
    CHECK(error_fields(settings::parse_global_update(json(R"({"allowed_models": ["a", 1]})"))) ==
          std::vector<std::string>{"allowed_models[1]"});
}

TEST_CASE("a project update reads both documents and reports paths inside them", "[json][SET-3]") {
    const auto ok = settings::parse_project_update(json(R"({
        "board_display_config": {"column_order": ["Backlog", "Done"], "show_estimates": true},
        "agent_pipeline_mappings": {"Backlog": [{"slug": "speckit.specify",
                                                 "display_name": "Spec Kit - Specify"}],
                                    "Ready": [{"slug": "speckit.plan", "display_name": null}]}
    })"));
    REQUIRE(ok.ok());
    const auto& board = ok.value().board_display_config.value();
    CHECK(board.column_order == std::vector<std::string>{"Backlog", "Done"});
    CHECK_FALSE(board.collapsed_columns);
    CHECK(board.show_estimates == true);
    const auto& mappings = ok.value().agent_pipeline_mappings.value();
    REQUIRE(mappings.size() == 2);
    CHECK(mappings[0].first == "Backlog");
    CHECK(mappings[0].second[0].display_name == "Spec Kit - Specify");
    CHECK_FALSE(mappings[1].second[0].display_name);
    CHECK(mappings[1].second[0].display_name_null);
    CHECK_FALSE(mappings[0].second[0].display_name_null);

    const auto bad = settings::parse_project_update(json(R"({
        "board_display_config": {"column_order": [1, ""], "colour": "red", "show_estimates": 1},
        "agent_pipeline_mappings": {"Backlog": [{"display_name": "x"}, {"slug": "s", "x": 1}],
                                    "Done": {}},
        "other": null
    })"));
    const auto fields = error_fields(bad);
    for (const auto* expected :
         {"board_display_config.column_order[0]", "board_display_config.colour",
          "board_display_config.show_estimates", "agent_pipeline_mappings.Backlog[0].slug",
          "agent_pipeline_mappings.Backlog[1].x", "agent_pipeline_mappings.Done", "other"}) {
        INFO(expected);
        CHECK(std::count(fields.begin(), fields.end(), expected) == 1);
    }
}

TEST_CASE("null removes a project document", "[json][SET-2]") {
    const auto outcome = settings::parse_project_update(json(R"({"board_display_config": null})"));
    REQUIRE(outcome.ok());
    CHECK(outcome.value().board_display_config.is_reset());
    CHECK(outcome.value().agent_pipeline_mappings.is_absent());
}

TEST_CASE("effective user settings are written in the documented shape", "[json]") {
    settings::EffectiveUserSettings effective;
    effective.values = defaults().preferences;
    effective.values[Field::ai_temperature] = 1.25;
    effective.sources[settings::index_of(Field::ai_temperature)] = settings::Source::user;

    CHECK(settings::to_json_text(settings::to_json(effective)) ==
          R"({"ai":{"provider":"copilot","model":"gpt-4o","temperature":1.25},)"
          R"("display":{"theme":"light","default_view":"chat","sidebar_collapsed":false},)"
          R"("workflow":{"default_repository":null,"default_assignee":"",)"
          R"("copilot_polling_interval":60},)"
          R"("notifications":{"task_status_change":true,"agent_completion":true,)"
          R"("new_recommendation":true,"chat_mention":true},)"
          R"("sources":{"ai.provider":"global","ai.model":"global","ai.temperature":"user",)"
          R"("display.theme":"global","display.default_view":"global",)"
          R"("display.sidebar_collapsed":"global","workflow.default_repository":"global",)"
          R"("workflow.default_assignee":"global","workflow.copilot_polling_interval":"global",)"
          R"("notifications.task_status_change":"global",)"
          R"("notifications.agent_completion":"global",)"
          R"("notifications.new_recommendation":"global","notifications.chat_mention":"global"}})");
}

TEST_CASE("global settings carry allowed_models and no sources", "[json]") {
    auto global = defaults();
    global.allowed_models = {"gpt-4o"};
    const auto out = settings::to_json(global);
    CHECK(out.at("allowed_models") == boost::json::array{"gpt-4o"});
    CHECK_FALSE(out.contains("sources"));
    CHECK(out.at("ai").at("temperature") == 0.7);
}

TEST_CASE("effective project settings have project sources", "[json]") {
    settings::EffectiveProjectSettings effective;
    effective.user.values = defaults().preferences;
    effective.project_id = "PVT_1";
    effective.project.board_display_config = settings::BoardDisplayConfig{{}, {}, false};
    const auto out = settings::to_json(effective);

    CHECK(out.at("project") == json(R"({"project_id": "PVT_1",
        "board_display_config": {"show_estimates": false}, "agent_pipeline_mappings": null})"));
    CHECK(out.at("sources").at("project.board_display_config") == "project");
    CHECK(out.at("sources").at("project.agent_pipeline_mappings") == "global");
    CHECK_FALSE(out.at("sources").as_object().contains("project.project_id"));
}

TEST_CASE("JSON text uses short numbers and escapes control characters", "[json]") {
    CHECK(settings::to_json_text(json(R"([0.7, 1.5, 2, -3, 1e-7, true, null])")) ==
          "[0.7,1.5,2,-3,1e-07,true,null]");
    CHECK(settings::to_json_text(boost::json::value("a\"b\\c\n\x01\xC3\xA9")) ==
          "\"a\\\"b\\\\c\\n\\u0001\xC3\xA9\"");
    CHECK(settings::to_json_text(json(R"({"a": {"b": []}})")) == R"({"a":{"b":[]}})");
}
