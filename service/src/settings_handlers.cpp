#include "settings_handlers.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <service/entity_tag.hpp>
#include <settings/settings_json.hpp>
#include <settings/validation.hpp>

namespace service::handlers {

namespace {

const std::string& user_of(const session::Session& session) {
    return session.user.github_user_id;
}

settings::Actor actor_of(const session::Session& session) {
    return settings::Actor::user(session.user.github_user_id, session.user.github_username);
}

boost::json::object revisions_json(const settings::Revisions& revisions) {
    boost::json::object out{{"global", revisions.global}};
    if (revisions.user) {
        out["user"] = *revisions.user;
    }
    if (revisions.project) {
        out["project"] = *revisions.project;
    }
    return out;
}

// An effective body with its `revisions`, as the codec writes it.
template <typename View>
boost::json::object view_json(const View& view) {
    auto body = settings::to_json(view);
    body["revisions"] = revisions_json(settings::revisions_of(view));
    return body;
}

// 200 with the view and its ETag, or 304 when If-None-Match names it.
template <typename View>
Response view_answer(const View& view, std::optional<std::string_view> if_none_match) {
    const auto tag = entity_tag(settings::revisions_of(view));
    Response response;
    if (if_none_match && if_none_match_hits(*if_none_match, tag)) {
        response.status = 304;
    } else {
        response = json_response(200, view_json(view));
    }
    response.add_header("etag", tag);
    return response;
}

template <typename View>
Response precondition_failed(const View& current) {
    auto response = json_response(
        412, boost::json::object{{"error",
                                  "the settings changed since you read them (If-Match); "
                                  "nothing was written"},
                                 {"details", boost::json::array{}},
                                 {"current", view_json(current)}});
    response.add_header("etag", entity_tag(settings::revisions_of(current)));
    return response;
}

// A write's answer: 200 with the new view, 412 with the current one, or 422.
template <typename View>
Response write_answer(const settings::Outcome<View>& outcome) {
    if (outcome.conflicted()) {
        return precondition_failed(outcome.value());
    }
    if (!outcome) {
        return invalid(outcome.errors());
    }
    return view_answer(outcome.value(), std::nullopt);
}

// What an If-Match asks of a write (checked before the body's schema): the
// revisions the write must still find, or the 412 answer. `read` gives the
// current view.
template <typename Read>
std::variant<std::optional<settings::Revisions>, Response> expectation(
    std::optional<std::string_view> if_match, Read read) {
    if (!if_match) {
        return std::optional<settings::Revisions>();
    }
    const auto current = read();
    const auto revisions = settings::revisions_of(current);
    if (!if_match_passes(*if_match, entity_tag(revisions))) {
        return precondition_failed(current);
    }
    // `*` too: the write must find the view it was checked against.
    return std::optional(revisions);
}

// A positive whole number query parameter, or the error naming it.
std::optional<std::int64_t> whole_number(const std::string& text) {
    if (text.empty() || text.size() > 18 ||
        text.find_first_not_of("0123456789") != std::string::npos) {
        return std::nullopt;
    }
    return std::stoll(text);
}

}  // namespace

Response get_history(settings::SettingsStore& store, const session::Session& session,
                     std::string_view query) {
    settings::HistoryQuery wanted{.user_id = user_of(session)};
    settings::FieldErrors errors;
    if (auto scope = query_parameter(query, "scope")) {
        wanted.scope = settings::parse_scope(*scope);
        if (!wanted.scope) {
            errors.push_back({.field = "scope",
                              .code = settings::ErrorCode::not_allowed,
                              .message = "must be global, user or project",
                              .allowed = {"global", "user", "project"}});
        }
    }
    wanted.project_id = query_parameter(query, "project_id");
    if (auto limit = query_parameter(query, "limit")) {
        const auto number = whole_number(*limit);
        wanted.limit = number && *number <= 200 ? static_cast<std::size_t>(*number) : 0;
    }
    if (auto before = query_parameter(query, "before")) {
        wanted.before = whole_number(*before);
        if (!wanted.before || *wanted.before < 1) {
            errors.push_back({.field = "before",
                              .code = settings::ErrorCode::out_of_range,
                              .message = "must be a history id (a whole number from 1)",
                              .min = 1});
        }
    }
    if (!errors.empty()) {
        return invalid(errors);
    }
    const auto page = store.history(wanted);
    if (!page) {
        return invalid(page.errors());
    }
    return json_response(200, settings::to_json(page.value()));
}

Response invalid(const settings::FieldErrors& errors) {
    return error_response(422, "the request breaks the schema; nothing was written", errors);
}

Response too_many_writes(std::chrono::seconds retry_after) {
    auto response = error_response(
        429, "too many writes: this user's write limit is reached; nothing was written");
    response.add_header("retry-after", std::to_string(retry_after.count()));
    return response;
}

Response get_user_settings(settings::SettingsStore& store, const session::Session& session,
                           std::optional<std::string_view> if_none_match) {
    return view_answer(store.effective_user_settings(user_of(session)), if_none_match);
}

Response put_user_settings(settings::SettingsStore& store, const session::Session& session,
                           const boost::json::value& body,
                           std::optional<std::string_view> if_match) {
    auto expected =
        expectation(if_match, [&] { return store.effective_user_settings(user_of(session)); });
    if (auto* refused = std::get_if<Response>(&expected)) {
        return std::move(*refused);
    }
    const auto update = settings::parse_user_update(body);
    if (!update) {
        return invalid(update.errors());
    }
    return write_answer(store.update_user_settings(
        user_of(session), update.value(),
        {actor_of(session), std::get<std::optional<settings::Revisions>>(expected)}));
}

Response get_global_settings(settings::SettingsStore& store,
                             std::optional<std::string_view> if_none_match) {
    return view_answer(store.global_settings(), if_none_match);
}

Response put_global_settings(settings::SettingsStore& store, const session::Session& session,
                             const boost::json::value& body,
                             std::optional<std::string_view> if_match) {
    auto expected = expectation(if_match, [&] { return store.global_settings(); });
    if (auto* refused = std::get_if<Response>(&expected)) {
        return std::move(*refused);
    }
    const auto update = settings::parse_global_update(body);
    if (!update) {
        return invalid(update.errors());
    }
    return write_answer(store.update_global_settings(
        update.value(),
        {actor_of(session), std::get<std::optional<settings::Revisions>>(expected)}));
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
                              std::string_view project_id,
                              std::optional<std::string_view> if_none_match) {
    const auto view = store.effective_project_settings(user_of(session), project_id);
    if (!view) {
        return invalid(view.errors());
    }
    return view_answer(view.value(), if_none_match);
}

Response put_project_settings(settings::SettingsStore& store, const session::Session& session,
                              std::string_view project_id, const boost::json::value& body,
                              std::optional<std::string_view> if_match) {
    if (auto error = settings::validate_project_id(project_id)) {
        // Without a valid id there is no resource for If-Match to name.
        auto errors = settings::FieldErrors{*error};
        if (const auto update = settings::parse_project_update(body); !update) {
            errors.insert(errors.end(), update.errors().begin(), update.errors().end());
        }
        return invalid(errors);
    }
    auto expected = expectation(if_match, [&] {
        return store.effective_project_settings(user_of(session), project_id).value();
    });
    if (auto* refused = std::get_if<Response>(&expected)) {
        return std::move(*refused);
    }
    const auto update = settings::parse_project_update(body);
    if (!update) {
        return invalid(update.errors());
    }
    return write_answer(store.update_project_settings(
        user_of(session), project_id, update.value(),
        {actor_of(session), std::get<std::optional<settings::Revisions>>(expected)}));
}

}  // namespace service::handlers
