#include <settings/effective_settings.hpp>

namespace settings {

std::string_view to_string(Source source) {
    switch (source) {
        case Source::global:
            return "global";
        case Source::user:
            return "user";
        case Source::project:
            return "project";
    }
    return "global";
}

EffectiveUserSettings merge_layers(const Preferences& global,
                                   const std::optional<Preferences>& user) {
    EffectiveUserSettings effective;
    effective.values = global;
    if (user) {
        for (const auto& field : field_table) {
            if (const auto& value = (*user)[field.field]) {
                effective.values[field.field] = value;
                effective.sources[index_of(field.field)] = Source::user;
            }
        }
    }
    return effective;
}

EffectiveProjectSettings merge_layers(EffectiveUserSettings user, std::string_view project_id,
                                      std::optional<ProjectSettings> project) {
    return {std::move(user), std::string(project_id),
            project ? std::move(*project) : ProjectSettings{}};
}

Revisions revisions_of(const GlobalSettings& settings) {
    return {.global = settings.revision, .user = std::nullopt, .project = std::nullopt};
}

Revisions revisions_of(const EffectiveUserSettings& settings) {
    return {.global = settings.global_revision,
            .user = settings.user_revision,
            .project = std::nullopt};
}

Revisions revisions_of(const EffectiveProjectSettings& settings) {
    auto revisions = revisions_of(settings.user);
    revisions.project = settings.project_revision;
    return revisions;
}

}  // namespace settings
