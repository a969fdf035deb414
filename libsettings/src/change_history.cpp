#include "change_history.hpp"

#include <boost/json/value.hpp>

#include <settings/json_text.hpp>

#include "storage/stored_documents.hpp"

namespace settings::detail {

namespace {

std::optional<std::string> json_of(const std::optional<FieldValue>& value) {
    if (!value) {
        return std::nullopt;
    }
    return std::visit([](const auto& v) { return to_json_text(boost::json::value(v)); }, *value);
}

HistoryEntry entry(const ChangeContext& context, std::string field,
                   std::optional<std::string> old_value, std::optional<std::string> new_value) {
    return {.id = 0,
            .at = context.at,
            .actor = context.actor,
            .scope = context.scope,
            .user_id = context.user_id,
            .project_id = context.project_id,
            .field = std::move(field),
            .old_value = std::move(old_value),
            .new_value = std::move(new_value),
            .revision = context.revision};
}

}  // namespace

std::vector<HistoryEntry> preference_changes(const ChangeContext& context,
                                             const Preferences& before, const Preferences& after) {
    std::vector<HistoryEntry> out;
    for (const auto& field : field_table) {
        if (before[field.field] != after[field.field]) {
            out.push_back(entry(context, std::string(field.path), json_of(before[field.field]),
                                json_of(after[field.field])));
        }
    }
    return out;
}

std::vector<HistoryEntry> global_changes(const ChangeContext& context, const GlobalSettings& before,
                                         const GlobalSettings& after) {
    auto out = preference_changes(context, before.preferences, after.preferences);
    if (before.allowed_models != after.allowed_models) {
        out.push_back(entry(context, "allowed_models", allowed_models_text(before.allowed_models),
                            allowed_models_text(after.allowed_models)));
    }
    return out;
}

std::vector<HistoryEntry> project_changes(const ChangeContext& context,
                                          const ProjectSettings& before,
                                          const ProjectSettings& after) {
    std::vector<HistoryEntry> out;
    if (before.board_display_config != after.board_display_config) {
        out.push_back(entry(context, "board_display_config", board_display_config_text(before),
                            board_display_config_text(after)));
    }
    if (before.agent_pipeline_mappings != after.agent_pipeline_mappings) {
        out.push_back(entry(context, "agent_pipeline_mappings",
                            agent_pipeline_mappings_text(before),
                            agent_pipeline_mappings_text(after)));
    }
    return out;
}

}  // namespace settings::detail
