#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <settings/errors.hpp>
#include <settings/storage.hpp>

#include "postgresql/pg_connection.hpp"

namespace settings::detail {

/// At most `size` connections to one database, opened on demand and shared by
/// any number of threads. A connection that was lost is dropped and replaced by
/// a new one on the next use, so the pool recovers by itself once the server is
/// back. While whoever probes the server says it does not answer
/// (`set_server_answers`), waits on its connections end at once and no new one
/// is made. Thread-safe.
class PgPool {
  public:
    PgPool(std::string url, std::chrono::milliseconds lock_timeout, std::size_t size);

    /// Runs `fn(connection)` on a connection of the pool, waiting for one to be
    /// free. Throws StorageUnavailableError when no connection can be made.
    /// A pooled connection that the server closed while it sat idle (a restart)
    /// fails before the server saw anything of `fn`, which then runs once more
    /// on a new connection.
    template <typename Fn>
    auto with(Fn&& fn) -> decltype(fn(std::declval<PgConnection&>())) {
        Lease lease(*this);
        try {
            return fn(*lease.connection);
        } catch (const StorageUnavailableError&) {
            if (!lease.reused || lease.connection->healthy() || lease.connection->abandoned()) {
                throw;
            }
            lease.connection = connect();
            lease.reused = false;
            return fn(*lease.connection);
        }
    }

    /// How long a statement waits for a lock held elsewhere.
    [[nodiscard]] std::chrono::milliseconds lock_timeout() const { return lock_timeout_; }

    /// Connections leased right now, and the most the pool opens.
    [[nodiscard]] PoolUsage usage();

    /// A new connection of the pool's settings, outside the pool. Throws
    /// StorageUnavailableError when it cannot be made, or at once while the
    /// server is said not to answer.
    [[nodiscard]] std::unique_ptr<PgConnection> connect() const;
    /// A connection like `connect`'s that ignores what is said about the server
    /// (it is the one that finds out) and waits at most `answer_limit` for each
    /// answer.
    [[nodiscard]] std::unique_ptr<PgConnection> probe_connection(
        std::chrono::milliseconds answer_limit) const;
    /// What the probe found: false ends every wait on the pool's connections.
    void set_server_answers(bool answers) { server_answers_.store(answers); }

  private:
    struct Lease {
        explicit Lease(PgPool& pool);
        ~Lease();
        Lease(const Lease&) = delete;
        Lease& operator=(const Lease&) = delete;
        PgPool& pool;
        std::unique_ptr<PgConnection> connection;
        bool reused = false;  // taken from the idle ones, not made for this lease
    };

    std::string url_;
    std::chrono::milliseconds lock_timeout_;
    std::size_t size_;
    std::mutex mutex_;
    std::condition_variable available_;
    std::vector<std::unique_ptr<PgConnection>> idle_;
    std::size_t open_ = 0;  // idle and leased
    std::atomic<bool> server_answers_{true};
};

}  // namespace settings::detail
