#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <optional>
#include <utility>

namespace service {

/// Lets a repeated log line through at most once per `interval`, so that a fault
/// that repeats a thousand times a second (accept failing for want of
/// descriptors) is one line, not a flood. Thread-safe.
class LogThrottle {
  public:
    explicit LogThrottle(std::chrono::steady_clock::duration interval) : interval_(interval) {}

    /// When the line may be written now: how many were held back since the last
    /// one. Nothing when it must be held back.
    std::optional<std::size_t> pass() {
        const auto now = std::chrono::steady_clock::now();
        const std::scoped_lock lock(mutex_);
        if (written_ && now - *written_ < interval_) {
            ++held_back_;
            return std::nullopt;
        }
        written_ = now;
        return std::exchange(held_back_, 0);
    }

  private:
    std::chrono::steady_clock::duration interval_;
    std::mutex mutex_;
    std::optional<std::chrono::steady_clock::time_point> written_;
    std::size_t held_back_ = 0;
};

}  // namespace service
