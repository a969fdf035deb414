#pragma once

// The one JSON codec of the settings documents of openapi.yaml, shared by the
// HTTP host and any other C++ program. Parsing checks JSON types and unknown keys,
// then runs `validate`, and reports every error it finds.

#include <string>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <settings/effective_settings.hpp>
#include <settings/field_error.hpp>
#include <settings/global_settings.hpp>
#include <settings/history.hpp>
#include <settings/project_settings.hpp>
#include <settings/settings_snapshot.hpp>
#include <settings/settings_update.hpp>

namespace settings {

/// A UserPreferencesUpdate body. A section set to null resets all its fields.
Outcome<PreferencesUpdate> parse_user_update(const boost::json::value& body);
/// A GlobalSettingsUpdate body.
Outcome<GlobalSettingsUpdate> parse_global_update(const boost::json::value& body);
/// A ProjectSettingsUpdate body.
Outcome<ProjectSettingsUpdate> parse_project_update(const boost::json::value& body);

/// EffectiveUserSettings, with `sources`.
boost::json::object to_json(const EffectiveUserSettings& settings);
/// GlobalSettings.
boost::json::object to_json(const GlobalSettings& settings);
/// EffectiveProjectSettings, with `sources`.
boost::json::object to_json(const EffectiveProjectSettings& settings);
/// A history entry as GET /settings/history lists it: old and new as JSON values.
boost::json::object to_json(const HistoryEntry& entry);
/// `{"entries": [...], "next_before": ID or null}`.
boost::json::object to_json(const HistoryPage& page);
/// The stored form of the two project fields.
boost::json::object to_json(const BoardDisplayConfig& config);
boost::json::object to_json(const AgentPipelineMappings& mappings);

/// The export document of `settingsctl export`:
/// {"format": "settings-snapshot/1", "global": {...}, "users": [{"user_id": ..., "ai": {...}}],
///  "projects": [{"user_id": ..., "project_id": ..., "board_display_config": ..., ...}]}.
/// Users list only the fields they set.
boost::json::object to_json(const SettingsSnapshot& snapshot);
/// The inverse of the above, with every JSON-level error at its path
/// (`users[2].ai.temperature`); `validate(snapshot)` is applied too.
Outcome<SettingsSnapshot> parse_snapshot(const boost::json::value& document);

/// Reads a BoardDisplayConfig or AgentPipelineMappings document, adding an error
/// for every problem at `path`; nothing when there was any error.
std::optional<BoardDisplayConfig> read_board_display_config(const boost::json::value& value,
                                                            const std::string& path,
                                                            FieldErrors& errors);
std::optional<AgentPipelineMappings> read_agent_pipeline_mappings(const boost::json::value& value,
                                                                  const std::string& path,
                                                                  FieldErrors& errors);

}  // namespace settings
