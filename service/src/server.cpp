#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <deque>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <type_traits>
#include <unordered_set>
#include <vector>

#include <boost/asio/append.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <service/github_client.hpp>
#include <service/request_id.hpp>
#include <service/router.hpp>
#include <service/server.hpp>
#include <service/settings_events.hpp>
#include <service/transfer_encoding.hpp>
#include <settings/log.hpp>

#include "connection_limiter.hpp"
#include "log_throttle.hpp"
#include "over_limit_answer.hpp"

namespace service {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using asio::awaitable;
using asio::use_awaitable;

namespace {

constexpr std::size_t body_limit = std::size_t{64} * 1024;
constexpr std::size_t header_limit = std::size_t{16} * 1024;
constexpr auto read_timeout = std::chrono::seconds(10);
constexpr auto write_timeout = std::chrono::seconds(10);
// A scraper sends its request at once; a silent one must not hold up a shutdown.
constexpr auto metrics_read_timeout = std::chrono::seconds(2);
// operations.md: requests in flight get up to 10 s to finish after SIGTERM.
constexpr auto shutdown_grace = std::chrono::seconds(10);
// SQLite reads go through one connection per store, so more threads would only
// queue on it; PostgreSQL reads run on pooled connections, one per thread.
std::size_t read_threads(const Config& config) {
    return config.database_url.empty() ? 2 : config.database_pool_size;
}
// Writers mostly wait for the group commit that carries their write; more of
// them means bigger batches (one fsync for all), not more contention.
constexpr std::size_t write_threads = 64;
constexpr auto component = "http";

// Descriptors that client connections must leave free (see ConnectionLimiter);
// on PostgreSQL also one per pooled connection.
std::size_t descriptor_reserve(const Config& config) {
    return ConnectionLimiter::base_reserve +
           (config.database_url.empty() ? 0 : config.database_pool_size);
}

bool has_supported_framing(const http::request_parser<http::string_body>& parser) {
    std::vector<std::string_view> codings;
    const auto [first, last] = parser.get().equal_range(http::field::transfer_encoding);
    for (auto field = first; field != last; ++field) {
        codings.push_back(field->value());
    }
    return is_supported_transfer_encoding(codings);
}

Request to_request(http::request<http::string_body>& message) {
    Request request;
    request.method = message.method_string();
    request.target = message.target();
    for (const auto& field : message) {
        std::string name(field.name_string());
        std::transform(name.begin(), name.end(), name.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        request.headers.push_back({std::move(name), std::string(field.value())});
    }
    request.body = std::move(message.body());
    return request;
}

http::response<http::string_body> to_message(Response& response, unsigned version,
                                             bool keep_alive) {
    http::response<http::string_body> message;
    message.version(version);
    message.result(static_cast<unsigned>(response.status));
    for (auto& header : response.headers) {
        message.insert(header.name, header.value);
    }
    message.body() = std::move(response.body);
    message.keep_alive(keep_alive);
    message.prepare_payload();
    return message;
}

// Runs `work` on `pool` (a thread pool, or a strand) and resumes the caller on its
// own executor with the result. The answer is posted straight to the caller's
// executor: it must not queue behind other jobs of the pool that may be waiting
// for a lock.
template <typename Pool, typename Work, typename Result = std::invoke_result_t<Work&>>
awaitable<Result> run_on(Pool& pool, Work work) {
    co_return co_await asio::async_initiate<decltype(use_awaitable),
                                            void(std::exception_ptr, Result)>(
        [&pool](auto handler, Work job) {
            asio::post(pool, [job = std::move(job), handler = std::move(handler)]() mutable {
                std::exception_ptr error;
                Result response{};
                try {
                    response = job();
                } catch (...) {
                    error = std::current_exception();
                }
                // Back to the handler's own executor (the connection's strand).
                asio::post(asio::append(std::move(handler), error, std::move(response)));
            });
        },
        use_awaitable, std::move(work));
}

// The request path for the log: printable ASCII only, at most 200 characters.
std::string loggable(std::string_view path) {
    constexpr std::size_t max_length = 200;
    std::string out;
    for (char c : path.substr(0, max_length)) {
        out.push_back(c > 0x20 && c < 0x7F ? c : '?');
    }
    return path.size() > max_length ? out + "..." : out;
}

// What a request is known by in logs and metrics.
struct RequestFacts {
    std::string id;
    std::optional<Endpoint> endpoint;
    std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
};

// An open event stream, as the change feed sees it. `last_sent` and `user_id`
// belong to the feed (the control strand); the rest to the connection's strand.
struct EventStream {
    explicit EventStream(const asio::any_io_executor& ex, std::string user)
        : executor(ex), user_id(std::move(user)), wake(ex) {}

    asio::any_io_executor executor;
    std::string user_id;
    std::int64_t last_sent = 0;
    std::string queued;
    bool overflow = false;
    bool client_gone = false;  // on the stream's strand
    asio::steady_timer wake;
};

// Past this much unsent text the client is not reading: the stream closes.
constexpr std::size_t stream_buffer_limit = std::size_t{1024} * 1024;
constexpr std::size_t streams_per_user = 16;
constexpr auto ping_interval = std::chrono::seconds(15);
// How often the feed looks for changes made by other processes; a write of this
// process wakes it at once.
constexpr auto feed_interval = std::chrono::milliseconds(100);
constexpr std::size_t feed_batch = 500;
// Recent events kept for streams that start behind the feed.
constexpr std::size_t feed_memory = 4096;

// Hands `text` to a stream, on its strand.
void deliver(const std::shared_ptr<EventStream>& stream, std::string text) {
    asio::post(stream->executor, [stream, text = std::move(text)] {
        if (stream->overflow) {
            return;
        }
        stream->queued.append(text);
        stream->overflow = stream->queued.size() > stream_buffer_limit;
        stream->wake.cancel();
    });
}

const std::string reset_text = "event: reset\ndata: {}\n\n";

// A live connection, as far as shutdown needs to know: whether it is waiting for
// a request (and may be closed at once). Touched only on the connection's strand.
struct Connection {
    asio::any_io_executor executor;
    beast::tcp_stream* stream = nullptr;
    bool idle = true;
};

}  // namespace

struct Server::Impl {
    const Config& config;
    Api& api;
    session::SessionStore& sessions;
    Drain& drain;
    Metrics* metrics;
    asio::io_context io{static_cast<int>(config.threads)};
    asio::thread_pool read_pool{read_threads(config)};
    asio::thread_pool write_pool{write_threads};
    // The acceptor, the signals and the timers share one strand, and so do the
    // loops that wait on them and the shutdown that cancels them: a signal that
    // comes before a loop's first wait can never be missed by it.
    asio::strand<asio::io_context::executor_type> control = asio::make_strand(io);
    tcp::acceptor acceptor{control};
    tcp::acceptor metrics_acceptor{control};
    asio::signal_set signals{control, SIGINT, SIGTERM};
    asio::steady_timer purge_timer{control};
    asio::steady_timer shutdown_timer{control};
    // The change feed behind the event streams; all of it on the control strand.
    asio::steady_timer feed_timer{control};
    std::vector<std::shared_ptr<EventStream>> event_streams;
    std::int64_t feed_last = -1;  // -1: not running
    std::int64_t feed_memory_from = 0;
    std::deque<SettingsEvent> feed_events;
    GitHubClient github{io.get_executor(), config};
    std::atomic<bool> stopping{false};
    std::mutex connections_mutex;
    std::unordered_set<std::shared_ptr<Connection>> connections;
    ConnectionLimiter admission{
        ConnectionLimiter::fitting_limit(config.max_connections, descriptor_reserve(config))};
    LogThrottle accept_failures{std::chrono::seconds(10)};

    Impl(const Config& c, Api& a, session::SessionStore& s, Drain& d, Metrics* m)
        : config(c), api(a), sessions(s), drain(d), metrics(m) {}

    // The request's work on a storage thread, its log lines carrying its id.
    template <typename Work>
    awaitable<Response> run_for(asio::thread_pool& pool, const std::string& request_id, Work work) {
        co_return co_await run_on(pool, [&request_id, &work] {
            const settings::log::ScopedField id("request_id", request_id);
            return work();
        });
    }

    awaitable<Response> respond(const Request& request, const std::string& request_id) {
        auto triage = [&] {
            const settings::log::ScopedField id("request_id", request_id);
            return api.triage(request);
        }();
        switch (triage.stage) {
            case Api::Stage::respond:
                co_return std::move(triage.response);
            case Api::Stage::storage_read:
                co_return co_await run_for(read_pool, request_id,
                                           [&] { return api.handle(request); });
            case Api::Stage::storage_write: {
                auto response =
                    co_await run_for(write_pool, request_id, [&] { return api.handle(request); });
                // Open event streams of this host hear of the write at once.
                asio::post(control, [this] { feed_timer.cancel(); });
                co_return response;
            }
            case Api::Stage::events:  // serve_requests hands these to serve_events
                co_return error_response(404, "no such endpoint");
            case Api::Stage::github_callback:
                break;
            case Api::Stage::github_projects:
                co_return co_await list_github_projects(request, request_id);
        }
        auto first = api.begin_github_callback(request);
        if (auto* answer = std::get_if<Response>(&first)) {
            co_return std::move(*answer);
        }
        auto result = co_await github.login(std::get<std::string>(std::move(first)), request_id);
        if (auto* failure = std::get_if<GitHubFailure>(&result)) {
            co_return api.github_failed(*failure);
        }
        const auto& login = std::get<GitHubLogin>(result);
        co_return co_await run_for(write_pool, request_id,
                                   [&] { return api.complete_login(login); });
    }

    // What every answered request leaves behind: its metrics and its access line.
    void record(const RequestFacts& facts, std::string_view method, int status) {
        const auto duration = std::chrono::steady_clock::now() - facts.started;
        if (metrics != nullptr) {
            metrics->request_finished(facts.endpoint, status, duration);
        }
        if (config.access_log) {
            const auto route = facts.endpoint ? route_template(*facts.endpoint) : "unmatched";
            const auto status_text = std::to_string(status);
            char ms[32];
            std::snprintf(ms, sizeof ms, "%.3f",
                          std::chrono::duration<double, std::milli>(duration).count());
            const std::string method_text = loggable(method);
            const std::array fields{settings::log::Field{"method", method_text},
                                    settings::log::Field{"route", route},
                                    settings::log::Field{"status", status_text},
                                    settings::log::Field{"duration_ms", ms},
                                    settings::log::Field{"request_id", facts.id}};
            settings::log::write(settings::log::Level::info, "access", "request", fields);
        }
    }

    awaitable<Response> list_github_projects(const Request& request,
                                             const std::string& request_id) {
        auto first = co_await run_on(read_pool, [&] {
            const settings::log::ScopedField id("request_id", request_id);
            return api.begin_github_projects(request);
        });
        if (auto* answer = std::get_if<Response>(&first)) {
            co_return std::move(*answer);
        }
        const auto& call = std::get<GitHubProjectsCall>(first);
        const auto answer = co_await github.projects(call.tokens, request_id);
        if (answer.refreshed) {
            co_return co_await run_for(write_pool, request_id,
                                       [&] { return api.complete_github_projects(call, answer); });
        }
        co_return api.complete_github_projects(call, answer);
    }

    // GET /settings/events: the session, the changes after Last-Event-ID, then
    // every change the user may see as it is committed, a ping every 15 s, and
    // `session-ended` once the session is gone (revisions.md).
    awaitable<void> serve_events(beast::tcp_stream& stream, const Request& request,
                                 const RequestFacts& facts, unsigned version) {
        std::variant<EventsStart, Response> begun;
        std::int64_t position = 0;
        std::string backlog;
        try {
            begun = co_await run_on(read_pool, [&] { return api.begin_events(request); });
            if (const auto* start = std::get_if<EventsStart>(&begun)) {
                position = co_await run_on(read_pool, [&] { return catch_up(*start, backlog); });
            }
        } catch (const std::exception& e) {
            settings::log::warn(component, std::string("event stream: ") + e.what());
            auto refused = error_response(503, "the database cannot be read right now");
            refused.add_header("retry-after", "1");
            begun = std::move(refused);
        }
        if (auto* refused = std::get_if<Response>(&begun)) {
            co_await answer_and_close(stream, request, facts, version, std::move(*refused));
            co_return;
        }
        const auto& start = std::get<EventsStart>(begun);
        auto subscriber = std::make_shared<EventStream>(stream.get_executor(), start.user_id);
        const bool admitted =
            co_await run_on(control, [&] { return open_stream(subscriber, position); });
        if (!admitted) {
            co_await answer_and_close(stream, request, facts, version,
                                      error_response(429, "at most 16 event streams per user"));
            co_return;
        }
        const auto drained = drain.subscribe([subscriber] {
            asio::post(subscriber->executor, [subscriber] { subscriber->wake.cancel(); });
        });

        Response head;
        head.add_header("content-type", "text/event-stream");
        head.add_header("x-accel-buffering", "no");  // nginx: pass each event on
        api.finish(request, head);
        head.add_header("x-request-id", facts.id);
        record(facts, request.method, 200);
        http::response<http::empty_body> message{http::status::ok, version};
        for (auto& header : head.headers) {
            message.insert(header.name, header.value);
        }
        message.keep_alive(false);  // the body runs until the connection closes
        http::response_serializer<http::empty_body> serializer{message};
        stream.expires_after(write_timeout);
        auto [head_error, head_bytes] =
            co_await http::async_write_header(stream, serializer, asio::as_tuple(use_awaitable));
        auto pending = std::move(backlog);
        bool open = !head_error;
        if (open) {
            // A client of an event stream sends nothing after its request, so its
            // socket turning readable means it went away: its place among the
            // user's 16 is freed at once, not at the next ping.
            stream.socket().async_wait(tcp::socket::wait_read,
                                       [subscriber](const boost::system::error_code&) {
                                           subscriber->client_gone = true;
                                           subscriber->wake.cancel();
                                       });
        }
        while (open) {
            if (!pending.empty()) {
                stream.expires_after(write_timeout);
                auto [error, written] = co_await asio::async_write(stream, asio::buffer(pending),
                                                                   asio::as_tuple(use_awaitable));
                pending.clear();
                open = !error;
                continue;
            }
            if (subscriber->overflow || subscriber->client_gone) {
                break;
            }
            if (drain.draining()) {
                pending = "retry: 1000\n\n";
                open = false;
            } else if (!subscriber->queued.empty()) {
                pending = std::exchange(subscriber->queued, {});
            } else {
                stream.expires_never();
                subscriber->wake.expires_after(ping_interval);
                auto [woken] = co_await subscriber->wake.async_wait(asio::as_tuple(use_awaitable));
                if (!woken) {  // 15 s without an event
                    pending = co_await ping_or_end(start.cookie);
                    open = pending == ": ping\n\n";
                }
            }
            if (!open && !pending.empty()) {
                stream.expires_after(write_timeout);
                co_await asio::async_write(stream, asio::buffer(pending),
                                           asio::as_tuple(use_awaitable));
            }
        }
        boost::system::error_code ignored;
        stream.socket().cancel(ignored);  // the wait for the client's leaving
        co_await run_on(control, [&] { return close_stream(subscriber); });
    }

    awaitable<void> answer_and_close(beast::tcp_stream& stream, const Request& request,
                                     const RequestFacts& facts, unsigned version,
                                     Response response) {
        api.finish(request, response);
        response.add_header("x-request-id", facts.id);
        record(facts, request.method, response.status);
        auto out = to_message(response, version, false);
        stream.expires_after(write_timeout);
        co_await http::async_write(stream, out, asio::as_tuple(use_awaitable));
    }

    // The changes after the stream's Last-Event-ID into `backlog` (or `reset`
    // when some were purged already); the history id the stream has caught up to.
    std::int64_t catch_up(const EventsStart& start, std::string& backlog) {
        auto& store = api.settings_store();
        if (!start.resume_after) {
            return store.last_history_id();
        }
        std::int64_t position = *start.resume_after;
        for (;;) {
            const auto changes = store.changes_after(position, feed_batch);
            if (changes.reset) {
                backlog = reset_text;
                return changes.last_id;
            }
            for (const auto& event : events_of(changes.entries)) {
                if (visible_to(event, start.user_id)) {
                    backlog.append(event_text(event));
                }
            }
            if (changes.entries.size() < feed_batch) {
                return changes.entries.empty() ? std::min(position, changes.last_id)
                                               : changes.entries.back().id;
            }
            position = changes.entries.back().id;
        }
    }

    // A ping, or `session-ended` when the stream's session is gone.
    awaitable<std::string> ping_or_end(const std::string& cookie) {
        bool alive = true;
        try {
            alive = co_await run_on(read_pool, [&] { return api.session_alive(cookie); });
        } catch (const std::exception&) {
            // Storage unreachable for a moment: keep the stream, ask again later.
        }
        co_return alive ? ": ping\n\n" : "event: session-ended\ndata: {}\n\n";
    }

    // On the control strand: admits a stream (at most 16 per user) that has seen
    // everything up to `position`, and hands it what the feed saw since.
    bool open_stream(const std::shared_ptr<EventStream>& stream, std::int64_t position) {
        const auto same_user =
            std::count_if(event_streams.begin(), event_streams.end(),
                          [&](const auto& other) { return other->user_id == stream->user_id; });
        if (static_cast<std::size_t>(same_user) >= streams_per_user) {
            return false;
        }
        const bool start_feed = feed_last < 0;
        if (start_feed) {
            feed_last = position;
            feed_memory_from = position;
            feed_events.clear();
        } else if (position < feed_last) {
            if (position < feed_memory_from) {
                deliver(stream, reset_text);
            } else {
                for (const auto& event : feed_events) {
                    if (event.id > position && visible_to(event, stream->user_id)) {
                        deliver(stream, event_text(event));
                    }
                }
            }
        }
        stream->last_sent = std::max(position, feed_last);
        event_streams.push_back(stream);
        if (start_feed) {
            // After the push: co_spawn may run the loop's start right here.
            asio::co_spawn(control, feed_loop(), asio::detached);
        }
        return true;
    }

    bool close_stream(const std::shared_ptr<EventStream>& stream) {
        std::erase(event_streams, stream);
        return true;
    }

    // Reads new history entries while streams are open, every feed_interval or
    // when a write of this process wakes it, and hands each stream its events.
    awaitable<void> feed_loop() {
        bool more = false;  // the last read was a full batch: read on at once
        while (!event_streams.empty()) {
            if (!more) {
                feed_timer.expires_after(feed_interval);
                co_await feed_timer.async_wait(asio::as_tuple(use_awaitable));
            }
            if (event_streams.empty()) {
                break;
            }
            settings::ChangesAfter changes;
            try {
                const auto after = feed_last;
                changes = co_await run_on(read_pool, [this, after] {
                    return api.settings_store().changes_after(after, feed_batch);
                });
            } catch (const std::exception& e) {
                settings::log::debug(component, std::string("change feed: ") + e.what());
                more = false;
                continue;
            }
            if (changes.reset) {
                for (const auto& stream : event_streams) {
                    deliver(stream, reset_text);
                    stream->last_sent = changes.last_id;
                }
                feed_last = changes.last_id;
                feed_memory_from = feed_last;
                feed_events.clear();
                more = false;
                continue;
            }
            for (auto& event : events_of(changes.entries)) {
                for (const auto& stream : event_streams) {
                    if (event.id > stream->last_sent && visible_to(event, stream->user_id)) {
                        deliver(stream, event_text(event));
                    }
                    stream->last_sent = std::max(stream->last_sent, event.id);
                }
                feed_events.push_back(std::move(event));
                if (feed_events.size() > feed_memory) {
                    feed_memory_from = feed_events.front().id;
                    feed_events.pop_front();
                }
            }
            if (!changes.entries.empty()) {
                feed_last = changes.entries.back().id;
            }
            more = changes.entries.size() == feed_batch;
        }
        feed_last = -1;
    }

    // Answers a request that could not be read, then the connection closes.
    awaitable<void> refuse(beast::tcp_stream& stream, int status, std::string_view message) {
        Request none;
        auto response = error_response(status, message);
        api.finish(none, response);
        RequestFacts facts{request_id_for(std::nullopt), std::nullopt};
        response.add_header("x-request-id", facts.id);
        if (metrics != nullptr) {
            metrics->request_started();
        }
        record(facts, "-", status);
        auto out = to_message(response, 11, false);
        stream.expires_after(write_timeout);
        co_await http::async_write(stream, out, asio::as_tuple(use_awaitable));
    }

    awaitable<void> serve(tcp::socket socket) {
        beast::tcp_stream stream(std::move(socket));
        auto connection = std::make_shared<Connection>();
        connection->executor = stream.get_executor();
        connection->stream = &stream;
        {
            const std::scoped_lock lock(connections_mutex);
            connections.insert(connection);
        }
        if (metrics != nullptr) {
            metrics->connection_opened();
        }
        try {
            co_await serve_requests(stream, *connection);
        } catch (const std::exception& e) {
            settings::log::warn(component, std::string("connection failed: ") + e.what());
        }
        connection->stream = nullptr;
        if (metrics != nullptr) {
            metrics->connection_closed();
        }
        beast::error_code ignored;
        stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
        bool last = false;
        {
            const std::scoped_lock lock(connections_mutex);
            connections.erase(connection);
            last = connections.empty();
        }
        if (last && stopping) {
            asio::post(control, [this] { finish_shutdown(); });
        }
    }

    awaitable<void> serve_requests(beast::tcp_stream& stream, Connection& connection) {
        beast::error_code no_peer;
        const auto peer = stream.socket().remote_endpoint(no_peer).address().to_string();
        beast::flat_buffer buffer;
        while (!stopping) {
            http::request_parser<http::string_body> parser;
            parser.header_limit(header_limit);
            parser.body_limit(body_limit);
            connection.idle = true;
            stream.expires_after(read_timeout);
            auto [header_error, header_bytes] = co_await http::async_read_header(
                stream, buffer, parser, asio::as_tuple(use_awaitable));
            connection.idle = false;
            if (header_error) {
                co_await refuse_unreadable(stream, header_error);
                co_return;
            }
            // Beast checks its header limit per read, not over the whole head.
            if (header_bytes > header_limit) {
                co_await refuse(stream, 431, "the request headers are too large");
                co_return;
            }
            if (!has_supported_framing(parser)) {
                co_await refuse(stream, 400, "Transfer-Encoding must be exactly chunked");
                co_return;
            }
            const auto expect = parser.get()[http::field::expect];
            if (beast::iequals(expect, "100-continue")) {
                http::response<http::empty_body> go_on{http::status::continue_, 11};
                co_await http::async_write(stream, go_on, asio::as_tuple(use_awaitable));
            }
            // A request without a body (every GET) is complete with its header.
            if (!parser.is_done()) {
                auto [body_error, body_bytes] = co_await http::async_read(
                    stream, buffer, parser, asio::as_tuple(use_awaitable));
                if (body_error) {
                    co_await refuse_unreadable(stream, body_error);
                    co_return;
                }
            }
            const auto started = std::chrono::steady_clock::now();
            auto& message = parser.get();
            const unsigned version = message.version();
            const bool keep_alive = message.keep_alive();
            Request request = to_request(message);
            request.peer_address = peer;
            RequestFacts facts{request_id_for(request.header("x-request-id")), std::nullopt,
                               started};
            if (const auto route = match_route(request.path())) {
                facts.endpoint = route->endpoint;
            }
            if (metrics != nullptr) {
                metrics->request_started();
            }
            if (facts.endpoint == Endpoint::events &&
                api.triage(request).stage == Api::Stage::events) {
                // A stream ends its connection.
                co_await serve_events(stream, request, facts, version);
                co_return;
            }
            Response response;
            try {
                response = co_await respond(request, facts.id);
            } catch (const std::exception& e) {
                const settings::log::Field id{"request_id", facts.id};
                settings::log::write(settings::log::Level::error, component,
                                     std::string("request failed: ") + e.what(), {&id, 1});
                response = error_response(500, "internal error");
            }
            api.finish(request, response);
            response.add_header("x-request-id", facts.id);
            const int status = response.status;
            auto out = to_message(response, version, keep_alive && !stopping);
            // Counted before the write: a client that reads its answer and then
            // scrapes finds it counted.
            record(facts, request.method, status);
            stream.expires_after(write_timeout);
            auto [write_error, written] =
                co_await http::async_write(stream, out, asio::as_tuple(use_awaitable));
            if (settings::log::enabled(settings::log::Level::debug)) {
                const auto ms = std::chrono::duration<double, std::milli>(
                                    std::chrono::steady_clock::now() - started)
                                    .count();
                const settings::log::Field id{"request_id", facts.id};
                settings::log::write(settings::log::Level::debug, component,
                                     loggable(request.method) + " " + loggable(request.path()) +
                                         " " + std::to_string(status) + " " + std::to_string(ms) +
                                         " ms",
                                     {&id, 1});
            }
            if (write_error || !out.keep_alive()) {
                co_return;
            }
        }
    }

    awaitable<void> refuse_unreadable(beast::tcp_stream& stream, beast::error_code error) {
        if (error == http::error::body_limit) {
            co_await refuse(stream, 413, "the request body is larger than 65536 bytes");
        } else if (error == http::error::header_limit) {
            co_await refuse(stream, 431, "the request headers are too large");
        } else if (error == http::error::end_of_stream || error == asio::error::eof ||
                   error == beast::error::timeout || error == asio::error::operation_aborted ||
                   error == asio::error::connection_reset) {
            // The peer left, went quiet, or we are shutting down: just close.
        } else if (error.category() == http::make_error_code(http::error::bad_method).category()) {
            co_await refuse(stream, 400, "malformed HTTP request");
        }
    }

    awaitable<void> accept_loop() {
        while (!stopping) {
            auto [error, socket] = co_await acceptor.async_accept(asio::make_strand(io),
                                                                  asio::as_tuple(use_awaitable));
            if (error) {
                if (stopping || error == asio::error::operation_aborted) {
                    co_return;
                }
                // Out of descriptors and the like: breathe, then go on accepting.
                if (const auto held_back = accept_failures.pass()) {
                    settings::log::warn(
                        component, "accept failed: " + error.message() +
                                       (*held_back > 0 ? " (and " + std::to_string(*held_back) +
                                                             " more times since the last report)"
                                                       : std::string()));
                }
                asio::steady_timer pause(io, std::chrono::milliseconds(50));
                co_await pause.async_wait(asio::as_tuple(use_awaitable));
                continue;
            }
            auto executor = socket.get_executor();
            const auto admitted = admission.admit();
            auto done = [this, admitted](const std::exception_ptr&) {
                admission.release(admitted);
            };
            if (admitted == ConnectionLimiter::Admission::serve) {
                asio::co_spawn(executor, serve(std::move(socket)), done);
            } else {
                asio::co_spawn(executor,
                               answer_over_limit(std::move(socket), api,
                                                 admitted == ConnectionLimiter::Admission::answer),
                               done);
            }
        }
    }

    // The metrics listener: one GET /metrics per connection, then it closes, so
    // that a scraper's connection never holds up a shutdown.
    awaitable<void> metrics_accept_loop() {
        while (!stopping) {
            auto [error, socket] = co_await metrics_acceptor.async_accept(
                asio::make_strand(io), asio::as_tuple(use_awaitable));
            if (error) {
                if (stopping || error == asio::error::operation_aborted) {
                    co_return;
                }
                settings::log::warn("metrics", "accept failed: " + error.message());
                asio::steady_timer pause(io, std::chrono::milliseconds(50));
                co_await pause.async_wait(asio::as_tuple(use_awaitable));
                continue;
            }
            auto executor = socket.get_executor();
            asio::co_spawn(executor, serve_metrics(std::move(socket)), asio::detached);
        }
    }

    awaitable<void> serve_metrics(tcp::socket socket) {
        beast::tcp_stream stream(std::move(socket));
        beast::flat_buffer buffer;
        http::request_parser<http::string_body> parser;
        parser.header_limit(header_limit);
        parser.body_limit(0);
        stream.expires_after(metrics_read_timeout);
        auto [read_error, read_bytes] =
            co_await http::async_read(stream, buffer, parser, asio::as_tuple(use_awaitable));
        if (!read_error) {
            auto& message = parser.get();
            const unsigned version = message.version();
            const Request request = to_request(message);
            auto response = metrics_response(request, *metrics);
            auto out = to_message(response, version, false);
            stream.expires_after(write_timeout);
            co_await http::async_write(stream, out, asio::as_tuple(use_awaitable));
        }
        beast::error_code ignored;
        stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    }

    awaitable<void> purge_loop() {
        while (!stopping) {
            purge_timer.expires_after(config.session_cleanup_interval);
            auto [error] = co_await purge_timer.async_wait(asio::as_tuple(use_awaitable));
            if (error || stopping) {
                co_return;
            }
            co_await run_on(write_pool, [this] {
                try {
                    sessions.purge_expired();
                } catch (const std::exception& e) {
                    settings::log::error("sessions", std::string("purge failed: ") + e.what());
                }
                api.purge_history();
                return Response{};
            });
        }
    }

    // Nothing is left to wait for: let io.run() return.
    void finish_shutdown() {
        shutdown_timer.cancel();
        signals.cancel();
    }

    // operations.md's SIGTERM sequence: readiness 503 at once (and event streams
    // told to close), no new connections, requests in flight finish.
    void shut_down() {
        settings::log::info("service", "shutting down: finishing requests in flight");
        drain.begin();
        stopping = true;
        beast::error_code ignored;
        acceptor.close(ignored);
        metrics_acceptor.close(ignored);
        purge_timer.cancel();
        std::vector<std::shared_ptr<Connection>> open;
        {
            const std::scoped_lock lock(connections_mutex);
            open.assign(connections.begin(), connections.end());
        }
        for (auto& connection : open) {
            // Each connection's state is touched on its own strand only.
            asio::post(connection->executor, [connection] {
                if (connection->stream != nullptr && connection->idle) {
                    connection->stream->cancel();
                }
            });
        }
        if (open.empty()) {
            finish_shutdown();
            return;
        }
        shutdown_timer.expires_after(shutdown_grace);
        shutdown_timer.async_wait([this](beast::error_code error) {
            if (!error) {
                settings::log::warn("service", "requests still running after the grace period");
                io.stop();
            }
        });
    }
};

Server::Server(const Config& config, Api& api, session::SessionStore& sessions, Drain& drain,
               Metrics* metrics)
    : impl_(std::make_unique<Impl>(config, api, sessions, drain, metrics)) {}

Server::~Server() = default;

namespace {

void listen_on(tcp::acceptor& acceptor, const std::string& host, std::uint16_t port) {
    try {
        const tcp::endpoint endpoint(asio::ip::make_address(host), port);
        acceptor.open(endpoint.protocol());
        acceptor.set_option(asio::socket_base::reuse_address(true));
        acceptor.bind(endpoint);
        acceptor.listen(asio::socket_base::max_listen_connections);
    } catch (const std::exception& e) {
        throw std::runtime_error("cannot listen on " + host + ":" + std::to_string(port) + ": " +
                                 e.what());
    }
}

}  // namespace

void Server::listen() {
    const auto& config = impl_->config;
    listen_on(impl_->acceptor, config.host, config.port);
    if (config.metrics_address && impl_->metrics != nullptr) {
        listen_on(impl_->metrics_acceptor, config.metrics_address->host,
                  config.metrics_address->port);
    }
}

std::size_t Server::max_connections() const {
    return impl_->admission.limit();
}

std::uint16_t Server::port() const {
    return impl_->acceptor.local_endpoint().port();
}

std::uint16_t Server::metrics_port() const {
    return impl_->metrics_acceptor.is_open() ? impl_->metrics_acceptor.local_endpoint().port() : 0;
}

void Server::run() {
    auto& impl = *impl_;
    asio::co_spawn(impl.control, impl.accept_loop(), asio::detached);
    asio::co_spawn(impl.control, impl.purge_loop(), asio::detached);
    if (impl.metrics_acceptor.is_open()) {
        asio::co_spawn(impl.control, impl.metrics_accept_loop(), asio::detached);
    }
    impl.signals.async_wait([&impl](beast::error_code error, int) {
        if (!error) {
            // A second signal means: stop now.
            impl.signals.async_wait([&impl](beast::error_code again, int) {
                if (!again) {
                    impl.io.stop();
                }
            });
            impl.shut_down();
        }
    });
    std::vector<std::thread> threads;
    for (unsigned i = 1; i < impl.config.threads; ++i) {
        threads.emplace_back([&impl] { impl.io.run(); });
    }
    impl.io.run();
    for (auto& t : threads) {
        t.join();
    }
    impl.signals.cancel();
    impl.read_pool.join();
    impl.write_pool.join();
}

}  // namespace service
