#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include <settings/clock.hpp>

namespace service {

/// The `state` values of OAuth logins in progress: random, single use and short
/// lived. Kept in memory (a restart only means starting the login again), and
/// bounded so that a flood of login starts cannot grow it without limit.
/// Thread-safe.
class OAuthStates {
  public:
    explicit OAuthStates(const settings::Clock& clock,
                         std::chrono::seconds lifetime = std::chrono::minutes(10),
                         std::size_t capacity = 10'000);

    /// A new state value (32 random bytes as base64url).
    std::string issue();
    /// True exactly once for a state issued less than `lifetime` ago.
    bool consume(std::string_view state);

  private:
    void drop_expired();

    const settings::Clock& clock_;
    std::chrono::seconds lifetime_;
    std::size_t capacity_;
    std::mutex mutex_;
    std::unordered_map<std::string, settings::Clock::time_point> issued_;
};

}  // namespace service
