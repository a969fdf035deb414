#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

#include <settings/preferences.hpp>
#include <settings/project_settings.hpp>

namespace settings {

/// The layer an effective value came from.
enum class Source { global, user, project };

std::string_view to_string(Source source);

/// global ⊕ user: every field set (except a `workflow.default_repository` that no
/// layer sets), each with the layer it came from.
struct EffectiveUserSettings {
    Preferences values;
    std::array<Source, field_count> sources{};

    [[nodiscard]] Source source(Field field) const { return sources[index_of(field)]; }

    friend bool operator==(const EffectiveUserSettings&, const EffectiveUserSettings&) = default;
};

/// global ⊕ user ⊕ project. Project rows carry only the two project fields; where
/// the project layer does not set one, it is empty and its source is `global`.
struct EffectiveProjectSettings {
    EffectiveUserSettings user;
    std::string project_id;
    ProjectSettings project;

    [[nodiscard]] Source board_display_config_source() const {
        return project.board_display_config ? Source::project : Source::global;
    }
    [[nodiscard]] Source agent_pipeline_mappings_source() const {
        return project.agent_pipeline_mappings ? Source::project : Source::global;
    }

    friend bool operator==(const EffectiveProjectSettings&,
                           const EffectiveProjectSettings&) = default;
};

/// global ⊕ user: each field from `user` where it sets one, else from `global`.
/// The one merge of the libraries; it never sees how the layers were stored.
EffectiveUserSettings merge_layers(const Preferences& global,
                                   const std::optional<Preferences>& user);

/// effective(user) ⊕ project: the project layer as stored (empty when there is no
/// row), over the user's effective settings.
EffectiveProjectSettings merge_layers(EffectiveUserSettings user, std::string_view project_id,
                                      std::optional<ProjectSettings> project);

}  // namespace settings
