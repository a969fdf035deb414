#pragma once

// The JSON documents of the settings tables (allowed_models, the two project
// fields) as the engines store them: compact JSON text, written after
// validation. Reading one that does not parse means the database was changed
// behind the library's back: a StorageError.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <settings/project_settings.hpp>

namespace settings::detail {

std::string allowed_models_text(const std::vector<std::string>& models);
std::vector<std::string> parse_allowed_models(std::string_view text);

std::string board_display_config_text(const BoardDisplayConfig& config);
BoardDisplayConfig parse_board_display_config(std::string_view text);

std::string agent_pipeline_mappings_text(const AgentPipelineMappings& mappings);
AgentPipelineMappings parse_agent_pipeline_mappings(std::string_view text);

/// A project row's two documents as stored: nothing where the row sets none.
std::optional<std::string> board_display_config_text(const ProjectSettings& project);
std::optional<std::string> agent_pipeline_mappings_text(const ProjectSettings& project);

}  // namespace settings::detail
