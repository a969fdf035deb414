#include <algorithm>
#include <cctype>
#include <type_traits>

#include <boost/json/object.hpp>

#include <service/api.hpp>
#include <service/client_address.hpp>
#include <service/cookies.hpp>
#include <service/entity_tag.hpp>
#include <settings/errors.hpp>
#include <settings/log.hpp>
#include <settings/strict_json.hpp>
#include <settings/wait_deadline.hpp>

#include "auth_handlers.hpp"
#include "github_handlers.hpp"
#include "settings_handlers.hpp"

namespace service {

namespace {

bool is_write(std::string_view method) {
    return method == "PUT" || method == "POST";
}

// `application/json`, any case, optionally with parameters (`; charset=utf-8`).
bool is_json_content_type(std::string_view value) {
    const auto type = value.substr(0, value.find(';'));
    const auto last = type.find_last_not_of(" \t");
    const auto trimmed = type.substr(0, last == std::string_view::npos ? 0 : last + 1);
    constexpr std::string_view json = "application/json";
    return trimmed.size() == json.size() &&
           std::equal(trimmed.begin(), trimmed.end(), json.begin(), [](char a, char b) {
               return std::tolower(static_cast<unsigned char>(a)) == b;
           });
}

// The methods of RFC 9110 and PATCH; any other token is not a method at all.
bool is_known_method(std::string_view method) {
    for (std::string_view known :
         {"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"}) {
        if (method == known) {
            return true;
        }
    }
    return false;
}

bool is_rejection(int status) {
    return status >= 400 && status < 500;
}

bool takes_body(Endpoint endpoint) {
    return endpoint != Endpoint::logout;
}

// The one read answered from the cache: the hot path of the applications.
bool is_cacheable(const Request& request, Endpoint endpoint) {
    return endpoint == Endpoint::user_settings && request.method == "GET";
}

// A header the response carries, or an empty text.
std::string header_of(const Response& response, std::string_view name) {
    for (const auto& header : response.headers) {
        if (header.name == name) {
            return header.value;
        }
    }
    return {};
}

std::optional<std::string_view> session_cookie_of(const Request& request) {
    const auto header = request.header("cookie");
    return header ? find_cookie(*header, "session_id") : std::nullopt;
}

// A call to GitHub that failed: 401 with `rejected`, 502, or 503 to try again.
Response github_failure_response(GitHubFailure failure, std::string_view rejected) {
    switch (failure) {
        case GitHubFailure::rejected:
            return error_response(401, rejected);
        case GitHubFailure::unavailable:
            return error_response(502, "GitHub could not be reached; try again");
        case GitHubFailure::busy:
            break;
    }
    auto response = error_response(503, "too many calls to GitHub are in flight; try again");
    response.add_header("retry-after", "1");
    return response;
}

}  // namespace

// The one place where storage failures become HTTP statuses, counted for
// storage_errors. A file found replaced or damaged was logged as an ERROR once by
// the engine; each request refused for it is only debug.
template <typename Fn>
std::invoke_result_t<Fn> Api::guarded(Fn&& fn) {
    try {
        return fn();
    } catch (const settings::StorageUnavailableError& e) {
        storage_unavailable_.fetch_add(1, std::memory_order_relaxed);
        const auto state = storage_.state();
        const bool told =
            state == settings::StorageState::replaced || state == settings::StorageState::corrupt;
        const auto message = std::string("storage unavailable: ") + e.what();
        if (told) {
            settings::log::debug("http", message);
        } else {
            settings::log::warn("http", message);
        }
        auto response =
            error_response(503, "the database cannot take this request right now; retry shortly");
        response.add_header("retry-after", "1");
        return response;
    } catch (const settings::StorageError& e) {
        storage_failed_.fetch_add(1, std::memory_order_relaxed);
        settings::log::error("http", std::string("storage failure: ") + e.what());
        return error_response(500, "the database failed to answer");
    }
}

Api::Api(const Config& config, settings::Storage& storage, settings::SettingsStore& settings,
         session::SessionStore& sessions, OAuthStates& states, ResponseCache& cache,
         AdminPolicy& admins, WriteRateLimiter& write_limiter, GitHubProjectsCache& github_projects,
         const Drain& drain)
    : config_(config),
      storage_(storage),
      settings_(settings),
      sessions_(sessions),
      states_(states),
      cache_(cache),
      admins_(admins),
      write_limiter_(write_limiter),
      github_projects_(github_projects),
      drain_(drain),
      frontend_origin_(config.frontend_url.origin()) {}

// Never waits: Storage::state answers from what the engine last saw.
Response Api::health() {
    const auto state = storage_.state();
    const bool reachable = state == settings::StorageState::ok;
    auto response = json_response(
        reachable ? 200 : 503,
        boost::json::object{{"status", reachable ? "ok" : "unavailable"},
                            {"schema_version", storage_.schema_version()},
                            {"storage", reachable ? settings::to_string(storage_.engine())
                                                  : settings::to_string(state)},
                            {"dev_login", config_.dev_login}});
    if (!reachable) {
        response.add_header("retry-after", "1");
    }
    return response;
}

// Never waits either. The schema is at the program's version once the process
// listens (start-up migrates first, or exits), so "migrated" needs no query.
Response Api::ready() {
    std::string reason;
    if (drain_.draining()) {
        reason = "draining: the process is shutting down";
    } else if (const auto state = storage_.state(); state != settings::StorageState::ok) {
        // unavailable, replaced or corrupt: no request would be served.
        reason = "storage ";
        reason += settings::to_string(state);
    } else {
        return json_response(200, boost::json::object{{"status", "ready"}});
    }
    auto response =
        json_response(503, boost::json::object{{"status", "unavailable"}, {"reason", reason}});
    response.add_header("retry-after", "1");
    return response;
}

void Api::purge_history() {
    if (config_.history_retention.count() == 0) {
        return;
    }
    try {
        const auto purged =
            settings_.purge_history(std::chrono::system_clock::now() - config_.history_retention);
        if (purged > 0) {
            settings::log::info("history", "purged " + std::to_string(purged) +
                                               " entries past HISTORY_RETENTION_DAYS");
        }
    } catch (const std::exception& e) {
        settings::log::error("history", std::string("purge failed: ") + e.what());
    }
}

Api::StorageErrors Api::storage_errors() const {
    return {storage_unavailable_.load(std::memory_order_relaxed),
            storage_failed_.load(std::memory_order_relaxed)};
}

Api::Triage Api::triage(const Request& request) {
    if (!is_known_method(request.method)) {
        return {Stage::respond, error_response(400, "unknown request method")};
    }
    const auto route = match_route(request.path());
    if (!route || (route->endpoint == Endpoint::dev_login && !config_.dev_login)) {
        return {Stage::respond, error_response(404, "no such endpoint")};
    }
    const auto endpoint = route->endpoint;
    if (request.method == "OPTIONS") {
        if (request.header("origin") != frontend_origin_) {
            return {Stage::respond, error_response(403,
                                                   "cross-origin requests are allowed only "
                                                   "from the configured frontend")};
        }
        Response preflight;
        preflight.status = 204;
        preflight.add_header("access-control-allow-methods",
                             std::string(allowed_methods(endpoint)) + ", OPTIONS");
        preflight.add_header("access-control-allow-headers",
                             "Content-Type, If-Match, If-None-Match");
        preflight.add_header("access-control-max-age", "600");
        return {Stage::respond, std::move(preflight)};
    }
    if (!allows_method(endpoint, request.method)) {
        auto response = error_response(405, "method not allowed on this endpoint");
        response.add_header("allow", std::string(allowed_methods(endpoint)));
        return {Stage::respond, std::move(response)};
    }
    switch (endpoint) {
        case Endpoint::health:
            return {Stage::respond, health()};
        case Endpoint::ready:
            return {Stage::respond, ready()};
        case Endpoint::github_login:
            return {Stage::respond, github_login(request)};
        case Endpoint::github_callback:
            return {Stage::github_callback, {}};
        case Endpoint::github_projects:
            return {Stage::github_projects, {}};
        case Endpoint::events:
            return {Stage::events, {}};
        default:
            break;
    }
    // A version that asks the server (PostgreSQL) is read on a storage thread,
    // in handle_checked.
    if (storage_.tracks_changes() && !storage_.change_version_asks_server() &&
        is_cacheable(request, endpoint)) {
        if (auto cached = cached_user_settings(request)) {
            return {Stage::respond, std::move(*cached)};
        }
    }
    return {is_write(request.method) ? Stage::storage_write : Stage::storage_read, {}};
}

Response Api::github_login(const Request& request) {
    const auto wait = login_starts_.admit(client_key(request, config_.trust_x_forwarded_for));
    if (wait.count() > 0) {
        auto response = error_response(429, "too many GitHub logins started from this address");
        response.add_header("retry-after", std::to_string(wait.count()));
        return response;
    }
    return handlers::github_login(states_, config_,
                                  client_key(request, config_.trust_x_forwarded_for));
}

std::optional<Response> Api::cached_user_settings(const Request& request) {
    const auto cookie = session_cookie_of(request);
    if (!cookie) {
        return std::nullopt;
    }
    const auto cached = cache_.find(*cookie, request.received);
    if (!cached) {
        return std::nullopt;
    }
    // The same answer as handle_checked gives: the body (or 304), its ETag and the
    // refreshed cookie. The cached text is the ETag, a line end, then the body.
    const std::string_view text = *cached;
    const auto line_end = text.find('\n');
    const auto tag = text.substr(0, line_end);
    Response response;
    const auto if_none_match = request.header("if-none-match");
    if (if_none_match && if_none_match_hits(*if_none_match, tag)) {
        response.status = 304;
    } else {
        response.add_header("content-type", "application/json");
        response.body = text.substr(line_end + 1);
    }
    response.add_header("etag", std::string(tag));
    return handlers::with_session_cookie(std::move(response), *cookie, config_);
}

Response Api::handle(const Request& request) {
    // However long the request queued, storage answers it within the busy
    // timeout of its arrival.
    const settings::WaitDeadline deadline(request.received + storage_.busy_timeout());
    if (!is_write(request.method)) {
        return guarded([&] { return handle_checked(request); });
    }
    // However the write ends, no read that starts after its answer may be served
    // what the cache held before it; only a refusal (4xx) is known to have
    // changed nothing, and a flood of refusals must not empty the cache.
    struct Invalidate {
        ResponseCache& cache;
        bool refused = false;
        ~Invalidate() {
            if (!refused) {
                cache.invalidate();
            }
        }
    } invalidate{cache_};
    auto response = guarded([&] { return handle_checked(request); });
    invalidate.refused = is_rejection(response.status);
    return response;
}

Response Api::handle_checked(const Request& request) {
    const auto route = match_route(request.path());
    if (!route) {
        return error_response(404, "no such endpoint");
    }
    const auto cookie = session_cookie_of(request);
    const bool cacheable = is_cacheable(request, route->endpoint);
    // Taken before the session is read: see ResponseCache::generation.
    const auto generation =
        cacheable ? cache_.generation(request.received) : ResponseCache::Generation{};
    if (cacheable && storage_.tracks_changes() && storage_.change_version_asks_server()) {
        if (auto cached = cached_user_settings(request)) {
            return std::move(*cached);
        }
    }
    std::optional<session::Session> session;
    if (needs_session(route->endpoint)) {
        if (cookie) {
            session = sessions_.find(*cookie);
        }
        if (!session) {
            return error_response(401, "no valid session: sign in first");
        }
    }
    if (is_write(request.method)) {
        const auto origin = request.header("origin");
        if (origin && *origin != frontend_origin_) {
            return error_response(403,
                                  "cross-origin writes are allowed only from the "
                                  "configured frontend");
        }
        if (route->endpoint == Endpoint::global_settings && !admins_.is_admin(session->user)) {
            return error_response(403, "only admins may change the global settings");
        }
        if (session) {
            if (const auto wait =
                    write_limiter_.admit(session->user.github_user_id, request.received)) {
                return handlers::too_many_writes(*wait);
            }
        }
        const auto content_type = request.header("content-type");
        if (!content_type || !is_json_content_type(*content_type)) {
            return error_response(415, "the body must be sent as Content-Type: application/json");
        }
    }
    auto response = dispatch(request, *route, session, cookie.value_or(""));
    if (cacheable && storage_.tracks_changes() && response.status == 200) {
        cache_.remember(*cookie, sessions_.quiet_until(*session),
                        header_of(response, "etag") + "\n" + response.body, generation);
    }
    const bool answered = response.status == 200 || response.status == 304;
    if (session && answered && route->endpoint != Endpoint::logout) {
        // Keep the browser's cookie as alive as the sliding session behind it.
        response = handlers::with_session_cookie(std::move(response), *cookie, config_);
    }
    return response;
}

Response Api::dispatch(const Request& request, const RouteMatch& route,
                       const std::optional<session::Session>& session, std::string_view cookie) {
    boost::json::value body;
    if (is_write(request.method) && takes_body(route.endpoint)) {
        auto parsed = settings::parse_strict_json(request.body);
        if (const auto* error = std::get_if<settings::JsonSyntaxError>(&parsed)) {
            return error_response(400, error->message);
        }
        body = std::move(std::get<boost::json::value>(parsed));
        if (!body.is_object()) {
            return error_response(400, "the body must be a JSON object");
        }
    }
    const bool put = request.method == "PUT";
    switch (route.endpoint) {
        case Endpoint::me:
            return handlers::me(*session, admins_.is_admin(session->user));
        case Endpoint::session_project:
            return handlers::select_project(sessions_, cookie, body);
        case Endpoint::logout:
            return handlers::logout(sessions_,
                                    cookie.empty() ? std::nullopt : std::optional(cookie), config_);
        case Endpoint::dev_login:
            return handlers::dev_login(sessions_, admins_, body, config_);
        case Endpoint::user_settings:
            return put ? handlers::put_user_settings(settings_, *session, body,
                                                     request.header("if-match"))
                       : handlers::get_user_settings(settings_, *session,
                                                     request.header("if-none-match"));
        case Endpoint::global_settings:
            return put ? handlers::put_global_settings(settings_, *session, body,
                                                       request.header("if-match"))
                       : handlers::get_global_settings(settings_, request.header("if-none-match"));
        case Endpoint::history:
            return handlers::get_history(settings_, *session, request.query());
        case Endpoint::projects:
            return handlers::get_projects(settings_, *session);
        case Endpoint::project_settings:
            return put ? handlers::put_project_settings(settings_, *session, route.project_id, body,
                                                        request.header("if-match"))
                       : handlers::get_project_settings(settings_, *session, route.project_id,
                                                        request.header("if-none-match"));
        case Endpoint::health:
        case Endpoint::ready:
        case Endpoint::github_login:
        case Endpoint::github_callback:
        case Endpoint::github_projects:
        case Endpoint::events:
            break;
    }
    return error_response(404, "no such endpoint");
}

std::variant<std::string, Response> Api::begin_github_callback(const Request& request) {
    const auto state = query_parameter(request.query(), "state");
    const auto cookies = request.header("cookie");
    const auto binding = cookies ? find_cookie(*cookies, login_cookie_name) : std::nullopt;
    const auto refuse = [this](std::string_view message) {
        auto response = error_response(400, message);
        response.add_header("set-cookie", expired_login_cookie(config_.cookie_secure));
        return response;
    };
    if (!state || state->empty() || !binding || !states_.consume(*state, *binding)) {
        return refuse(
            "unknown, expired or already used OAuth state, or a login started in another "
            "browser");
    }
    const auto code = query_parameter(request.query(), "code");
    if (!code || code->empty()) {
        return refuse("the OAuth callback needs a code");
    }
    return *code;
}

Response Api::complete_login(const GitHubLogin& login) {
    auto response = guarded([&] {
        admins_.signed_in(login.user);
        return handlers::complete_login(sessions_, login, config_);
    });
    response.add_header("set-cookie", expired_login_cookie(config_.cookie_secure));
    return response;
}

Response Api::github_failed(GitHubFailure failure) const {
    auto response = github_failure_response(failure, "GitHub rejected the login");
    response.add_header("set-cookie", expired_login_cookie(config_.cookie_secure));
    return response;
}

std::variant<GitHubProjectsCall, Response> Api::begin_github_projects(const Request& request) {
    return guarded([&]() -> std::variant<GitHubProjectsCall, Response> {
        const auto cookie = session_cookie_of(request);
        auto session = cookie ? sessions_.find(*cookie) : std::nullopt;
        if (!session) {
            return error_response(401, "no valid session: sign in first");
        }
        // A dev login has no GitHub token, so it has no GitHub projects.
        if (session->tokens.access_token.empty()) {
            return handlers::github_projects({});
        }
        if (auto cached = github_projects_.find(session->user.github_user_id)) {
            return handlers::github_projects(*cached);
        }
        return GitHubProjectsCall{std::string(*cookie), session->user.github_user_id,
                                  std::move(session->tokens)};
    });
}

Response Api::complete_github_projects(const GitHubProjectsCall& call,
                                       const GitHubProjectsAnswer& answer) {
    return guarded([&] {
        // A session that ended meanwhile has nothing to keep the new tokens in.
        if (answer.refreshed && !sessions_.update_tokens(call.cookie, *answer.refreshed)) {
            return error_response(401, "no valid session: sign in first");
        }
        if (const auto* failure = std::get_if<GitHubFailure>(&answer.projects)) {
            return github_failure_response(*failure, "github_token_invalid");
        }
        const auto& projects = std::get<std::vector<GitHubProject>>(answer.projects);
        github_projects_.store(call.user_id, projects);
        return handlers::github_projects(projects);
    });
}

std::variant<EventsStart, Response> Api::begin_events(const Request& request) {
    return guarded([&]() -> std::variant<EventsStart, Response> {
        const auto cookie = session_cookie_of(request);
        const auto session = cookie ? sessions_.find(*cookie) : std::nullopt;
        if (!session) {
            return error_response(401, "no valid session: sign in first");
        }
        EventsStart start{std::string(*cookie), session->user.github_user_id, std::nullopt};
        auto last = request.header("last-event-id");
        const auto query_last = query_parameter(request.query(), "last_event_id");
        const std::string_view text = last ? *last : query_last ? *query_last : "";
        // Anything but a number is treated as absent (revisions.md).
        if (!text.empty() && text.size() <= 18 &&
            text.find_first_not_of("0123456789") == std::string_view::npos) {
            start.resume_after = std::stoll(std::string(text));
        }
        return start;
    });
}

bool Api::session_alive(std::string_view cookie) {
    return sessions_.find(cookie).has_value();
}

void Api::finish(const Request& request, Response& response) const {
    response.add_header("cache-control", "no-store");
    response.add_header("x-content-type-options", "nosniff");
    if (request.header("origin") == frontend_origin_) {
        response.add_header("access-control-allow-origin", frontend_origin_);
        response.add_header("access-control-allow-credentials", "true");
        response.add_header("access-control-expose-headers", "ETag");
        response.add_header("vary", "Origin");
    }
}

}  // namespace service
