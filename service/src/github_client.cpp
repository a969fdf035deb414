#include <algorithm>
#include <chrono>
#include <mutex>
#include <optional>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/json/object.hpp>

#include <service/github_client.hpp>
#include <settings/json_text.hpp>
#include <settings/log.hpp>
#include <settings/strict_json.hpp>
#include <settings/timestamp.hpp>

#include "waiting_slots.hpp"

namespace service {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

// Each call to GitHub, from resolving its name to the last byte of the answer.
constexpr auto call_timeout = std::chrono::seconds(10);
// GitHub is not flooded by us: at most this many logins and project lists talk
// to it at once...
constexpr std::size_t concurrent_calls = 16;
// ...and this many more wait, each at most this long, for their turn (else 503).
constexpr std::size_t waiting_calls = 256;
constexpr auto call_patience = std::chrono::seconds(5);
constexpr std::size_t max_response_bytes = std::size_t{1024} * 1024;
constexpr auto component = "github";

// A line about the GitHub call of the request `request_id`.
void log_for(std::string_view request_id, settings::log::Level level, std::string_view message) {
    const settings::log::Field field{"request_id", request_id};
    settings::log::write(level, component, message, {&field, 1});
}

struct HttpResult {
    unsigned status = 0;
    std::string body;
};

// Sends one request and reads the answer; nothing when the peer could not be
// reached or spoke no HTTP.
template <typename Stream>
asio::awaitable<std::optional<HttpResult>> exchange(Stream& stream,
                                                    http::request<http::string_body>& request) {
    request.prepare_payload();
    auto [write_error, written] =
        co_await http::async_write(stream, request, asio::as_tuple(asio::use_awaitable));
    if (write_error) {
        co_return std::nullopt;
    }
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(max_response_bytes);
    auto [read_error, read] =
        co_await http::async_read(stream, buffer, parser, asio::as_tuple(asio::use_awaitable));
    if (read_error) {
        co_return std::nullopt;
    }
    co_return HttpResult{parser.get().result_int(), parser.get().body()};
}

std::optional<boost::json::object> json_object(const std::string& text) {
    auto parsed = settings::parse_strict_json(text);
    auto* value = std::get_if<boost::json::value>(&parsed);
    if (value == nullptr || !value->is_object()) {
        return std::nullopt;
    }
    return std::move(value->get_object());
}

std::optional<std::string> text_of(const boost::json::object& object, std::string_view key) {
    const auto* value = object.if_contains(key);
    if (value == nullptr || !value->is_string() || value->get_string().empty()) {
        return std::nullopt;
    }
    return std::string(value->get_string());
}

const boost::json::object* object_at(const boost::json::object& object, std::string_view key) {
    const auto* value = object.if_contains(key);
    return value != nullptr && value->is_object() ? &value->get_object() : nullptr;
}

// The tokens of a token endpoint's answer (a code exchanged or a token refreshed).
std::optional<session::OAuthTokens> read_tokens(const boost::json::object& answer) {
    auto access_token = text_of(answer, "access_token");
    if (!access_token) {
        return std::nullopt;
    }
    session::OAuthTokens tokens;
    tokens.access_token = std::move(*access_token);
    tokens.refresh_token = text_of(answer, "refresh_token");
    if (const auto* expires_in = answer.if_contains("expires_in");
        expires_in != nullptr && expires_in->is_int64() && expires_in->get_int64() > 0) {
        tokens.expires_at = settings::format_timestamp(
            std::chrono::system_clock::now() + std::chrono::seconds(expires_in->get_int64()));
    }
    return tokens;
}

bool has_expired(const session::OAuthTokens& tokens) {
    if (!tokens.expires_at) {
        return false;
    }
    const auto expires_at = settings::parse_timestamp(*tokens.expires_at);
    return expires_at && *expires_at <= std::chrono::system_clock::now();
}

// Open projects of the viewer and of their organisations. Closed ones are left
// out: nobody picks a board that is closed.
constexpr std::string_view projects_query =
    R"({"query":"query { viewer { )"
    R"(projectsV2(first: 100) { nodes { ...project } } )"
    R"(organizations(first: 50) { nodes { projectsV2(first: 100) { nodes { ...project } } } } } } )"
    R"(fragment project on ProjectV2 { id title url closed )"
    R"(owner { ... on User { login } ... on Organization { login } } }"})";

// Appends the projects of one `projectsV2` connection, skipping closed ones,
// ones seen already and nodes that are not complete.
void add_projects(const boost::json::object* connection, std::vector<GitHubProject>& out) {
    const auto* nodes = connection != nullptr ? connection->if_contains("nodes") : nullptr;
    if (nodes == nullptr || !nodes->is_array()) {
        return;
    }
    for (const auto& node : nodes->get_array()) {
        if (!node.is_object()) {
            continue;
        }
        const auto& project = node.get_object();
        const auto* closed = project.if_contains("closed");
        const auto* owner = object_at(project, "owner");
        auto id = text_of(project, "id");
        auto title = text_of(project, "title");
        auto url = text_of(project, "url");
        auto login = owner != nullptr ? text_of(*owner, "login") : std::nullopt;
        if ((closed != nullptr && closed->is_bool() && closed->get_bool()) || !id || !title ||
            !url || !login) {
            continue;
        }
        if (std::none_of(out.begin(), out.end(), [&](const auto& p) { return p.id == *id; })) {
            out.push_back({std::move(*id), std::move(*title), std::move(*login), std::move(*url)});
        }
    }
}

}  // namespace

struct GitHubClient::Impl {
    asio::any_io_executor executor;
    const Config& config;
    std::once_flag tls_created;
    std::optional<asio::ssl::context> tls_context;
    WaitingSlots calls{concurrent_calls, waiting_calls, call_patience};

    Impl(asio::any_io_executor ex, const Config& c) : executor(std::move(ex)), config(c) {}

    // Made on the first HTTPS request: initialising OpenSSL's TLS machinery costs
    // tens of milliseconds that start-up need not pay.
    asio::ssl::context& tls() {
        std::call_once(tls_created, [this] {
            tls_context.emplace(asio::ssl::context::tls_client);
            tls_context->set_default_verify_paths();
            tls_context->set_verify_mode(asio::ssl::verify_peer);
        });
        return *tls_context;
    }

    // One request to `base` + `path`: HTTPS with certificate and host name
    // checks, or plain HTTP (the configuration allows that for loopback only).
    asio::awaitable<std::optional<HttpResult>> send(const Url& base, http::verb method,
                                                    const std::string& path,
                                                    const std::string& authorization,
                                                    const std::string& body) {
        http::request<http::string_body> request{method, base.path + path, 11};
        request.set(http::field::host, base.host);
        request.set(http::field::user_agent, "settings-service");
        request.set(http::field::accept, "application/json");
        if (!authorization.empty()) {
            request.set(http::field::authorization, authorization);
        }
        if (!body.empty()) {
            request.set(http::field::content_type, "application/json");
            request.body() = body;
        }
        const auto deadline = std::chrono::steady_clock::now() + call_timeout;
        // Asio resolves with the system's getaddrinfo, which cannot be cancelled:
        // its own timeouts bound it, and the time it takes counts against the call.
        tcp::resolver resolver(executor);
        auto [resolve_error, endpoints] = co_await resolver.async_resolve(
            base.host, std::to_string(base.port), asio::as_tuple(asio::use_awaitable));
        if (resolve_error || std::chrono::steady_clock::now() >= deadline) {
            co_return std::nullopt;
        }
        beast::tcp_stream tcp_stream(executor);
        // One deadline for connecting, the TLS handshake, the request and the answer.
        tcp_stream.expires_at(deadline);
        auto [connect_error, endpoint] =
            co_await tcp_stream.async_connect(endpoints, asio::as_tuple(asio::use_awaitable));
        if (connect_error) {
            co_return std::nullopt;
        }
        if (base.scheme == "http") {
            co_return co_await exchange(tcp_stream, request);
        }
        beast::ssl_stream<beast::tcp_stream> tls_stream(std::move(tcp_stream), tls());
        if (SSL_set_tlsext_host_name(tls_stream.native_handle(), base.host.c_str()) != 1) {
            co_return std::nullopt;
        }
        tls_stream.set_verify_callback(asio::ssl::host_name_verification(base.host));
        auto [handshake_error] = co_await tls_stream.async_handshake(
            asio::ssl::stream_base::client, asio::as_tuple(asio::use_awaitable));
        if (handshake_error) {
            co_return std::nullopt;
        }
        co_return co_await exchange(tls_stream, request);
    }

    // Tokens from the token endpoint for one grant (a code, or a refresh token)
    // made with the app's credentials, or why there are none.
    asio::awaitable<std::variant<session::OAuthTokens, GitHubFailure>> request_tokens(
        boost::json::object grant, std::string_view refused, std::string_view request_id) {
        grant["client_id"] = config.github_client_id.value_or("");
        grant["client_secret"] = config.github_client_secret.value_or("");
        const auto answer =
            co_await send(config.github_oauth_url, http::verb::post, "/login/oauth/access_token",
                          "", settings::to_json_text(grant));
        if (!answer || answer->status >= 500) {
            log_for(request_id, settings::log::Level::warn,
                    "the token endpoint could not be reached");
            co_return GitHubFailure::unavailable;
        }
        const auto json = json_object(answer->body);
        auto tokens = json ? read_tokens(*json) : std::nullopt;
        if (answer->status != 200 || !tokens) {
            log_for(request_id, settings::log::Level::info, refused);
            co_return GitHubFailure::rejected;
        }
        co_return std::move(*tokens);
    }

    // Replaces `tokens` by refreshed ones and records them in `answer`; false, with
    // the failure in `answer`, when GitHub gave none.
    asio::awaitable<bool> refresh_into(session::OAuthTokens& tokens, GitHubProjectsAnswer& answer,
                                       std::string_view request_id) {
        boost::json::object grant{{"grant_type", "refresh_token"},
                                  {"refresh_token", *tokens.refresh_token}};
        auto refreshed = co_await request_tokens(std::move(grant),
                                                 "GitHub refused to refresh a token", request_id);
        if (const auto* failure = std::get_if<GitHubFailure>(&refreshed)) {
            answer.projects = *failure;
            co_return false;
        }
        tokens = std::get<session::OAuthTokens>(std::move(refreshed));
        answer.refreshed = tokens;
        co_return true;
    }

    asio::awaitable<std::variant<std::vector<GitHubProject>, GitHubFailure>> list_projects(
        const std::string& access_token, std::string_view request_id) {
        const auto answer = co_await send(config.github_api_url, http::verb::post, "/graphql",
                                          "Bearer " + access_token, std::string(projects_query));
        if (!answer || answer->status >= 500) {
            log_for(request_id, settings::log::Level::warn,
                    "the GraphQL endpoint could not be reached");
            co_return GitHubFailure::unavailable;
        }
        if (answer->status == 401 || answer->status == 403) {
            co_return GitHubFailure::rejected;
        }
        const auto json = json_object(answer->body);
        const auto* data = json ? object_at(*json, "data") : nullptr;
        const auto* viewer = data != nullptr ? object_at(*data, "viewer") : nullptr;
        if (answer->status != 200 || viewer == nullptr) {
            log_for(request_id, settings::log::Level::warn,
                    "the GraphQL endpoint answered something unexpected");
            co_return GitHubFailure::unavailable;
        }
        std::vector<GitHubProject> projects;
        add_projects(object_at(*viewer, "projectsV2"), projects);
        const auto* organizations = object_at(*viewer, "organizations");
        const auto* nodes =
            organizations != nullptr ? organizations->if_contains("nodes") : nullptr;
        if (nodes != nullptr && nodes->is_array()) {
            for (const auto& organization : nodes->get_array()) {
                if (organization.is_object()) {
                    add_projects(object_at(organization.get_object(), "projectsV2"), projects);
                }
            }
        }
        co_return projects;
    }

    asio::awaitable<GitHubProjectsAnswer> projects(session::OAuthTokens tokens,
                                                   std::string request_id) {
        // One slot for the list and the refreshes it may need.
        const auto slot = co_await calls.acquire(executor);
        if (!slot) {
            log_for(request_id, settings::log::Level::warn,
                    "too many calls to GitHub in flight: a project list refused");
            co_return GitHubProjectsAnswer{GitHubFailure::busy, std::nullopt};
        }
        // An access token known to have expired is refreshed before it is used;
        // one GitHub refuses is refreshed once and the list asked for again.
        GitHubProjectsAnswer answer{GitHubFailure::rejected, std::nullopt};
        if (has_expired(tokens) && tokens.refresh_token &&
            !co_await refresh_into(tokens, answer, request_id)) {
            co_return answer;
        }
        answer.projects = co_await list_projects(tokens.access_token, request_id);
        const auto* failure = std::get_if<GitHubFailure>(&answer.projects);
        if (failure != nullptr && *failure == GitHubFailure::rejected && !answer.refreshed &&
            tokens.refresh_token && co_await refresh_into(tokens, answer, request_id)) {
            answer.projects = co_await list_projects(tokens.access_token, request_id);
        }
        co_return answer;
    }
};

GitHubClient::GitHubClient(asio::any_io_executor executor, const Config& config)
    : impl_(std::make_unique<Impl>(std::move(executor), config)) {}

GitHubClient::~GitHubClient() = default;

asio::awaitable<std::variant<GitHubLogin, GitHubFailure>> GitHubClient::login(
    std::string code, std::string request_id) {
    const auto& config = impl_->config;
    // One slot for both calls of this login.
    const auto slot = co_await impl_->calls.acquire(impl_->executor);
    if (!slot) {
        log_for(request_id, settings::log::Level::warn,
                "too many calls to GitHub in flight: a login refused");
        co_return GitHubFailure::busy;
    }
    boost::json::object grant{{"code", code}};
    auto tokens = co_await impl_->request_tokens(
        std::move(grant), "GitHub rejected an authorization code", request_id);
    if (const auto* failure = std::get_if<GitHubFailure>(&tokens)) {
        co_return *failure;
    }
    GitHubLogin login;
    login.tokens = std::get<session::OAuthTokens>(std::move(tokens));

    const auto user_answer = co_await impl_->send(config.github_api_url, http::verb::get, "/user",
                                                  "Bearer " + login.tokens.access_token, "");
    if (!user_answer || user_answer->status >= 500) {
        log_for(request_id, settings::log::Level::warn, "the user endpoint could not be reached");
        co_return GitHubFailure::unavailable;
    }
    if (user_answer->status == 401 || user_answer->status == 403) {
        co_return GitHubFailure::rejected;
    }
    const auto user_json = json_object(user_answer->body);
    const auto login_name = user_json ? text_of(*user_json, "login") : std::nullopt;
    const auto* id = user_json ? user_json->if_contains("id") : nullptr;
    if (user_answer->status != 200 || !login_name || id == nullptr ||
        !(id->is_int64() || id->is_uint64() || id->is_string())) {
        log_for(request_id, settings::log::Level::warn,
                "the user endpoint answered something unexpected");
        co_return GitHubFailure::unavailable;
    }
    login.user.github_user_id =
        id->is_string()
            ? std::string(id->get_string())
            : (id->is_int64() ? std::to_string(id->get_int64()) : std::to_string(id->get_uint64()));
    login.user.github_username = *login_name;
    login.user.github_avatar_url = text_of(*user_json, "avatar_url");
    co_return login;
}

asio::awaitable<GitHubProjectsAnswer> GitHubClient::projects(session::OAuthTokens tokens,
                                                             std::string request_id) {
    return impl_->projects(std::move(tokens), std::move(request_id));
}

}  // namespace service
