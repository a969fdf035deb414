#pragma once

// Handlers of /api/v1/auth/*: sessions in, sessions out, through libsession.

#include <optional>
#include <string_view>

#include <boost/json/value.hpp>

#include <service/api.hpp>
#include <service/config.hpp>
#include <service/http_message.hpp>
#include <session/session_store.hpp>

namespace service::handlers {

/// `response` with the session cookie set again, with a fresh Max-Age.
Response with_session_cookie(Response response, std::string_view cookie, const Config& config);

/// The User document of a session.
boost::json::object user_json(const session::Session& session);

/// The User document with `is_admin`.
Response me(const session::Session& session, bool is_admin);
Response select_project(session::SessionStore& sessions, std::string_view cookie,
                        const boost::json::value& body);
Response logout(session::SessionStore& sessions, std::optional<std::string_view> cookie,
                const Config& config);
/// Signs the user in (AdminPolicy::signed_in first); the User with `is_admin`.
Response dev_login(session::SessionStore& sessions, AdminPolicy& admins,
                   const boost::json::value& body, const Config& config);
/// 302 to GitHub's authorize URL with a new state and the cookie that binds it to
/// this browser; 503 when no OAuth app is set or too many logins are pending.
Response github_login(OAuthStates& states, const Config& config, std::string_view client);
/// The session of a GitHub login: 302 to the frontend with the cookie.
Response complete_login(session::SessionStore& sessions, const GitHubLogin& login,
                        const Config& config);

}  // namespace service::handlers
