#include <chrono>

#include <catch2/catch.hpp>

#include <service/write_rate_limiter.hpp>

using namespace std::chrono_literals;
using service::WriteRateLimiter;

TEST_CASE("a user writes a burst, then at the rate", "[write_rate_limiter]") {
    WriteRateLimiter limiter(2.0, 3);
    const auto t0 = WriteRateLimiter::Clock::time_point{} + 1h;
    for (int i = 0; i < 3; ++i) {
        CHECK_FALSE(limiter.admit("u", t0));
    }
    const auto wait = limiter.admit("u", t0);
    REQUIRE(wait);
    CHECK(*wait == 1s);  // half a second, rounded up
    CHECK_FALSE(limiter.admit("other", t0));
    CHECK_FALSE(limiter.admit("u", t0 + 500ms));
    CHECK(limiter.admit("u", t0 + 500ms));
    // A long pause refills up to the burst, no further.
    for (int i = 0; i < 3; ++i) {
        CHECK_FALSE(limiter.admit("u", t0 + 1h));
    }
    CHECK(limiter.admit("u", t0 + 1h));
}

TEST_CASE("a slow rate asks for a longer wait", "[write_rate_limiter]") {
    WriteRateLimiter limiter(0.25, 1);
    const auto t0 = WriteRateLimiter::Clock::time_point{} + 1h;
    CHECK_FALSE(limiter.admit("u", t0));
    CHECK(limiter.admit("u", t0) == 4s);
    CHECK(limiter.admit("u", t0 + 1s) == 3s);
}

TEST_CASE("0 in the rate or the burst turns the limit off", "[write_rate_limiter]") {
    const auto t0 = WriteRateLimiter::Clock::time_point{} + 1h;
    for (auto limiter : {std::pair{0.0, std::size_t{5}}, std::pair{5.0, std::size_t{0}}}) {
        WriteRateLimiter off(limiter.first, limiter.second);
        CHECK_FALSE(off.enabled());
        for (int i = 0; i < 100; ++i) {
            CHECK_FALSE(off.admit("u", t0));
        }
    }
}
