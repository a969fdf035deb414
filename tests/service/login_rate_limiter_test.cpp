// LoginRateLimiter: 10 login starts per client per minute, a sliding window.

#include <chrono>
#include <string>

#include <catch2/catch.hpp>

#include <service/login_rate_limiter.hpp>
#include <settings/clock.hpp>
#include <settings/timestamp.hpp>

using namespace std::chrono_literals;
using service::LoginRateLimiter;

namespace {

const auto start_time = *settings::parse_timestamp("2026-11-26T10:00:00.000Z");

}  // namespace

TEST_CASE("ten starts a minute per client, then the wait until the oldest ages out",
          "[login-limit]") {
    settings::ManualClock clock{start_time};
    LoginRateLimiter limiter(clock);
    for (int i = 0; i < 10; ++i) {
        CHECK(limiter.admit("a") == 0s);
        clock.advance(2s);
    }
    // The first attempt was 20 s ago: 40 s to wait.
    CHECK(limiter.admit("a") == 40s);
    CHECK(limiter.admit("b") == 0s);  // others are not affected
    clock.advance(39500ms);
    CHECK(limiter.admit("a") == 1s);  // rounded up
    clock.advance(500ms);
    CHECK(limiter.admit("a") == 0s);
    CHECK(limiter.admit("a") > 0s);
}

TEST_CASE("refused attempts do not extend the wait", "[login-limit]") {
    settings::ManualClock clock{start_time};
    LoginRateLimiter limiter(clock, {.attempts = 2, .period = 60s, .capacity = 100});
    CHECK(limiter.admit("a") == 0s);
    CHECK(limiter.admit("a") == 0s);
    for (int i = 0; i < 100; ++i) {
        CHECK(limiter.admit("a") > 0s);
    }
    clock.advance(60s);
    CHECK(limiter.admit("a") == 0s);
}

TEST_CASE("the table of clients is bounded and forgets the least recently active",
          "[login-limit]") {
    settings::ManualClock clock{start_time};
    LoginRateLimiter limiter(clock, {.attempts = 1, .period = 60s, .capacity = 3});
    CHECK(limiter.admit("a") == 0s);
    CHECK(limiter.admit("b") == 0s);
    CHECK(limiter.admit("c") == 0s);
    CHECK(limiter.admit("d") == 0s);  // forgets a
    CHECK(limiter.admit("b") > 0s);
    CHECK(limiter.admit("a") == 0s);  // a fresh window
    // Many more clients than the table holds: the oldest are forgotten (a fresh
    // window), the most recent still counted. (How fast this is belongs in a
    // benchmark, not in a test's clock.)
    LoginRateLimiter big(clock, {.attempts = 1, .period = 60s, .capacity = 100'000});
    for (int i = 0; i < 300'000; ++i) {
        big.admit("client-" + std::to_string(i));
    }
    CHECK(big.admit("client-299999") > 0s);
    CHECK(big.admit("client-0") == 0s);
}
