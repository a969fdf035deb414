#pragma once

#include <array>
#include <string>
#include <string_view>

#include <settings/field_table.hpp>

namespace settings::detail {

/// The column of each preference field in `user_preferences` and
/// `global_settings`, the same on every engine, in `field_table` order.
inline constexpr std::array<std::string_view, field_count> preference_columns{
    "ai_provider",
    "ai_model",
    "ai_temperature",
    "theme",
    "default_view",
    "sidebar_collapsed",
    "default_repository",
    "default_assignee",
    "copilot_polling_interval",
    "notify_task_status_change",
    "notify_agent_completion",
    "notify_new_recommendation",
    "notify_chat_mention",
};

constexpr std::string_view column_of(Field field) {
    return preference_columns[index_of(field)];
}

/// "ai_provider, ai_model, ..." in field_table order, each column after `prefix`
/// ("u." for "u.ai_provider"): the column list of every engine's SQL.
inline std::string column_list(std::string_view prefix = "") {
    std::string out;
    for (const auto column : preference_columns) {
        out.append(out.empty() ? "" : ", ").append(prefix).append(column);
    }
    return out;
}

}  // namespace settings::detail
