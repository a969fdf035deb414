#include "over_limit_answer.hpp"

#include <array>
#include <chrono>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace service {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

// Short: these descriptors are borrowed from the reserve, and idle sockets must
// not keep health from its turn for long.
constexpr auto head_patience = std::chrono::milliseconds(250);
constexpr auto write_patience = std::chrono::seconds(1);
constexpr auto drain_patience = std::chrono::milliseconds(250);
constexpr std::size_t header_limit = std::size_t{8} * 1024;
constexpr std::size_t drain_limit = std::size_t{64} * 1024;

}  // namespace

asio::awaitable<void> answer_over_limit(asio::ip::tcp::socket socket, Api& api, bool read_request) {
    beast::tcp_stream stream(std::move(socket));
    Request request;
    auto response = error_response(503, "too many open connections; retry shortly");
    response.add_header("retry-after", "1");
    if (read_request) {
        beast::flat_buffer buffer;
        http::request_parser<http::empty_body> parser;
        parser.header_limit(header_limit);
        stream.expires_after(head_patience);
        auto [error, read] = co_await http::async_read_header(stream, buffer, parser,
                                                              asio::as_tuple(asio::use_awaitable));
        const auto& head = parser.get();
        if (!error && head.method() == http::verb::get) {
            request.method = "GET";
            request.target = head.target();
            if (request.path() == "/api/v1/health") {
                response = api.triage(request).response;
            }
        }
    }
    api.finish(request, response);
    http::response<http::string_body> message;
    message.version(11);
    message.result(static_cast<unsigned>(response.status));
    for (auto& header : response.headers) {
        message.insert(header.name, header.value);
    }
    message.body() = std::move(response.body);
    message.keep_alive(false);
    message.prepare_payload();
    stream.expires_after(write_patience);
    auto [write_error, written] =
        co_await http::async_write(stream, message, asio::as_tuple(asio::use_awaitable));
    if (write_error || !read_request) {
        // Unread: close at once, the descriptor is needed more than the courtesy.
        co_return;
    }
    // Read what the client still sends before closing: closing on unread bytes
    // resets the connection, and the client might lose the answer.
    beast::error_code ignored;
    stream.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
    stream.expires_after(drain_patience);
    std::array<char, 4096> sink{};
    std::size_t drained = 0;
    while (drained < drain_limit) {
        auto [read_error, n] = co_await stream.async_read_some(asio::buffer(sink),
                                                               asio::as_tuple(asio::use_awaitable));
        if (read_error) {
            break;
        }
        drained += n;
    }
}

}  // namespace service
