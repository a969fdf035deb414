#include <algorithm>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <settings/validation.hpp>

using settings::descriptor;
using settings::Field;
using settings::FieldValue;
using settings::is_valid_value;

namespace {

bool valid(Field field, const FieldValue& value) {
    return is_valid_value(descriptor(field), value);
}

std::string repeat(const std::string& unit, std::size_t times) {
    std::string out;
    for (std::size_t i = 0; i < times; ++i) {
        out += unit;
    }
    return out;
}

}  // namespace

TEST_CASE("ai.provider accepts exactly its two values", "[validation][SET-3]") {
    CHECK(valid(Field::ai_provider, std::string("copilot")));
    CHECK(valid(Field::ai_provider, std::string("azure_openai")));
    CHECK_FALSE(valid(Field::ai_provider, std::string("Copilot")));
    CHECK_FALSE(valid(Field::ai_provider, std::string("openai")));
    CHECK_FALSE(valid(Field::ai_provider, std::string("")));
    CHECK_FALSE(valid(Field::ai_provider, true));
}

TEST_CASE("ai.model is 1 to 200 code points", "[validation][SET-3]") {
    CHECK(valid(Field::ai_model, std::string("g")));
    CHECK(valid(Field::ai_model, repeat("m", 200)));
    CHECK(valid(Field::ai_model, repeat("\xC3\xA9", 200)));  // 200 × é is 400 bytes
    CHECK_FALSE(valid(Field::ai_model, repeat("m", 201)));
    CHECK_FALSE(valid(Field::ai_model, repeat("\xC3\xA9", 201)));
    CHECK_FALSE(valid(Field::ai_model, std::string("")));
    CHECK_FALSE(valid(Field::ai_model, std::string("bad \xC3")));
    CHECK_FALSE(valid(Field::ai_model, std::int64_t{4}));
}

TEST_CASE("ai.temperature is a finite number from 0 to 2", "[validation][SET-3]") {
    CHECK(valid(Field::ai_temperature, 0.0));
    CHECK(valid(Field::ai_temperature, 0.7));
    CHECK(valid(Field::ai_temperature, 2.0));
    CHECK_FALSE(valid(Field::ai_temperature, -0.001));
    CHECK_FALSE(valid(Field::ai_temperature, 2.001));
    CHECK_FALSE(valid(Field::ai_temperature, std::numeric_limits<double>::infinity()));
    CHECK_FALSE(valid(Field::ai_temperature, std::numeric_limits<double>::quiet_NaN()));
    CHECK_FALSE(valid(Field::ai_temperature, std::string("1")));
}

TEST_CASE("display fields accept their enums and booleans", "[validation][SET-3]") {
    CHECK(valid(Field::display_theme, std::string("dark")));
    CHECK(valid(Field::display_theme, std::string("light")));
    CHECK_FALSE(valid(Field::display_theme, std::string("blue")));
    for (const auto* view : {"chat", "board", "settings"}) {
        CHECK(valid(Field::display_default_view, std::string(view)));
    }
    CHECK_FALSE(valid(Field::display_default_view, std::string("home")));
    CHECK(valid(Field::display_sidebar_collapsed, true));
    CHECK_FALSE(valid(Field::display_sidebar_collapsed, std::int64_t{1}));
    CHECK_FALSE(valid(Field::display_sidebar_collapsed, std::string("true")));
}

TEST_CASE("workflow.copilot_polling_interval is an integer from 0 to 86400",
          "[validation][SET-3]") {
    CHECK(valid(Field::workflow_copilot_polling_interval, std::int64_t{0}));
    CHECK(valid(Field::workflow_copilot_polling_interval, std::int64_t{86400}));
    CHECK_FALSE(valid(Field::workflow_copilot_polling_interval, std::int64_t{-1}));
    CHECK_FALSE(valid(Field::workflow_copilot_polling_interval, std::int64_t{86401}));
    CHECK_FALSE(valid(Field::workflow_copilot_polling_interval, 30.0));
}

TEST_CASE("notification switches are booleans", "[validation][SET-3]") {
    for (auto field :
         {Field::notifications_task_status_change, Field::notifications_agent_completion,
          Field::notifications_new_recommendation, Field::notifications_chat_mention}) {
        CHECK(valid(field, false));
        CHECK_FALSE(valid(field, std::int64_t{0}));
    }
}

TEST_CASE("workflow.default_repository follows GitHub's owner/repo rules", "[validation][SET-3]") {
    using settings::is_repository_name;
    CHECK(is_repository_name("octo/hello-world"));
    CHECK(is_repository_name("a/b"));
    CHECK(is_repository_name("a-b/c.d_e-f"));
    CHECK(is_repository_name(repeat("o", 39) + "/" + repeat("r", 100)));
    CHECK(is_repository_name("o/.github"));
    CHECK_FALSE(is_repository_name(repeat("o", 40) + "/r"));
    CHECK_FALSE(is_repository_name("o/" + repeat("r", 101)));
    CHECK_FALSE(is_repository_name(""));
    CHECK_FALSE(is_repository_name("octo"));
    CHECK_FALSE(is_repository_name("octo/"));
    CHECK_FALSE(is_repository_name("/repo"));
    CHECK_FALSE(is_repository_name("a/b/c"));
    CHECK_FALSE(is_repository_name("-a/b"));
    CHECK_FALSE(is_repository_name("a-/b"));
    CHECK_FALSE(is_repository_name("a--b/c"));
    CHECK_FALSE(is_repository_name("a/."));
    CHECK_FALSE(is_repository_name("a/.."));
    CHECK_FALSE(is_repository_name("a/b c"));
    CHECK_FALSE(is_repository_name("\xC3\xA9/b"));
    CHECK_FALSE(valid(Field::workflow_default_repository, std::string("")));
}

TEST_CASE("workflow.default_assignee is a login or empty", "[validation][SET-3]") {
    CHECK(valid(Field::workflow_default_assignee, std::string("")));
    CHECK(valid(Field::workflow_default_assignee, std::string("octo-cat")));
    CHECK(valid(Field::workflow_default_assignee, repeat("a", 39)));
    CHECK_FALSE(valid(Field::workflow_default_assignee, repeat("a", 40)));
    CHECK_FALSE(valid(Field::workflow_default_assignee, std::string("octo cat")));
    CHECK_FALSE(valid(Field::workflow_default_assignee, std::string("-octo")));
    CHECK_FALSE(valid(Field::workflow_default_assignee, std::string("octo/cat")));
}

TEST_CASE("global updates may reset only workflow.default_repository", "[validation][SET-2]") {
    settings::PreferencesUpdate update;
    update[Field::workflow_default_repository] = settings::Patch<FieldValue>::reset();
    CHECK(validate(update, settings::Layer::global).empty());

    update[Field::ai_model] = settings::Patch<FieldValue>::reset();
    update[Field::display_theme] = settings::Patch<FieldValue>::reset();
    const auto errors = validate(update, settings::Layer::global);
    REQUIRE(errors.size() == 2);
    CHECK(errors[0].field == "ai.model");
    CHECK(errors[1].field == "display.theme");
    CHECK(validate(update, settings::Layer::user).empty());
}

TEST_CASE("allowed_models entries are non-empty, unique model names", "[validation][SET-3]") {
    settings::GlobalSettingsUpdate update;
    update.allowed_models = {"gpt-4o", "", "o1", "gpt-4o"};
    const auto errors = validate(update);
    REQUIRE(errors.size() == 2);
    CHECK(errors[0].field == "allowed_models[1]");
    CHECK(errors[1].field == "allowed_models[3]");
}

TEST_CASE("project documents need non-empty names and slugs", "[validation][SET-3]") {
    settings::ProjectSettingsUpdate update;
    update.board_display_config = settings::BoardDisplayConfig{
        std::vector<std::string>{"Backlog", ""}, std::vector<std::string>{""}, true};
    update.agent_pipeline_mappings =
        settings::AgentPipelineMappings{{"Ready", {{"speckit.plan", std::nullopt}, {"", "x"}}}};
    const auto errors = validate(update);
    REQUIRE(errors.size() == 3);
    CHECK(errors[0].field == "board_display_config.column_order[1]");
    CHECK(errors[1].field == "board_display_config.collapsed_columns[0]");
    CHECK(errors[2].field == "agent_pipeline_mappings.Ready[1].slug");
}

TEST_CASE("project ids are 1 to 128 characters of [A-Za-z0-9_-]", "[validation]") {
    CHECK_FALSE(settings::validate_project_id("PVT_kwDOABCD1234"));
    CHECK_FALSE(settings::validate_project_id(repeat("a", 128)));
    CHECK(settings::validate_project_id(repeat("a", 129)));
    CHECK(settings::validate_project_id(""));
    CHECK(settings::validate_project_id("a.b"));
    CHECK(settings::validate_project_id("a/b"));
    CHECK(settings::validate_project_id("a b")->field == "project_id");
}

TEST_CASE("UTF-8 length counts code points and rejects invalid text", "[validation]") {
    using settings::utf8_length;
    CHECK(utf8_length("") == 0u);
    CHECK(utf8_length("abc") == 3u);
    CHECK(utf8_length("\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80") == 3u);  // é € 😀
    CHECK_FALSE(utf8_length("\xC3"));
    CHECK_FALSE(utf8_length("\xE2\x82"));
    CHECK_FALSE(utf8_length("\xC0\xAF"));          // overlong
    CHECK_FALSE(utf8_length("\xED\xA0\x80"));      // surrogate
    CHECK_FALSE(utf8_length("\xF4\x90\x80\x80"));  // past U+10FFFF
    CHECK_FALSE(utf8_length("\xFF"));
}

TEST_CASE("every field error carries a machine code and the limits it refers to",
          "[validation][codes]") {
    using settings::ErrorCode;
    settings::PreferencesUpdate update;
    update[Field::ai_temperature] = FieldValue(2.5);
    update[Field::ai_model] = FieldValue(repeat("m", 201));
    update[Field::ai_provider] = FieldValue(std::string("openai"));
    update[Field::display_sidebar_collapsed] = FieldValue(std::string("true"));
    update[Field::workflow_default_repository] = FieldValue(std::string("not a repo"));
    const auto errors = validate(update, settings::Layer::user);
    REQUIRE(errors.size() == 5);
    const auto find = [&](std::string_view path) {
        const auto it = std::find_if(errors.begin(), errors.end(),
                                     [&](const auto& e) { return e.field == path; });
        REQUIRE(it != errors.end());
        return *it;
    };
    const auto temperature = find("ai.temperature");
    CHECK(temperature.code == ErrorCode::out_of_range);
    CHECK(temperature.min == 0.0);
    CHECK(temperature.max == 2.0);
    const auto model = find("ai.model");
    CHECK(model.code == ErrorCode::too_long);
    CHECK(model.max == 200.0);
    const auto provider = find("ai.provider");
    CHECK(provider.code == ErrorCode::not_allowed);
    CHECK(provider.allowed == std::vector<std::string>{"copilot", "azure_openai"});
    CHECK(find("display.sidebar_collapsed").code == ErrorCode::wrong_type);
    CHECK(find("workflow.default_repository").code == ErrorCode::bad_format);
    CHECK(settings::to_string(ErrorCode::out_of_range) == "out_of_range");
}

TEST_CASE("empty, duplicate and reset-in-global errors have their own codes",
          "[validation][codes]") {
    using settings::ErrorCode;
    settings::GlobalSettingsUpdate update;
    update.preferences[Field::ai_model] = FieldValue(std::string());
    update.preferences[Field::display_theme] = settings::Patch<FieldValue>::reset();
    update.allowed_models = {"o1", "o1"};
    const auto errors = validate(update);
    REQUIRE(errors.size() == 3);
    CHECK(errors[0].field == "ai.model");
    CHECK(errors[0].code == ErrorCode::required);
    CHECK(errors[1].field == "display.theme");
    CHECK(errors[1].code == ErrorCode::required);
    CHECK(errors[2].field == "allowed_models[1]");
    CHECK(errors[2].code == ErrorCode::duplicate);
    CHECK(settings::validate_project_id(repeat("a", 129))->code == ErrorCode::too_long);
    CHECK(settings::validate_project_id(repeat("a", 129))->max == 128.0);
    CHECK(settings::validate_project_id("a b")->code == ErrorCode::bad_format);
    CHECK(settings::validate_project_id("")->code == ErrorCode::required);
}
