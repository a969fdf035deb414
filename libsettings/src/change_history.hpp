#pragma once

// The history entries of one write: one per field whose stored value changed,
// with the old and new values as JSON text (revisions.md, "History").

#include <string>
#include <vector>

#include <settings/global_settings.hpp>
#include <settings/history.hpp>
#include <settings/preferences.hpp>
#include <settings/project_settings.hpp>

namespace settings::detail {

/// What every entry of one write shares.
struct ChangeContext {
    std::string at;
    Actor actor;
    Scope scope = Scope::global;
    std::string user_id;
    std::optional<std::string> project_id;
    std::int64_t revision = 0;
};

/// A user layer's changed fields (not set: `null`).
std::vector<HistoryEntry> preference_changes(const ChangeContext& context,
                                             const Preferences& before, const Preferences& after);

/// The global row's changed fields, `allowed_models` included.
std::vector<HistoryEntry> global_changes(const ChangeContext& context, const GlobalSettings& before,
                                         const GlobalSettings& after);

/// A project row's changed fields, each document whole.
std::vector<HistoryEntry> project_changes(const ChangeContext& context,
                                          const ProjectSettings& before,
                                          const ProjectSettings& after);

}  // namespace settings::detail
