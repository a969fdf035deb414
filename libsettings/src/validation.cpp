#include <algorithm>
#include <cmath>
#include <cstdint>
#include <set>
#include <sstream>

#include <settings/validation.hpp>

namespace settings {

namespace {

constexpr std::size_t max_user_id_bytes = 255;
constexpr std::size_t max_project_id_length = 128;
constexpr std::size_t max_owner_length = 39;
constexpr std::size_t max_repo_length = 100;

bool is_ascii_alnum(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

std::string choices_text(std::span<const std::string_view> choices) {
    std::string out;
    for (auto c : choices) {
        out.append(out.empty() ? "" : ", ").append(c);
    }
    return out;
}

std::string number_text(double value) {
    std::ostringstream out;
    out << value;
    return out.str();
}

void check_names(const std::vector<std::string>& names, const std::string& path,
                 FieldErrors& errors) {
    for (std::size_t i = 0; i < names.size(); ++i) {
        std::string item = path + "[" + std::to_string(i) + "]";
        if (names[i].empty()) {
            errors.push_back({.field = std::move(item),
                              .code = ErrorCode::required,
                              .message = "must not be empty"});
        } else if (!utf8_length(names[i])) {
            errors.push_back({.field = std::move(item),
                              .code = ErrorCode::bad_format,
                              .message = "must be valid UTF-8 text"});
        }
    }
}

// The limits a field's errors carry, so that clients can say them in their words.
void add_limits(const FieldDescriptor& field, FieldError& error) {
    switch (field.kind) {
        case FieldKind::choice:
            error.allowed.assign(field.choices.begin(), field.choices.end());
            break;
        case FieldKind::text:
        case FieldKind::real:
        case FieldKind::integer:
            error.min = field.minimum;
            error.max = field.maximum;
            break;
        case FieldKind::boolean:
        case FieldKind::repository:
        case FieldKind::login:
            break;
    }
}

// The code for a value of the right type that breaks the field's rules.
ErrorCode invalid_value_code(const FieldDescriptor& field, const FieldValue& value) {
    switch (field.kind) {
        case FieldKind::choice:
            return ErrorCode::not_allowed;
        case FieldKind::text: {
            const auto length = utf8_length(std::get<std::string>(value));
            if (!length) {
                return ErrorCode::bad_format;
            }
            if (*length == 0) {
                return ErrorCode::required;
            }
            return static_cast<double>(*length) > field.maximum ? ErrorCode::too_long
                                                                : ErrorCode::out_of_range;
        }
        case FieldKind::real:
        case FieldKind::integer:
            return ErrorCode::out_of_range;
        case FieldKind::boolean:
            return ErrorCode::wrong_type;
        case FieldKind::repository:
        case FieldKind::login:
            return ErrorCode::bad_format;
    }
    return ErrorCode::bad_format;
}

// Whether `value` is the FieldValue alternative the field's kind stores.
bool has_kind_type(const FieldDescriptor& field, const FieldValue& value) {
    switch (field.kind) {
        case FieldKind::boolean:
            return std::holds_alternative<bool>(value);
        case FieldKind::integer:
            return std::holds_alternative<std::int64_t>(value);
        case FieldKind::real:
            return std::holds_alternative<double>(value);
        case FieldKind::choice:
        case FieldKind::text:
        case FieldKind::repository:
        case FieldKind::login:
            return std::holds_alternative<std::string>(value);
    }
    return false;
}

}  // namespace

std::optional<std::size_t> utf8_length(std::string_view text) {
    std::size_t count = 0;
    for (std::size_t i = 0; i < text.size(); ++count) {
        const auto lead = static_cast<unsigned char>(text[i]);
        std::size_t extra = 0;
        std::uint32_t code = 0;
        if (lead < 0x80) {
            extra = 0;
            code = lead;
        } else if ((lead & 0xE0U) == 0xC0U) {
            extra = 1;
            code = lead & 0x1FU;
        } else if ((lead & 0xF0U) == 0xE0U) {
            extra = 2;
            code = lead & 0x0FU;
        } else if ((lead & 0xF8U) == 0xF0U) {
            extra = 3;
            code = lead & 0x07U;
        } else {
            return std::nullopt;
        }
        if (i + extra >= text.size() && extra > 0) {
            return std::nullopt;
        }
        for (std::size_t k = 1; k <= extra; ++k) {
            const auto next = static_cast<unsigned char>(text[i + k]);
            if ((next & 0xC0U) != 0x80U) {
                return std::nullopt;
            }
            code = (code << 6U) | (next & 0x3FU);
        }
        // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
        static constexpr std::uint32_t minimum[] = {0, 0x80, 0x800, 0x10000};
        if (code < minimum[extra] || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) {
            return std::nullopt;
        }
        i += extra + 1;
    }
    return count;
}

bool is_github_login(std::string_view text) {
    if (text.empty() || text.size() > max_owner_length || text.front() == '-' ||
        text.back() == '-' || text.find("--") != std::string_view::npos) {
        return false;
    }
    return std::all_of(text.begin(), text.end(),
                       [](char c) { return is_ascii_alnum(c) || c == '-'; });
}

bool is_repository_name(std::string_view text) {
    const auto slash = text.find('/');
    if (slash == std::string_view::npos) {
        return false;
    }
    const auto owner = text.substr(0, slash);
    const auto repo = text.substr(slash + 1);
    if (!is_github_login(owner) || repo.empty() || repo.size() > max_repo_length || repo == "." ||
        repo == "..") {
        return false;
    }
    return std::all_of(repo.begin(), repo.end(), [](char c) {
        return is_ascii_alnum(c) || c == '.' || c == '_' || c == '-';
    });
}

std::string field_expectation(const FieldDescriptor& field) {
    switch (field.kind) {
        case FieldKind::choice:
            return "one of: " + choices_text(field.choices);
        case FieldKind::text:
            return "a string of " + number_text(field.minimum) + " to " +
                   number_text(field.maximum) + " characters";
        case FieldKind::real:
            return "a number from " + number_text(field.minimum) + " to " +
                   number_text(field.maximum);
        case FieldKind::integer:
            return "an integer from " + number_text(field.minimum) + " to " +
                   number_text(field.maximum);
        case FieldKind::boolean:
            return "a boolean";
        case FieldKind::repository:
            return "a GitHub repository as owner/repo (null for none)";
        case FieldKind::login:
            return "a GitHub login, or empty";
    }
    return "valid";
}

bool is_valid_value(const FieldDescriptor& field, const FieldValue& value) {
    const auto* text = std::get_if<std::string>(&value);
    switch (field.kind) {
        case FieldKind::choice:
            return text != nullptr && std::find(field.choices.begin(), field.choices.end(),
                                                *text) != field.choices.end();
        case FieldKind::text: {
            if (text == nullptr) {
                return false;
            }
            const auto length = utf8_length(*text);
            return length && static_cast<double>(*length) >= field.minimum &&
                   static_cast<double>(*length) <= field.maximum;
        }
        case FieldKind::real: {
            const auto* number = std::get_if<double>(&value);
            return number != nullptr && std::isfinite(*number) && *number >= field.minimum &&
                   *number <= field.maximum;
        }
        case FieldKind::integer: {
            const auto* number = std::get_if<std::int64_t>(&value);
            return number != nullptr && static_cast<double>(*number) >= field.minimum &&
                   static_cast<double>(*number) <= field.maximum;
        }
        case FieldKind::boolean:
            return std::holds_alternative<bool>(value);
        case FieldKind::repository:
            return text != nullptr && is_repository_name(*text);
        case FieldKind::login:
            return text != nullptr && (text->empty() || is_github_login(*text));
    }
    return false;
}

std::optional<FieldError> check_value(const FieldDescriptor& field, const FieldValue& value) {
    if (is_valid_value(field, value)) {
        return std::nullopt;
    }
    if (!has_kind_type(field, value)) {
        return wrong_type(field, std::string(field.path));
    }
    FieldError error{.field = std::string(field.path),
                     .code = invalid_value_code(field, value),
                     .message = "must be " + field_expectation(field)};
    add_limits(field, error);
    return error;
}

FieldError wrong_type(const FieldDescriptor& field, std::string path) {
    FieldError error{.field = std::move(path),
                     .code = ErrorCode::wrong_type,
                     .message = "must be " + field_expectation(field)};
    add_limits(field, error);
    return error;
}

FieldErrors validate(const PreferencesUpdate& update, Layer layer) {
    FieldErrors errors;
    for (const auto& field : field_table) {
        const auto& patch = update[field.field];
        if (patch.is_reset() && layer == Layer::global && !field.nullable_in_global) {
            errors.push_back({.field = std::string(field.path),
                              .code = ErrorCode::required,
                              .message = "must not be null in global settings"});
        } else if (patch.has_value()) {
            if (auto error = check_value(field, patch.value())) {
                errors.push_back(std::move(*error));
            }
        }
    }
    return errors;
}

FieldErrors validate(const GlobalSettingsUpdate& update) {
    FieldErrors errors = validate(update.preferences, Layer::global);
    if (update.allowed_models) {
        const auto& models = *update.allowed_models;
        const auto& model_field = descriptor(Field::ai_model);
        std::set<std::string_view> seen;
        for (std::size_t i = 0; i < models.size(); ++i) {
            std::string path = "allowed_models[" + std::to_string(i) + "]";
            if (auto error = check_value(model_field, FieldValue(models[i]))) {
                error->field = std::move(path);
                errors.push_back(std::move(*error));
            } else if (!seen.insert(models[i]).second) {
                errors.push_back({.field = std::move(path),
                                  .code = ErrorCode::duplicate,
                                  .message = "duplicates an earlier entry"});
            }
        }
    }
    return errors;
}

FieldErrors validate(const ProjectSettingsUpdate& update) {
    FieldErrors errors;
    if (update.board_display_config.has_value()) {
        const auto& config = update.board_display_config.value();
        if (config.column_order) {
            check_names(*config.column_order, "board_display_config.column_order", errors);
        }
        if (config.collapsed_columns) {
            check_names(*config.collapsed_columns, "board_display_config.collapsed_columns",
                        errors);
        }
    }
    if (update.agent_pipeline_mappings.has_value()) {
        for (const auto& [status, agents] : update.agent_pipeline_mappings.value()) {
            const std::string path = "agent_pipeline_mappings." + status;
            if (status.empty() || !utf8_length(status)) {
                errors.push_back(
                    {.field = path,
                     .code = status.empty() ? ErrorCode::required : ErrorCode::bad_format,
                     .message = "status names must be non-empty UTF-8 text"});
            }
            for (std::size_t i = 0; i < agents.size(); ++i) {
                const std::string item = path + "[" + std::to_string(i) + "]";
                if (agents[i].slug.empty() || !utf8_length(agents[i].slug)) {
                    errors.push_back({.field = item + ".slug",
                                      .code = agents[i].slug.empty() ? ErrorCode::required
                                                                     : ErrorCode::bad_format,
                                      .message = "must be non-empty UTF-8 text"});
                }
                if (agents[i].display_name && !utf8_length(*agents[i].display_name)) {
                    errors.push_back({.field = item + ".display_name",
                                      .code = ErrorCode::bad_format,
                                      .message = "must be valid UTF-8 text"});
                }
            }
        }
    }
    return errors;
}

std::optional<FieldError> validate_user_id(std::string_view user_id) {
    constexpr std::string_view rule = "must be 1 to 255 bytes of UTF-8 text";
    if (user_id.empty()) {
        return FieldError{
            .field = "user_id", .code = ErrorCode::required, .message = std::string(rule)};
    }
    if (user_id.size() > max_user_id_bytes) {
        return FieldError{.field = "user_id",
                          .code = ErrorCode::too_long,
                          .message = std::string(rule),
                          .max = max_user_id_bytes};
    }
    if (!utf8_length(user_id)) {
        return FieldError{
            .field = "user_id", .code = ErrorCode::bad_format, .message = std::string(rule)};
    }
    return std::nullopt;
}

std::optional<FieldError> validate_project_id(std::string_view project_id) {
    constexpr std::string_view rule = "must be 1 to 128 characters of A-Z, a-z, 0-9, _ and -";
    if (project_id.empty()) {
        return FieldError{
            .field = "project_id", .code = ErrorCode::required, .message = std::string(rule)};
    }
    if (project_id.size() > max_project_id_length) {
        return FieldError{.field = "project_id",
                          .code = ErrorCode::too_long,
                          .message = std::string(rule),
                          .max = max_project_id_length};
    }
    const bool valid = std::all_of(project_id.begin(), project_id.end(), [](char c) {
        return is_ascii_alnum(c) || c == '_' || c == '-';
    });
    if (!valid) {
        return FieldError{
            .field = "project_id", .code = ErrorCode::bad_format, .message = std::string(rule)};
    }
    return std::nullopt;
}

}  // namespace settings

namespace settings {

namespace {

// A stored layer as the update that would write it: every set field a value.
PreferencesUpdate as_update(const Preferences& values) {
    PreferencesUpdate update;
    for (const auto& field : field_table) {
        if (values[field.field]) {
            update[field.field] = *values[field.field];
        }
    }
    return update;
}

ProjectSettingsUpdate as_update(const ProjectSettings& project) {
    ProjectSettingsUpdate update;
    if (project.board_display_config) {
        update.board_display_config = *project.board_display_config;
    }
    if (project.agent_pipeline_mappings) {
        update.agent_pipeline_mappings = *project.agent_pipeline_mappings;
    }
    return update;
}

}  // namespace

FieldErrors validate(const SettingsSnapshot& snapshot) {
    FieldErrors errors;
    const auto& global = snapshot.global;
    for (const auto& field : field_table) {
        if (!global.preferences[field.field] && !field.nullable_in_global) {
            errors.push_back({.field = "global." + std::string(field.path),
                              .code = ErrorCode::required,
                              .message = "is required"});
        }
    }
    append_prefixed(
        errors, "global",
        validate(GlobalSettingsUpdate{as_update(global.preferences), global.allowed_models}));
    const auto& model = global.preferences[Field::ai_model];
    if (!global.allowed_models.empty() && model &&
        std::find(global.allowed_models.begin(), global.allowed_models.end(),
                  std::get<std::string>(*model)) == global.allowed_models.end()) {
        errors.push_back({.field = "global.ai.model",
                          .code = ErrorCode::not_allowed,
                          .message = "must be one of the allowed models",
                          .allowed = global.allowed_models});
    }

    std::set<std::string_view> users;
    for (std::size_t i = 0; i < snapshot.users.size(); ++i) {
        const auto& user = snapshot.users[i];
        const std::string prefix = "users[" + std::to_string(i) + "]";
        if (auto error = validate_user_id(user.user_id)) {
            error->field = prefix + ".user_id";
            errors.push_back(std::move(*error));
        } else if (!users.insert(user.user_id).second) {
            errors.push_back({.field = prefix + ".user_id",
                              .code = ErrorCode::duplicate,
                              .message = "duplicates an earlier user"});
        }
        append_prefixed(errors, prefix, validate(as_update(user.overrides), Layer::user));
    }

    std::set<std::pair<std::string_view, std::string_view>> projects;
    for (std::size_t i = 0; i < snapshot.projects.size(); ++i) {
        const auto& project = snapshot.projects[i];
        const std::string prefix = "projects[" + std::to_string(i) + "]";
        auto user_error = validate_user_id(project.user_id);
        auto project_error = validate_project_id(project.project_id);
        if (!user_error && !project_error &&
            !projects.emplace(project.user_id, project.project_id).second) {
            errors.push_back({.field = prefix + ".project_id",
                              .code = ErrorCode::duplicate,
                              .message = "duplicates an earlier project row"});
        }
        if (user_error) {
            user_error->field = prefix + ".user_id";
            errors.push_back(std::move(*user_error));
        }
        if (project_error) {
            project_error->field = prefix + ".project_id";
            errors.push_back(std::move(*project_error));
        }
        append_prefixed(errors, prefix, validate(as_update(project.settings)));
    }
    return errors;
}

}  // namespace settings
