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
#include <settings/project_settings.hpp>
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
/// The stored form of the two project fields.
boost::json::object to_json(const BoardDisplayConfig& config);
boost::json::object to_json(const AgentPipelineMappings& mappings);

/// Reads a BoardDisplayConfig or AgentPipelineMappings document, adding an error
/// for every problem at `path`; nothing when there was any error.
std::optional<BoardDisplayConfig> read_board_display_config(const boost::json::value& value,
                                                            const std::string& path,
                                                            FieldErrors& errors);
std::optional<AgentPipelineMappings> read_agent_pipeline_mappings(const boost::json::value& value,
                                                                  const std::string& path,
                                                                  FieldErrors& errors);

}  // namespace settings
