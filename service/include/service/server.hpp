#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include <service/api.hpp>
#include <service/config.hpp>
#include <session/session_store.hpp>

namespace service {

/// The asynchronous HTTP/1.1 host: Boost.Beast on `config.threads` I/O threads.
/// Requests that need storage run on storage threads (for reads two on SQLite,
/// DATABASE_POOL_SIZE on PostgreSQL; 64 for writes, whose writes share group
/// commits) and their answers are posted back, so the I/O threads never wait for
/// storage. Also runs the periodic session purge.
class Server {
  public:
    Server(const Config& config, Api& api, session::SessionStore& sessions);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    /// Binds and listens on HOST:PORT. Throws std::runtime_error with a one-line
    /// reason when it cannot.
    void listen();
    /// The port listened on (the chosen one when PORT was 0).
    [[nodiscard]] std::uint16_t port() const;
    /// Client connections served at once: MAX_CONNECTIONS, or less to fit the
    /// open-file limit. Past it, new connections are answered 503 (health still
    /// answers) and closed.
    [[nodiscard]] std::size_t max_connections() const;

    /// Serves until SIGINT or SIGTERM, then stops accepting, lets requests in
    /// flight finish (at most a few seconds) and returns.
    void run();

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace service
