#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <list>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include <settings/clock.hpp>

namespace service {

/// How often one client (address) may start a GitHub login: at most `attempts`
/// in any `period` (a sliding window). Remembers at most `capacity` clients; when
/// more were active within one period, the least recently active is forgotten
/// (which only gives it a fresh window). Every operation is O(1) (amortised).
/// Thread-safe.
class LoginRateLimiter {
  public:
    struct Limits {
        std::size_t attempts = 10;
        std::chrono::seconds period = std::chrono::minutes(1);
        std::size_t capacity = 100'000;
    };

    explicit LoginRateLimiter(const settings::Clock& clock, Limits limits);
    explicit LoginRateLimiter(const settings::Clock& clock) : LoginRateLimiter(clock, Limits{}) {}

    /// Zero when `client` may start a login now (the attempt is counted); else how
    /// long it must wait, in whole seconds (at least 1), for its next one.
    std::chrono::seconds admit(std::string_view client);

  private:
    struct Window {
        std::deque<settings::Clock::time_point> attempts;  // oldest first
        std::list<std::string>::iterator in_order;
    };

    void forget_idle(settings::Clock::time_point now);  // needs mutex_

    const settings::Clock& clock_;
    Limits limits_;
    std::mutex mutex_;
    std::unordered_map<std::string, Window> clients_;
    std::list<std::string> order_;  // clients, least recently active first
};

}  // namespace service
