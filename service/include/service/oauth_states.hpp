#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include <settings/clock.hpp>

namespace service {

/// The `state` values of OAuth logins in progress: random, single use and short
/// lived, each bound to the browser that started the login by a second random
/// value the browser keeps in a cookie (login CSRF). Kept in memory (a restart
/// only means starting the login again).
///
/// Bounded so that a flood of login starts cannot grow it, and so that no client
/// can push out another's login: a client (address) holds at most `per_client`
/// pending logins, a new one replacing its own oldest; when the whole table is
/// full of live logins, a client's new login replaces its own oldest, and one
/// without any is refused. Every operation is O(1)
/// (amortised: expired entries are dropped oldest first).
/// Thread-safe.
class OAuthStates {
  public:
    struct Limits {
        std::chrono::seconds lifetime = std::chrono::minutes(10);
        std::size_t capacity = 100'000;
        std::size_t per_client = 10;
    };

    /// A started login: `state` goes to GitHub, `binding` into the browser's cookie.
    struct Issued {
        std::string state;
        std::string binding;
    };

    explicit OAuthStates(const settings::Clock& clock, Limits limits);
    explicit OAuthStates(const settings::Clock& clock) : OAuthStates(clock, Limits{}) {}

    /// A new state (32 random bytes as base64url) for a login started by `client`;
    /// nothing when the table is full of other clients' live logins.
    std::optional<Issued> issue(std::string_view client);
    /// True exactly once for a state issued less than `lifetime` ago and presented
    /// with its binding. A wrong binding leaves the state to its own browser.
    bool consume(std::string_view state, std::string_view binding);

    /// Pending logins (live or not yet dropped).
    [[nodiscard]] std::size_t size();

  private:
    struct Entry {
        std::string client;
        std::string binding;
        settings::Clock::time_point issued;
        std::list<std::string>::iterator in_order;
    };

    void drop_expired(settings::Clock::time_point now);                  // needs mutex_
    void erase(std::unordered_map<std::string, Entry>::iterator entry);  // needs mutex_

    const settings::Clock& clock_;
    Limits limits_;
    std::mutex mutex_;
    std::unordered_map<std::string, Entry> issued_;                       // by state
    std::list<std::string> order_;                                        // states, oldest first
    std::unordered_map<std::string, std::deque<std::string>> by_client_;  // oldest first
};

}  // namespace service
