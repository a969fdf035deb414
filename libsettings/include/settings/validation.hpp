#pragma once

// Semantic validation of updates: enums, ranges, formats, lengths. Every function
// returns *all* the errors it finds, each at the field's dotted path in the
// request body; an empty list means valid.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <settings/field_error.hpp>
#include <settings/field_table.hpp>
#include <settings/preferences.hpp>
#include <settings/settings_snapshot.hpp>
#include <settings/settings_update.hpp>

namespace settings {

/// Which layer an update is for: only the user layer may reset fields freely.
enum class Layer { global, user };

/// Whether `value` is of the field's kind and within its rules.
bool is_valid_value(const FieldDescriptor& field, const FieldValue& value);
/// What a valid value of the field is, for messages: "a number from 0 to 2".
std::string field_expectation(const FieldDescriptor& field);
/// Why `value` is not valid for `field` (reported at `field.path`), with the code
/// and limits that say so; nothing when it is valid.
std::optional<FieldError> check_value(const FieldDescriptor& field, const FieldValue& value);
/// The error for a value whose JSON type the field cannot take, reported at `path`.
FieldError wrong_type(const FieldDescriptor& field, std::string path);

FieldErrors validate(const PreferencesUpdate& update, Layer layer);
FieldErrors validate(const GlobalSettingsUpdate& update);
FieldErrors validate(const ProjectSettingsUpdate& update);

/// A whole snapshot: a complete and valid global row, valid and unique user and
/// project rows. Paths are prefixed: `global.ai.model`, `users[1].ai.temperature`,
/// `projects[0].board_display_config.column_order[2]`.
FieldErrors validate(const SettingsSnapshot& snapshot);

/// A user id: non-empty text of at most 255 bytes. Reported as `user_id`.
std::optional<FieldError> validate_user_id(std::string_view user_id);
/// A project id: 1–128 characters of [A-Za-z0-9_-]. Reported as `project_id`.
std::optional<FieldError> validate_project_id(std::string_view project_id);

/// `owner/repo` by GitHub's name rules.
bool is_repository_name(std::string_view text);
/// A GitHub login: 1–39 letters, digits and single inner hyphens.
bool is_github_login(std::string_view text);
/// The number of Unicode code points, or nothing when `text` is not valid UTF-8.
std::optional<std::size_t> utf8_length(std::string_view text);

}  // namespace settings
