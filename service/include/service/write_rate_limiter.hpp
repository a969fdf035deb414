#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace service {

/// Writes per user (security.md, "Quotas"): a token bucket of `burst` writes
/// that refills at `rate` per second. In memory, per process: each host of a
/// shared database limits on its own. Idle users' buckets are dropped, so memory
/// follows the users writing right now. Thread-safe.
class WriteRateLimiter {
  public:
    using Clock = std::chrono::steady_clock;

    /// A `rate` or `burst` of 0 admits everything.
    WriteRateLimiter(double rate, std::size_t burst);

    /// Nothing when the user may write now (and counts the write); else how long
    /// until one more write is allowed, in whole seconds, at least 1.
    [[nodiscard]] std::optional<std::chrono::seconds> admit(std::string_view user_id,
                                                            Clock::time_point now);

    [[nodiscard]] bool enabled() const { return rate_ > 0 && burst_ > 0; }

  private:
    struct Bucket {
        double tokens;
        Clock::time_point updated;
    };

    [[nodiscard]] double refilled(const Bucket& bucket, Clock::time_point now) const;
    void drop_full_buckets(Clock::time_point now);

    double rate_;
    double burst_;
    std::mutex mutex_;
    std::unordered_map<std::string, Bucket> buckets_;
    Clock::time_point last_sweep_{};
};

}  // namespace service
