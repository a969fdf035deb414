#pragma once

#include <optional>
#include <string>

namespace session {

/// The GitHub user a session belongs to.
struct SessionUser {
    std::string github_user_id;
    std::string github_username;
    std::optional<std::string> github_avatar_url;

    friend bool operator==(const SessionUser&, const SessionUser&) = default;
};

/// OAuth tokens as GitHub issued them. Never returned by the API, never logged.
struct OAuthTokens {
    std::string access_token;
    std::optional<std::string> refresh_token;
    /// When the access token expires (`2026-11-26T10:00:00.000Z`), if GitHub said.
    std::optional<std::string> expires_at;

    friend bool operator==(const OAuthTokens&, const OAuthTokens&) = default;
};

/// A live session: the full record of SES-5.
struct Session {
    SessionUser user;
    OAuthTokens tokens;
    std::optional<std::string> selected_project_id;
    std::string created_at;
    /// Last recorded activity; expiry is measured from here.
    std::string updated_at;

    friend bool operator==(const Session&, const Session&) = default;
};

/// A new session and the cookie value that identifies it. The cookie value is
/// handed to the client once; the store keeps only its SHA-256 digest.
struct CreatedSession {
    Session session;
    std::string cookie;
};

}  // namespace session
