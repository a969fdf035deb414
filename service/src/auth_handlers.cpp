#include "auth_handlers.hpp"

#include <boost/json/object.hpp>

#include <service/cookies.hpp>
#include <settings/sha256.hpp>
#include <settings/validation.hpp>

#include "settings_handlers.hpp"

namespace service::handlers {

namespace {

constexpr std::size_t max_username_length = 39;
constexpr std::size_t max_avatar_url_bytes = 2048;

boost::json::value optional_text(const std::optional<std::string>& text) {
    return text ? boost::json::value(*text) : boost::json::value(nullptr);
}

// The dev-login body: {"username": ..., "user_id": ..., "avatar_url": ...}.
settings::Outcome<session::SessionUser> read_dev_user(const boost::json::object& body) {
    settings::FieldErrors errors;
    session::SessionUser user;
    bool has_username = false;
    for (const auto& member : body) {
        const std::string key(member.key());
        const auto& value = member.value();
        if (key == "username") {
            const auto length =
                value.is_string() ? settings::utf8_length(value.get_string()) : std::nullopt;
            if (!length || *length == 0 || *length > max_username_length) {
                errors.push_back({.field = key,
                                  .code = !value.is_string() ? settings::ErrorCode::wrong_type
                                          : !length          ? settings::ErrorCode::bad_format
                                          : *length == 0     ? settings::ErrorCode::required
                                                             : settings::ErrorCode::too_long,
                                  .message = "must be a string of 1 to 39 characters",
                                  .max = max_username_length});
            } else {
                user.github_username = value.get_string();
                has_username = true;
            }
        } else if (key == "user_id") {
            auto error = value.is_string() ? settings::validate_user_id(value.get_string())
                                           : settings::validate_user_id("");
            if (error) {
                if (!value.is_string()) {
                    error->code = settings::ErrorCode::wrong_type;
                }
                errors.push_back(std::move(*error));
            } else {
                user.github_user_id = value.get_string();
            }
        } else if (key == "avatar_url") {
            if (!value.is_string() || value.get_string().size() > max_avatar_url_bytes) {
                errors.push_back({.field = key,
                                  .code = value.is_string() ? settings::ErrorCode::too_long
                                                            : settings::ErrorCode::wrong_type,
                                  .message = "must be a string of at most 2048 bytes",
                                  .max = max_avatar_url_bytes});
            } else {
                user.github_avatar_url = std::string(value.get_string());
            }
        } else {
            errors.push_back({.field = key,
                              .code = settings::ErrorCode::unknown_field,
                              .message = "is not a known field"});
        }
    }
    if (!has_username && !body.contains("username")) {
        errors.push_back(
            {.field = "username", .code = settings::ErrorCode::required, .message = "is required"});
    }
    if (!errors.empty()) {
        return errors;
    }
    if (user.github_user_id.empty()) {
        // Stable across logins, and never equal to a numeric GitHub id.
        user.github_user_id = "dev-" + settings::sha256_hex(user.github_username).substr(0, 16);
    }
    return user;
}

}  // namespace

Response with_session_cookie(Response response, std::string_view cookie, const Config& config) {
    response.add_header("set-cookie",
                        session_cookie(cookie, config.session_expire, config.cookie_secure));
    return response;
}

boost::json::object user_json(const session::Session& session) {
    return {{"github_user_id", session.user.github_user_id},
            {"github_username", session.user.github_username},
            {"github_avatar_url", optional_text(session.user.github_avatar_url)},
            {"selected_project_id", optional_text(session.selected_project_id)}};
}

Response me(const session::Session& session, bool is_admin) {
    auto user = user_json(session);
    user["is_admin"] = is_admin;
    return json_response(200, user);
}

Response select_project(session::SessionStore& sessions, std::string_view cookie,
                        const boost::json::value& body) {
    settings::FieldErrors errors;
    std::optional<std::string> project;
    const auto& object = body.get_object();
    for (const auto& member : object) {
        if (member.key() != "selected_project_id") {
            errors.push_back({.field = std::string(member.key()),
                              .code = settings::ErrorCode::unknown_field,
                              .message = "is not a known field"});
        }
    }
    if (const auto* value = object.if_contains("selected_project_id")) {
        auto error =
            value->is_string() ? settings::validate_project_id(value->get_string()) : std::nullopt;
        if (value->is_string() && !error) {
            project = std::string(value->get_string());
        } else if (!value->is_null()) {
            errors.push_back(
                {.field = "selected_project_id",
                 .code = error ? error->code : settings::ErrorCode::wrong_type,
                 .message = "must be null or 1 to 128 characters of A-Z, a-z, 0-9, _ and -",
                 .max = error ? error->max : std::nullopt});
        }
    } else {
        errors.push_back({.field = "selected_project_id",
                          .code = settings::ErrorCode::required,
                          .message = "is required"});
    }
    if (!errors.empty()) {
        return invalid(errors);
    }
    const auto updated = sessions.select_project(
        cookie, project ? std::optional<std::string_view>(*project) : std::nullopt);
    if (!updated) {
        return error_response(401, "no valid session");
    }
    return json_response(200, user_json(*updated));
}

Response logout(session::SessionStore& sessions, std::optional<std::string_view> cookie,
                const Config& config) {
    if (cookie) {
        sessions.remove(*cookie);
    }
    auto response = json_response(200, boost::json::object{{"logged_out", true}});
    response.add_header("set-cookie", expired_session_cookie(config.cookie_secure));
    return response;
}

Response dev_login(session::SessionStore& sessions, AdminPolicy& admins,
                   const boost::json::value& body, const Config& config) {
    const auto user = read_dev_user(body.get_object());
    if (!user) {
        return invalid(user.errors());
    }
    admins.signed_in(user.value());
    const auto created = sessions.create(user.value(), session::OAuthTokens{});
    auto document = user_json(created.session);
    document["is_admin"] = admins.is_admin(user.value());
    return with_session_cookie(json_response(200, document), created.cookie, config);
}

Response github_login(OAuthStates& states, const Config& config, std::string_view client) {
    if (!config.github_client_id || !config.github_client_secret) {
        return error_response(503,
                              "GitHub login is not configured on this server "
                              "(GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET)");
    }
    const auto issued = states.issue(client);
    if (!issued) {
        auto response = error_response(503, "too many GitHub logins are in progress; try again");
        response.add_header("retry-after", "60");
        return response;
    }
    const auto& base = config.github_oauth_url;
    Response response;
    response.status = 302;
    response.add_header(
        "location", base.origin() + base.path +
                        "/login/oauth/authorize?client_id=" + url_encode(*config.github_client_id) +
                        "&scope=read%3Auser%20read%3Aproject&state=" + url_encode(issued->state));
    response.add_header("set-cookie", login_cookie(issued->binding, config.cookie_secure));
    return response;
}

Response complete_login(session::SessionStore& sessions, const GitHubLogin& login,
                        const Config& config) {
    const auto created = sessions.create(login.user, login.tokens);
    Response response;
    response.status = 302;
    response.add_header("location", config.frontend_url.origin() + config.frontend_url.path + "/");
    return with_session_cookie(std::move(response), created.cookie, config);
}

}  // namespace service::handlers
