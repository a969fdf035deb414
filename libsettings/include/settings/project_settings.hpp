#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace settings {

/// `board_display_config`: every key optional.
struct BoardDisplayConfig {
    std::optional<std::vector<std::string>> column_order;
    std::optional<std::vector<std::string>> collapsed_columns;
    std::optional<bool> show_estimates;

    friend bool operator==(const BoardDisplayConfig&, const BoardDisplayConfig&) = default;
};

/// One agent of a pipeline status.
struct AgentMapping {
    std::string slug;
    std::optional<std::string> display_name;
    /// The client sent `"display_name": null`: kept, so that the stored object
    /// is the object sent (decisions 6).
    bool display_name_null = false;

    friend bool operator==(const AgentMapping&, const AgentMapping&) = default;
};

/// `agent_pipeline_mappings`: status name → agents, in the order the client sent them.
using AgentPipelineMappings = std::vector<std::pair<std::string, std::vector<AgentMapping>>>;

/// The project layer of one (user, project): both fields optional (empty = not set).
struct ProjectSettings {
    std::optional<BoardDisplayConfig> board_display_config;
    std::optional<AgentPipelineMappings> agent_pipeline_mappings;

    friend bool operator==(const ProjectSettings&, const ProjectSettings&) = default;
};

/// A project for which a user has stored settings.
struct ProjectSummary {
    std::string project_id;
    std::string updated_at;

    friend bool operator==(const ProjectSummary&, const ProjectSummary&) = default;
};

}  // namespace settings
