#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include <service/api.hpp>
#include <service/config.hpp>
#include <service/drain.hpp>
#include <service/metrics.hpp>
#include <session/session_store.hpp>

namespace service {

/// The asynchronous HTTP/1.1 host: Boost.Beast on `config.threads` I/O threads.
/// Requests that need storage run on storage threads (for reads two on SQLite,
/// DATABASE_POOL_SIZE on PostgreSQL; 64 for writes, whose writes share group
/// commits) and their answers are posted back, so the I/O threads never wait for
/// storage. Also runs the periodic session purge and, with METRICS_ADDR, the
/// metrics listener.
class Server {
  public:
    /// `metrics`, when given, records every request and connection and is served
    /// on METRICS_ADDR; `drain` is begun on SIGINT or SIGTERM.
    Server(const Config& config, Api& api, session::SessionStore& sessions, Drain& drain,
           Metrics* metrics = nullptr);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    /// Binds and listens on HOST:PORT (and METRICS_ADDR). Throws
    /// std::runtime_error with a one-line reason when it cannot.
    void listen();
    /// The port listened on (the chosen one when PORT was 0).
    [[nodiscard]] std::uint16_t port() const;
    /// Client connections served at once: MAX_CONNECTIONS, or less to fit the
    /// open-file limit. Past it, new connections are answered 503 (health still
    /// answers) and closed.
    [[nodiscard]] std::size_t max_connections() const;
    /// The metrics listener's port; 0 without METRICS_ADDR.
    [[nodiscard]] std::uint16_t metrics_port() const;

    /// Serves until SIGINT or SIGTERM, then drains (operations.md, "Rolling
    /// restarts"): readiness turns 503 at once, the listeners close, requests in
    /// flight finish (at most 10 seconds), and it returns.
    void run();

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace service
