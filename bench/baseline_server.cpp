// The ceiling for the HTTP layer: the service's thread model (THREADS I/O
// threads, a coroutine per connection on its own strand, Beast's parser with the
// same limits) answering every request with a fixed JSON body of the same size
// as GET /api/v1/settings/user, and doing no storage at all.
//   baseline_server PORT THREADS BODY_BYTES

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <cstdlib>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

asio::awaitable<void> serve(tcp::socket socket, const std::string& body) {
    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buffer;
    for (;;) {
        http::request_parser<http::string_body> parser;
        parser.header_limit(16 * 1024);
        parser.body_limit(64 * 1024);
        stream.expires_after(std::chrono::seconds(10));
        auto [error, bytes] =
            co_await http::async_read(stream, buffer, parser, asio::as_tuple(asio::use_awaitable));
        if (error) {
            co_return;
        }
        http::response<http::string_body> response{http::status::ok, parser.get().version()};
        response.set(http::field::content_type, "application/json");
        response.set(http::field::cache_control, "no-store");
        response.set("x-content-type-options", "nosniff");
        response.body() = body;
        response.keep_alive(parser.get().keep_alive());
        response.prepare_payload();
        auto [write_error, written] =
            co_await http::async_write(stream, response, asio::as_tuple(asio::use_awaitable));
        if (write_error || !response.keep_alive()) {
            co_return;
        }
    }
}

asio::awaitable<void> accept(tcp::acceptor& acceptor, asio::io_context& io,
                             const std::string& body) {
    for (;;) {
        auto [error, socket] = co_await acceptor.async_accept(asio::make_strand(io),
                                                              asio::as_tuple(asio::use_awaitable));
        if (error) {
            co_return;
        }
        auto executor = socket.get_executor();
        asio::co_spawn(executor, serve(std::move(socket), body), asio::detached);
    }
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 4) {
        std::cerr << "usage: baseline_server PORT THREADS BODY_BYTES\n";
        return 2;
    }
    const auto port = static_cast<unsigned short>(std::atoi(argv[1]));
    const int threads = std::max(1, std::atoi(argv[2]));
    std::string body = "{\"padding\":\"";
    body.append(static_cast<std::size_t>(std::max(0, std::atoi(argv[3]) - 15)), 'x');
    body.append("\"}");

    asio::io_context io(threads);
    tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), port});
    asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](beast::error_code, int) { io.stop(); });
    asio::co_spawn(io, accept(acceptor, io, body), asio::detached);
    std::cerr << "listening on http://127.0.0.1:" << acceptor.local_endpoint().port() << "\n";
    std::vector<std::thread> pool;
    for (int i = 1; i < threads; ++i) {
        pool.emplace_back([&] { io.run(); });
    }
    io.run();
    for (auto& t : pool) {
        t.join();
    }
}
