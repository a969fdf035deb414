#pragma once

#include <atomic>
#include <cstddef>

namespace service {

/// Counts open client connections against MAX_CONNECTIONS, so that a crowd of
/// idle sockets can never use up the process's descriptors (and with them the
/// database's, GitHub's and health's). Past the limit a few more connections are
/// let in to be answered briefly (health, or 503), the rest are refused at once.
/// Thread-safe.
class ConnectionLimiter {
  public:
    enum class Admission {
        serve,   // a normal connection
        answer,  // over the limit: read one request, answer health or 503, close
        refuse,  // over the limit and no room to read: 503 unread, close
    };

    /// Descriptors kept free for everything but client connections: the
    /// database's files, calls to GitHub, the over-limit answers, the process's own.
    static constexpr std::size_t base_reserve = 32 + 16;
    static constexpr std::size_t answer_slots = 32;

    /// `configured`, lowered to the soft open-file limit minus `reserve` and the
    /// over-limit answers (at least 1).
    static std::size_t fitting_limit(std::size_t configured, std::size_t reserve);

    explicit ConnectionLimiter(std::size_t limit) : limit_(limit) {}

    [[nodiscard]] std::size_t limit() const { return limit_; }

    /// Counts a new connection and says how to treat it; pair with `release`.
    Admission admit();
    void release(Admission admission);

  private:
    std::size_t limit_;
    std::atomic<std::size_t> open_{0};
    std::atomic<std::size_t> answering_{0};
};

}  // namespace service
