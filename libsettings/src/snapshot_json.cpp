#include <boost/json/array.hpp>

#include <settings/settings_json.hpp>
#include <settings/validation.hpp>

namespace json = boost::json;

namespace settings {

namespace {

constexpr std::string_view format_name = "settings-snapshot/1";

// The object without the listed keys, which the caller reads itself.
json::object without(const json::object& object, std::initializer_list<std::string_view> keys) {
    json::object rest = object;
    for (auto key : keys) {
        rest.erase(key);
    }
    return rest;
}

// A user or project id, checked here already so that its error is reported
// together with any other error of the document.
std::optional<std::string> read_id(const json::object& object, std::string_view key,
                                   const std::string& prefix, FieldErrors& errors) {
    const auto* value = object.if_contains(key);
    const std::string path = prefix + "." + std::string(key);
    if (value == nullptr || !value->is_string()) {
        errors.push_back({.field = path,
                          .code = value == nullptr ? ErrorCode::required : ErrorCode::wrong_type,
                          .message = "is required and must be a string"});
        return std::nullopt;
    }
    const std::string id(value->get_string());
    auto error = key == "project_id" ? validate_project_id(id) : validate_user_id(id);
    if (error) {
        error->field = path;
        errors.push_back(std::move(*error));
        return std::nullopt;
    }
    return id;
}

const json::array* read_list(const json::object& document, std::string_view key,
                             FieldErrors& errors) {
    const auto* value = document.if_contains(key);
    if (value == nullptr) {
        return nullptr;
    }
    if (!value->is_array()) {
        errors.push_back({.field = std::string(key),
                          .code = ErrorCode::wrong_type,
                          .message = "must be an array"});
        return nullptr;
    }
    return &value->get_array();
}

}  // namespace

json::object to_json(const SettingsSnapshot& snapshot) {
    json::array users;
    for (const auto& user : snapshot.users) {
        json::object entry{{"user_id", user.user_id}};
        for (const auto& field : field_table) {
            if (const auto& value = user.overrides[field.field]) {
                auto& section = entry[field.section()];
                if (!section.is_object()) {
                    section = json::object();
                }
                section.get_object()[field.name()] =
                    std::visit([](const auto& v) { return json::value(v); }, *value);
            }
        }
        users.push_back(std::move(entry));
    }
    json::array projects;
    for (const auto& project : snapshot.projects) {
        const auto& p = project.settings;
        projects.push_back(json::object{
            {"user_id", project.user_id},
            {"project_id", project.project_id},
            {"board_display_config",
             p.board_display_config ? json::value(to_json(*p.board_display_config)) : nullptr},
            {"agent_pipeline_mappings", p.agent_pipeline_mappings
                                            ? json::value(to_json(*p.agent_pipeline_mappings))
                                            : nullptr}});
    }
    return {{"format", format_name},
            {"global", to_json(snapshot.global)},
            {"users", std::move(users)},
            {"projects", std::move(projects)}};
}

Outcome<SettingsSnapshot> parse_snapshot(const json::value& document) {
    if (!document.is_object()) {
        return FieldErrors{{.field = "",
                            .code = ErrorCode::wrong_type,
                            .message = "the document must be a JSON object"}};
    }
    const auto& root = document.get_object();
    FieldErrors errors;
    SettingsSnapshot snapshot;
    const auto* format = root.if_contains("format");
    if (format == nullptr || !format->is_string() || format->get_string() != format_name) {
        errors.push_back({.field = "format",
                          .code = format == nullptr ? ErrorCode::required : ErrorCode::not_allowed,
                          .message = "must be \"" + std::string(format_name) + "\"",
                          .allowed = {std::string(format_name)}});
    }
    for (const auto& member : root) {
        const auto key = member.key();
        if (key != "format" && key != "global" && key != "users" && key != "projects") {
            errors.push_back({.field = std::string(key),
                              .code = ErrorCode::unknown_field,
                              .message = "is not a known field"});
        }
    }
    if (const auto* global = root.if_contains("global")) {
        const auto update = parse_global_update(*global);
        if (update) {
            snapshot.global.preferences = update.value().preferences.applied_to({});
            snapshot.global.allowed_models =
                update.value().allowed_models.value_or(std::vector<std::string>{});
        } else {
            append_prefixed(errors, "global", update.errors());
        }
    } else {
        errors.push_back(
            {.field = "global", .code = ErrorCode::required, .message = "is required"});
    }
    if (const auto* users = read_list(root, "users", errors)) {
        for (std::size_t i = 0; i < users->size(); ++i) {
            const std::string prefix = "users[" + std::to_string(i) + "]";
            if (!(*users)[i].is_object()) {
                errors.push_back({.field = prefix,
                                  .code = ErrorCode::wrong_type,
                                  .message = "must be an object"});
                continue;
            }
            const auto& entry = (*users)[i].get_object();
            const auto id = read_id(entry, "user_id", prefix, errors);
            const auto update = parse_user_update(without(entry, {"user_id"}));
            if (!update) {
                append_prefixed(errors, prefix, update.errors());
            } else if (id) {
                snapshot.users.push_back({*id, update.value().applied_to({}), {}});
            }
        }
    }
    if (const auto* projects = read_list(root, "projects", errors)) {
        for (std::size_t i = 0; i < projects->size(); ++i) {
            const std::string prefix = "projects[" + std::to_string(i) + "]";
            if (!(*projects)[i].is_object()) {
                errors.push_back({.field = prefix,
                                  .code = ErrorCode::wrong_type,
                                  .message = "must be an object"});
                continue;
            }
            const auto& entry = (*projects)[i].get_object();
            const auto user_id = read_id(entry, "user_id", prefix, errors);
            const auto project_id = read_id(entry, "project_id", prefix, errors);
            const auto update = parse_project_update(without(entry, {"user_id", "project_id"}));
            if (!update) {
                append_prefixed(errors, prefix, update.errors());
            } else if (user_id && project_id) {
                snapshot.projects.push_back(
                    {*user_id,
                     *project_id,
                     {update.value().board_display_config.applied_to(std::nullopt),
                      update.value().agent_pipeline_mappings.applied_to(std::nullopt)}});
            }
        }
    }
    if (errors.empty()) {
        errors = validate(snapshot);
    }
    if (!errors.empty()) {
        return errors;
    }
    return snapshot;
}

}  // namespace settings
