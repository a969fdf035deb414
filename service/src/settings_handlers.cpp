#include "settings_handlers.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <settings/settings_json.hpp>
#include <settings/validation.hpp>

namespace service::handlers {

namespace {

template <typename T>
Response answer(const settings::Outcome<T>& outcome) {
    if (!outcome) {
        return invalid(outcome.errors());
    }
    return json_response(200, settings::to_json(outcome.value()));
}

const std::string& user_of(const session::Session& session) {
    return session.user.github_user_id;
}

}  // namespace

Response invalid(const settings::FieldErrors& errors) {
    return error_response(422, "the request breaks the schema; nothing was written", errors);
}

Response too_many_writes(std::chrono::seconds retry_after) {
    auto response = error_response(
        429, "too many writes: this user's write limit is reached; nothing was written");
    response.add_header("retry-after", std::to_string(retry_after.count()));
    return response;
}

Response get_user_settings(settings::SettingsStore& store, const session::Session& session) {
    return json_response(200, settings::to_json(store.effective_user_settings(user_of(session))));
}

Response put_user_settings(settings::SettingsStore& store, const session::Session& session,
                           const boost::json::value& body) {
    const auto update = settings::parse_user_update(body);
    if (!update) {
        return invalid(update.errors());
    }
    return answer(store.update_user_settings(user_of(session), update.value()));
}

Response get_global_settings(settings::SettingsStore& store) {
    return json_response(200, settings::to_json(store.global_settings()));
}

Response put_global_settings(settings::SettingsStore& store, const boost::json::value& body) {
    const auto update = settings::parse_global_update(body);
    if (!update) {
        return invalid(update.errors());
    }
    return answer(store.update_global_settings(update.value()));
}

Response get_projects(settings::SettingsStore& store, const session::Session& session) {
    boost::json::array projects;
    for (const auto& p : store.projects(user_of(session))) {
        projects.push_back(
            boost::json::object{{"project_id", p.project_id}, {"updated_at", p.updated_at}});
    }
    return json_response(200, boost::json::object{{"projects", std::move(projects)}});
}

Response get_project_settings(settings::SettingsStore& store, const session::Session& session,
                              std::string_view project_id) {
    return answer(store.effective_project_settings(user_of(session), project_id));
}

Response put_project_settings(settings::SettingsStore& store, const session::Session& session,
                              std::string_view project_id, const boost::json::value& body) {
    const auto update = settings::parse_project_update(body);
    settings::FieldErrors errors;
    if (auto error = settings::validate_project_id(project_id)) {
        errors.push_back(*error);
    }
    if (!update) {
        errors.insert(errors.end(), update.errors().begin(), update.errors().end());
    }
    if (!errors.empty()) {
        return invalid(errors);
    }
    return answer(store.update_project_settings(user_of(session), project_id, update.value()));
}

}  // namespace service::handlers
