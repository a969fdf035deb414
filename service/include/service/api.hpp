#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include <service/admin_policy.hpp>
#include <service/config.hpp>
#include <service/drain.hpp>
#include <service/github_projects_cache.hpp>
#include <service/http_message.hpp>
#include <service/login_rate_limiter.hpp>
#include <service/oauth_states.hpp>
#include <service/response_cache.hpp>
#include <service/router.hpp>
#include <service/write_rate_limiter.hpp>
#include <session/session.hpp>
#include <session/session_store.hpp>
#include <settings/settings_store.hpp>
#include <settings/storage.hpp>

namespace service {

/// What the GitHub OAuth exchange produced.
struct GitHubLogin {
    session::SessionUser user;
    session::OAuthTokens tokens;
};

enum class GitHubFailure {
    rejected,     // GitHub refused the code or token: 401
    unavailable,  // GitHub could not be reached or answered nonsense: 502
    busy,         // too many calls to GitHub in flight: 503
};

/// A project list to ask GitHub for, with the session's tokens.
struct GitHubProjectsCall {
    std::string cookie;
    std::string user_id;
    session::OAuthTokens tokens;
};

/// What GitHub answered for a project list, and the tokens a refresh on the way
/// produced (they replace the session's).
struct GitHubProjectsAnswer {
    std::variant<std::vector<GitHubProject>, GitHubFailure> projects;
    std::optional<session::OAuthTokens> refreshed;
};

/// An event stream about to start: whose, and where it resumes.
struct EventsStart {
    std::string cookie;
    std::string user_id;
    /// Last-Event-ID (header, or the last_event_id query parameter) when it is a
    /// number; otherwise the stream starts with what happens next.
    std::optional<std::int64_t> resume_after;
};

/// The HTTP API as plain functions from requests to responses. The host calls
/// `triage` on its I/O thread; it answers everything that needs no storage and
/// says where the rest must run. Nothing here does I/O other than through the
/// stores. Thread-safe.
class Api {
  public:
    Api(const Config& config, settings::Storage& storage, settings::SettingsStore& settings,
        session::SessionStore& sessions, OAuthStates& states, ResponseCache& cache,
        AdminPolicy& admins, WriteRateLimiter& write_limiter, GitHubProjectsCache& github_projects,
        const Drain& drain);

    enum class Stage {
        respond,          // `response` is the answer
        storage_read,     // call `handle` on a storage thread
        storage_write,    // call `handle` on the storage thread for writes
        github_callback,  // call `begin_github_callback`, then GitHub, then `complete_login`
        github_projects,  // call `begin_github_projects` on a storage thread, then GitHub,
                          // then `complete_github_projects` (on the write thread if refreshed)
        events,           // call `begin_events` on a storage thread, then stream
    };
    struct Triage {
        Stage stage;
        Response response;
    };

    /// Health, readiness, 404, 405, CORS preflight, the OAuth start, a disabled dev login and
    /// repeated reads of the user's settings that the cache holds: everything that
    /// can be answered without waiting for storage. Never blocks.
    [[nodiscard]] Triage triage(const Request& request);

    /// The full answer to a request `triage` sent to storage, in the order of checks
    /// of decisions.md and security.md: 401, 403 (Origin), 403 (a global PUT by a
    /// non-admin), 429 (the user's write limit), 415, 400, 422. May block on the
    /// database. A write ends the read cache's generation unless it was refused
    /// (4xx): a refused request changed nothing.
    [[nodiscard]] Response handle(const Request& request);

    /// The OAuth callback's first step: consumes the state, which the browser must
    /// present with its login cookie. The code to exchange, or the 400 answer
    /// (GitHub is then not called).
    [[nodiscard]] std::variant<std::string, Response> begin_github_callback(const Request& request);
    /// Creates the session for a GitHub login: the 302 to FRONTEND_URL with the cookie.
    [[nodiscard]] Response complete_login(const GitHubLogin& login);
    /// The answer to a callback whose GitHub exchange failed.
    [[nodiscard]] Response github_failed(GitHubFailure failure) const;

    /// The project list's first step: the session (401), then the answer when
    /// none from GitHub is needed (dev login, a list cached in the last minute),
    /// else the call to make. May block on the database.
    [[nodiscard]] std::variant<GitHubProjectsCall, Response> begin_github_projects(
        const Request& request);
    /// Stores refreshed tokens in the session and the list in the cache; the answer.
    [[nodiscard]] Response complete_github_projects(const GitHubProjectsCall& call,
                                                    const GitHubProjectsAnswer& answer);

    /// The event stream's first step: the session (401). May block on the database.
    [[nodiscard]] std::variant<EventsStart, Response> begin_events(const Request& request);
    /// Whether the session behind `cookie` is still valid. May block on the database.
    [[nodiscard]] bool session_alive(std::string_view cookie);
    [[nodiscard]] settings::SettingsStore& settings_store() { return settings_; }

    /// Adds what every response carries: no-store, nosniff and, for the frontend's
    /// origin, the CORS headers.
    void finish(const Request& request, Response& response) const;

    [[nodiscard]] const Config& config() const { return config_; }

    /// Storage failures answered so far: 503 (`unavailable`, a retry may
    /// succeed) and 500 (`failed`).
    struct StorageErrors {
        std::uint64_t unavailable = 0;
        std::uint64_t failed = 0;
    };
    [[nodiscard]] StorageErrors storage_errors() const;

    /// Deletes the history entries older than HISTORY_RETENTION_DAYS (nothing when
    /// it is 0), in short transactions. Blocks on the database; never throws.
    void purge_history();

  private:
    template <typename Fn>
    std::invoke_result_t<Fn> guarded(Fn&& fn);
    Response health();
    Response ready();
    Response github_login(const Request& request);
    Response handle_checked(const Request& request);
    std::optional<Response> cached_user_settings(const Request& request);
    Response dispatch(const Request& request, const RouteMatch& route,
                      const std::optional<session::Session>& session, std::string_view cookie);

    const Config& config_;
    settings::Storage& storage_;
    settings::SettingsStore& settings_;
    session::SessionStore& sessions_;
    OAuthStates& states_;
    LoginRateLimiter login_starts_{settings::SystemClock::instance()};
    ResponseCache& cache_;
    AdminPolicy& admins_;
    WriteRateLimiter& write_limiter_;
    GitHubProjectsCache& github_projects_;
    const Drain& drain_;
    std::string frontend_origin_;
    std::atomic<std::uint64_t> storage_unavailable_{0};
    std::atomic<std::uint64_t> storage_failed_{0};
};

}  // namespace service
