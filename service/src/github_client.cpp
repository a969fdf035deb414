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

namespace service {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr auto exchange_timeout = std::chrono::seconds(15);
constexpr std::size_t max_response_bytes = std::size_t{1024} * 1024;
constexpr auto component = "github";

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

}  // namespace

struct GitHubClient::Impl {
    asio::any_io_executor executor;
    const Config& config;
    std::once_flag tls_created;
    std::optional<asio::ssl::context> tls_context;

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
        tcp::resolver resolver(executor);
        auto [resolve_error, endpoints] = co_await resolver.async_resolve(
            base.host, std::to_string(base.port), asio::as_tuple(asio::use_awaitable));
        if (resolve_error) {
            co_return std::nullopt;
        }
        beast::tcp_stream tcp_stream(executor);
        tcp_stream.expires_after(exchange_timeout);
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
};

namespace {

// A line about the login of the request `request_id`.
void log_for(std::string_view request_id, settings::log::Level level, std::string_view message) {
    const settings::log::Field field{"request_id", request_id};
    settings::log::write(level, component, message, {&field, 1});
}

}  // namespace

GitHubClient::GitHubClient(asio::any_io_executor executor, const Config& config)
    : impl_(std::make_unique<Impl>(std::move(executor), config)) {}

GitHubClient::~GitHubClient() = default;

asio::awaitable<std::variant<GitHubLogin, GitHubFailure>> GitHubClient::login(
    std::string code, std::string request_id) {
    const auto& config = impl_->config;
    const boost::json::object exchange_body{
        {"client_id", config.github_client_id.value_or("")},
        {"client_secret", config.github_client_secret.value_or("")},
        {"code", code}};
    const auto token_answer =
        co_await impl_->send(config.github_oauth_url, http::verb::post, "/login/oauth/access_token",
                             "", settings::to_json_text(exchange_body));
    if (!token_answer || token_answer->status >= 500) {
        log_for(request_id, settings::log::Level::warn, "the token endpoint could not be reached");
        co_return GitHubFailure::unavailable;
    }
    const auto token_json = json_object(token_answer->body);
    const auto access_token = token_json ? text_of(*token_json, "access_token") : std::nullopt;
    if (token_answer->status != 200 || !access_token) {
        log_for(request_id, settings::log::Level::info, "GitHub rejected an authorization code");
        co_return GitHubFailure::rejected;
    }
    GitHubLogin login;
    login.tokens.access_token = *access_token;
    login.tokens.refresh_token = text_of(*token_json, "refresh_token");
    if (const auto* expires_in = token_json->if_contains("expires_in");
        expires_in != nullptr && expires_in->is_int64() && expires_in->get_int64() > 0) {
        login.tokens.expires_at = settings::format_timestamp(
            std::chrono::system_clock::now() + std::chrono::seconds(expires_in->get_int64()));
    }

    const auto user_answer = co_await impl_->send(config.github_api_url, http::verb::get, "/user",
                                                  "Bearer " + *access_token, "");
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

}  // namespace service
