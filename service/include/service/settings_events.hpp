#pragma once

// The events of GET /api/v1/settings/events (revisions.md, "Live changes"):
// one per write, made from the history entries the write appended.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <settings/history.hpp>

namespace service {

struct SettingsEvent {
    std::int64_t id = 0;  ///< the history id of the write's last entry
    settings::Scope scope = settings::Scope::global;
    std::string user_id;  ///< whose row; empty for global
    std::optional<std::string> project_id;
    std::int64_t revision = 0;  ///< the row's revision after the write
    std::vector<std::string> fields;

    friend bool operator==(const SettingsEvent&, const SettingsEvent&) = default;
};

/// Groups entries (oldest first) into events: consecutive entries of one row at
/// one revision are one write.
std::vector<SettingsEvent> events_of(const std::vector<settings::HistoryEntry>& entries);

/// Whether `user_id` sees the event: global changes, and their own rows.
bool visible_to(const SettingsEvent& event, std::string_view user_id);

/// The event as the stream sends it: `id:`, `event: settings`, `data:` and a
/// blank line. `revisions` names the changed layer only (`{"user": 3}`).
std::string event_text(const SettingsEvent& event);

}  // namespace service
