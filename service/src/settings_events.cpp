#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <service/settings_events.hpp>
#include <settings/json_text.hpp>

namespace service {

std::vector<SettingsEvent> events_of(const std::vector<settings::HistoryEntry>& entries) {
    std::vector<SettingsEvent> events;
    for (const auto& entry : entries) {
        const bool same_write = !events.empty() && events.back().scope == entry.scope &&
                                events.back().user_id == entry.user_id &&
                                events.back().project_id == entry.project_id &&
                                events.back().revision == entry.revision;
        if (!same_write) {
            events.push_back(
                {entry.id, entry.scope, entry.user_id, entry.project_id, entry.revision, {}});
        }
        events.back().id = entry.id;
        events.back().fields.push_back(entry.field);
    }
    return events;
}

bool visible_to(const SettingsEvent& event, std::string_view user_id) {
    return event.scope == settings::Scope::global || event.user_id == user_id;
}

std::string event_text(const SettingsEvent& event) {
    boost::json::object data{{"scope", settings::to_string(event.scope)}};
    if (event.project_id) {
        data["project_id"] = *event.project_id;
    }
    data["revisions"] = boost::json::object{{settings::to_string(event.scope), event.revision}};
    boost::json::array fields;
    for (const auto& field : event.fields) {
        fields.emplace_back(field);
    }
    data["fields"] = std::move(fields);
    std::string text = "id: ";
    text.append(std::to_string(event.id))
        .append("\nevent: settings\ndata: ")
        .append(settings::to_json_text(data))
        .append("\n\n");
    return text;
}

}  // namespace service
