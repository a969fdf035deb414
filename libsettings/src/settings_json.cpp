#include <algorithm>
#include <limits>

#include <boost/json/parse.hpp>

#include <settings/settings_json.hpp>
#include <settings/validation.hpp>

namespace json = boost::json;

namespace settings {

namespace {

constexpr std::string_view must_be_object = "must be an object";
constexpr std::string_view unknown_field = "is not a known field";

bool is_section(std::string_view name) {
    return std::find(sections.begin(), sections.end(), name) != sections.end();
}

// The JSON value as the FieldValue alternative of the field's kind; nothing when
// the JSON type cannot be that kind (30.0 is not an integer, 1 is not a boolean).
std::optional<FieldValue> to_field_value(const FieldDescriptor& field, const json::value& value) {
    switch (field.kind) {
        case FieldKind::boolean:
            if (value.is_bool()) {
                return value.get_bool();
            }
            return std::nullopt;
        case FieldKind::integer:
            if (value.is_int64()) {
                return value.get_int64();
            }
            if (value.is_uint64() &&
                value.get_uint64() <=
                    static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
                return static_cast<std::int64_t>(value.get_uint64());
            }
            return std::nullopt;
        case FieldKind::real:
            if (value.is_number()) {
                return value.to_number<double>();
            }
            return std::nullopt;
        case FieldKind::choice:
        case FieldKind::text:
        case FieldKind::repository:
        case FieldKind::login:
            if (value.is_string()) {
                return std::string(value.get_string());
            }
            return std::nullopt;
    }
    return std::nullopt;
}

// Reads the four preference sections of `body` into `update`; keys that are not
// sections are left to the caller.
void read_preferences(const json::object& body, Layer layer, PreferencesUpdate& update,
                      FieldErrors& errors) {
    for (const auto& member : body) {
        const std::string section(member.key());
        if (!is_section(section)) {
            continue;
        }
        if (member.value().is_null() && layer == Layer::user) {
            for (const auto& field : field_table) {
                if (field.section() == section) {
                    update[field.field] = Patch<FieldValue>::reset();
                }
            }
            continue;
        }
        if (!member.value().is_object()) {
            errors.push_back({.field = section,
                              .code = ErrorCode::wrong_type,
                              .message = std::string(must_be_object)});
            continue;
        }
        for (const auto& leaf : member.value().get_object()) {
            const std::string path = section + "." + std::string(leaf.key());
            const auto field = find_field(path);
            if (!field) {
                errors.push_back({.field = path,
                                  .code = ErrorCode::unknown_field,
                                  .message = std::string(unknown_field)});
                continue;
            }
            const auto& d = descriptor(*field);
            if (leaf.value().is_null()) {
                update[*field] = Patch<FieldValue>::reset();
            } else if (auto value = to_field_value(d, leaf.value())) {
                update[*field] = std::move(*value);
            } else {
                errors.push_back(wrong_type(d, path));
            }
        }
    }
}

void append(FieldErrors& errors, FieldErrors more) {
    errors.insert(errors.end(), std::make_move_iterator(more.begin()),
                  std::make_move_iterator(more.end()));
}

FieldErrors not_an_object() {
    return {
        {.field = "", .code = ErrorCode::wrong_type, .message = "the body must be a JSON object"}};
}

std::optional<std::vector<std::string>> read_string_array(const json::value& value,
                                                          const std::string& path,
                                                          FieldErrors& errors) {
    if (!value.is_array()) {
        errors.push_back({.field = path,
                          .code = ErrorCode::wrong_type,
                          .message = "must be an array of strings"});
        return std::nullopt;
    }
    std::vector<std::string> out;
    bool ok = true;
    const auto& array = value.get_array();
    for (std::size_t i = 0; i < array.size(); ++i) {
        if (!array[i].is_string()) {
            errors.push_back({.field = path + "[" + std::to_string(i) + "]",
                              .code = ErrorCode::wrong_type,
                              .message = "must be a string"});
            ok = false;
        } else if (array[i].get_string().empty()) {
            // Checked here too, so that one bad key elsewhere in the document does not
            // hide this error (the document is not handed to `validate` then).
            errors.push_back({.field = path + "[" + std::to_string(i) + "]",
                              .code = ErrorCode::required,
                              .message = "must not be empty"});
            ok = false;
        } else {
            out.emplace_back(array[i].get_string());
        }
    }
    return ok ? std::optional(std::move(out)) : std::nullopt;
}

json::value optional_strings(const std::optional<std::vector<std::string>>& names) {
    json::array out;
    for (const auto& name : *names) {
        out.emplace_back(name);
    }
    return out;
}

json::value to_json_value(const std::optional<FieldValue>& value) {
    if (!value) {
        return nullptr;
    }
    return std::visit([](const auto& v) { return json::value(v); }, *value);
}

void write_preferences(json::object& out, const Preferences& values) {
    for (auto section : sections) {
        json::object fields;
        for (const auto& field : field_table) {
            if (field.section() == section) {
                fields[field.name()] = to_json_value(values[field.field]);
            }
        }
        out[section] = std::move(fields);
    }
}

json::object sources_of(const EffectiveUserSettings& settings) {
    json::object sources;
    for (const auto& field : field_table) {
        sources[field.path] = to_string(settings.source(field.field));
    }
    return sources;
}

}  // namespace

Outcome<PreferencesUpdate> parse_user_update(const json::value& body) {
    if (!body.is_object()) {
        return not_an_object();
    }
    PreferencesUpdate update;
    FieldErrors errors;
    for (const auto& member : body.get_object()) {
        if (!is_section(member.key())) {
            errors.push_back({.field = std::string(member.key()),
                              .code = ErrorCode::unknown_field,
                              .message = std::string(unknown_field)});
        }
    }
    read_preferences(body.get_object(), Layer::user, update, errors);
    append(errors, validate(update, Layer::user));
    if (!errors.empty()) {
        return errors;
    }
    return update;
}

Outcome<GlobalSettingsUpdate> parse_global_update(const json::value& body) {
    if (!body.is_object()) {
        return not_an_object();
    }
    GlobalSettingsUpdate update;
    FieldErrors errors;
    for (const auto& member : body.get_object()) {
        if (member.key() == "allowed_models") {
            update.allowed_models = read_string_array(member.value(), "allowed_models", errors);
        } else if (!is_section(member.key())) {
            errors.push_back({.field = std::string(member.key()),
                              .code = ErrorCode::unknown_field,
                              .message = std::string(unknown_field)});
        }
    }
    read_preferences(body.get_object(), Layer::global, update.preferences, errors);
    append(errors, validate(update));
    if (!errors.empty()) {
        return errors;
    }
    return update;
}

std::optional<BoardDisplayConfig> read_board_display_config(const json::value& value,
                                                            const std::string& path,
                                                            FieldErrors& errors) {
    if (!value.is_object()) {
        errors.push_back(
            {.field = path, .code = ErrorCode::wrong_type, .message = std::string(must_be_object)});
        return std::nullopt;
    }
    const auto errors_before = errors.size();
    BoardDisplayConfig config;
    for (const auto& member : value.get_object()) {
        const std::string key(member.key());
        std::string member_path = path;
        member_path.append(".").append(key);
        if (key == "column_order") {
            config.column_order = read_string_array(member.value(), member_path, errors);
        } else if (key == "collapsed_columns") {
            config.collapsed_columns = read_string_array(member.value(), member_path, errors);
        } else if (key == "show_estimates") {
            if (member.value().is_bool()) {
                config.show_estimates = member.value().get_bool();
            } else {
                errors.push_back({.field = member_path,
                                  .code = ErrorCode::wrong_type,
                                  .message = "must be a boolean"});
            }
        } else {
            errors.push_back({.field = member_path,
                              .code = ErrorCode::unknown_field,
                              .message = std::string(unknown_field)});
        }
    }
    return errors.size() == errors_before ? std::optional(std::move(config)) : std::nullopt;
}

std::optional<AgentPipelineMappings> read_agent_pipeline_mappings(const json::value& value,
                                                                  const std::string& path,
                                                                  FieldErrors& errors) {
    if (!value.is_object()) {
        errors.push_back(
            {.field = path, .code = ErrorCode::wrong_type, .message = std::string(must_be_object)});
        return std::nullopt;
    }
    const auto errors_before = errors.size();
    AgentPipelineMappings mappings;
    for (const auto& status : value.get_object()) {
        const std::string status_path = path + "." + std::string(status.key());
        if (status.key().empty()) {
            errors.push_back({.field = status_path,
                              .code = ErrorCode::required,
                              .message = "status names must be non-empty UTF-8 text"});
        }
        if (!status.value().is_array()) {
            errors.push_back({.field = status_path,
                              .code = ErrorCode::wrong_type,
                              .message = "must be an array of agents"});
            continue;
        }
        std::vector<AgentMapping> agents;
        const auto& items = status.value().get_array();
        for (std::size_t i = 0; i < items.size(); ++i) {
            const std::string item_path = status_path + "[" + std::to_string(i) + "]";
            if (!items[i].is_object()) {
                errors.push_back({.field = item_path,
                                  .code = ErrorCode::wrong_type,
                                  .message = std::string(must_be_object)});
                continue;
            }
            AgentMapping agent;
            bool has_slug = false;
            for (const auto& member : items[i].get_object()) {
                const std::string member_path = item_path + "." + std::string(member.key());
                if (member.key() == "slug") {
                    has_slug = member.value().is_string() && !member.value().get_string().empty();
                    if (has_slug) {
                        agent.slug = member.value().get_string();
                    } else {
                        errors.push_back({.field = member_path,
                                          .code = member.value().is_string()
                                                      ? ErrorCode::required
                                                      : ErrorCode::wrong_type,
                                          .message = "must be non-empty UTF-8 text"});
                    }
                } else if (member.key() == "display_name") {
                    if (member.value().is_string()) {
                        agent.display_name = std::string(member.value().get_string());
                    } else if (member.value().is_null()) {
                        agent.display_name_null = true;
                    } else {
                        errors.push_back({.field = member_path,
                                          .code = ErrorCode::wrong_type,
                                          .message = "must be a string or null"});
                    }
                } else {
                    errors.push_back({.field = member_path,
                                      .code = ErrorCode::unknown_field,
                                      .message = std::string(unknown_field)});
                }
            }
            if (!has_slug && !items[i].get_object().contains("slug")) {
                errors.push_back({.field = item_path + ".slug",
                                  .code = ErrorCode::required,
                                  .message = "is required"});
            }
            agents.push_back(std::move(agent));
        }
        mappings.emplace_back(status.key(), std::move(agents));
    }
    return errors.size() == errors_before ? std::optional(std::move(mappings)) : std::nullopt;
}

Outcome<ProjectSettingsUpdate> parse_project_update(const json::value& body) {
    if (!body.is_object()) {
        return not_an_object();
    }
    ProjectSettingsUpdate update;
    FieldErrors errors;
    for (const auto& member : body.get_object()) {
        const std::string key(member.key());
        const bool reset = member.value().is_null();
        if (key == "board_display_config") {
            if (reset) {
                update.board_display_config = Patch<BoardDisplayConfig>::reset();
            } else if (auto config = read_board_display_config(member.value(), key, errors)) {
                update.board_display_config = std::move(*config);
            }
        } else if (key == "agent_pipeline_mappings") {
            if (reset) {
                update.agent_pipeline_mappings = Patch<AgentPipelineMappings>::reset();
            } else if (auto mappings = read_agent_pipeline_mappings(member.value(), key, errors)) {
                update.agent_pipeline_mappings = std::move(*mappings);
            }
        } else {
            errors.push_back({.field = key,
                              .code = ErrorCode::unknown_field,
                              .message = std::string(unknown_field)});
        }
    }
    append(errors, validate(update));
    if (!errors.empty()) {
        return errors;
    }
    return update;
}

json::object to_json(const EffectiveUserSettings& settings) {
    json::object out;
    write_preferences(out, settings.values);
    out["sources"] = sources_of(settings);
    return out;
}

json::object to_json(const GlobalSettings& settings) {
    json::object out;
    write_preferences(out, settings.preferences);
    json::array models;
    for (const auto& model : settings.allowed_models) {
        models.emplace_back(model);
    }
    out["allowed_models"] = std::move(models);
    return out;
}

json::object to_json(const BoardDisplayConfig& config) {
    json::object out;
    if (config.column_order) {
        out["column_order"] = optional_strings(config.column_order);
    }
    if (config.collapsed_columns) {
        out["collapsed_columns"] = optional_strings(config.collapsed_columns);
    }
    if (config.show_estimates) {
        out["show_estimates"] = *config.show_estimates;
    }
    return out;
}

json::object to_json(const AgentPipelineMappings& mappings) {
    json::object out;
    for (const auto& [status, agents] : mappings) {
        json::array list;
        for (const auto& agent : agents) {
            json::object item;
            item["slug"] = agent.slug;
            if (agent.display_name) {
                item["display_name"] = *agent.display_name;
            } else if (agent.display_name_null) {
                item["display_name"] = nullptr;
            }
            list.emplace_back(std::move(item));
        }
        out[status] = std::move(list);
    }
    return out;
}

json::object to_json(const EffectiveProjectSettings& settings) {
    json::object out;
    write_preferences(out, settings.user.values);
    json::object project;
    project["project_id"] = settings.project_id;
    const auto& layer = settings.project;
    project["board_display_config"] =
        layer.board_display_config ? json::value(to_json(*layer.board_display_config)) : nullptr;
    project["agent_pipeline_mappings"] = layer.agent_pipeline_mappings
                                             ? json::value(to_json(*layer.agent_pipeline_mappings))
                                             : nullptr;
    out["project"] = std::move(project);
    auto sources = sources_of(settings.user);
    sources["project.board_display_config"] = to_string(settings.board_display_config_source());
    sources["project.agent_pipeline_mappings"] =
        to_string(settings.agent_pipeline_mappings_source());
    out["sources"] = std::move(sources);
    return out;
}

json::object to_json(const HistoryEntry& entry) {
    json::object actor;
    if (entry.actor.tool.empty()) {
        actor = {{"github_user_id", entry.actor.github_user_id},
                 {"github_username", entry.actor.github_username}};
    } else {
        actor = {{"tool", entry.actor.tool}};
    }
    json::object out{{"id", entry.id},
                     {"at", entry.at},
                     {"actor", std::move(actor)},
                     {"scope", to_string(entry.scope)}};
    if (entry.project_id) {
        out["project_id"] = *entry.project_id;
    }
    // The values were written as JSON text by the store itself.
    const auto value_of = [](const std::optional<std::string>& text) -> json::value {
        return text ? json::parse(*text) : json::value(nullptr);
    };
    out["field"] = entry.field;
    out["old"] = value_of(entry.old_value);
    out["new"] = value_of(entry.new_value);
    out["revision"] = entry.revision;
    return out;
}

json::object to_json(const HistoryPage& page) {
    json::array entries;
    for (const auto& entry : page.entries) {
        entries.push_back(to_json(entry));
    }
    json::value next = nullptr;
    if (page.next_before) {
        next = *page.next_before;
    }
    return {{"entries", std::move(entries)}, {"next_before", next}};
}

}  // namespace settings
