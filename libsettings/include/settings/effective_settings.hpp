#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <settings/global_settings.hpp>
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
    /// The revisions of the layers it was merged from; 0 for a layer with no row.
    std::int64_t global_revision = 0;
    std::int64_t user_revision = 0;

    [[nodiscard]] Source source(Field field) const { return sources[index_of(field)]; }

    friend bool operator==(const EffectiveUserSettings&, const EffectiveUserSettings&) = default;
};

/// global ⊕ user ⊕ project. Project rows carry only the two project fields; where
/// the project layer does not set one, it is empty and its source is `global`.
struct EffectiveProjectSettings {
    EffectiveUserSettings user;
    std::string project_id;
    ProjectSettings project;
    std::int64_t project_revision = 0;  ///< 0 when the project has no row

    [[nodiscard]] Source board_display_config_source() const {
        return project.board_display_config ? Source::project : Source::global;
    }
    [[nodiscard]] Source agent_pipeline_mappings_source() const {
        return project.agent_pipeline_mappings ? Source::project : Source::global;
    }

    friend bool operator==(const EffectiveProjectSettings&,
                           const EffectiveProjectSettings&) = default;
};

/// The layer revisions a view was read at, or that a conditional update expects
/// (revisions.md): `user` for user and project views, `project` for project views.
struct Revisions {
    std::int64_t global = 0;
    std::optional<std::int64_t> user;
    std::optional<std::int64_t> project;

    friend bool operator==(const Revisions&, const Revisions&) = default;
};

Revisions revisions_of(const GlobalSettings& settings);
Revisions revisions_of(const EffectiveUserSettings& settings);
Revisions revisions_of(const EffectiveProjectSettings& settings);

/// global ⊕ user: each field from `user` where it sets one, else from `global`.
/// The one merge of the libraries; it never sees how the layers were stored.
EffectiveUserSettings merge_layers(const Preferences& global,
                                   const std::optional<Preferences>& user);

/// effective(user) ⊕ project: the project layer as stored (empty when there is no
/// row), over the user's effective settings.
EffectiveProjectSettings merge_layers(EffectiveUserSettings user, std::string_view project_id,
                                      std::optional<ProjectSettings> project);

}  // namespace settings
