#pragma once

#include <string>
#include <vector>

#include <settings/global_settings.hpp>
#include <settings/project_settings.hpp>
#include <settings/user_preferences.hpp>

namespace settings {

/// One user's settings for one project, as stored.
struct ProjectRecord {
    std::string user_id;
    std::string project_id;
    ProjectSettings settings;

    friend bool operator==(const ProjectRecord&, const ProjectRecord&) = default;
};

/// Every settings layer of a database: the unit of export and import.
struct SettingsSnapshot {
    GlobalSettings global;
    std::vector<UserPreferences> users;
    std::vector<ProjectRecord> projects;

    friend bool operator==(const SettingsSnapshot&, const SettingsSnapshot&) = default;
};

/// How many rows an import wrote.
struct ImportSummary {
    std::size_t users = 0;
    std::size_t projects = 0;
};

}  // namespace settings
