// LogThrottle: a repeated log line at most once per interval, with the count of
// the ones held back.

#include "log_throttle.hpp"

#include <chrono>
#include <thread>

#include <catch2/catch.hpp>

using namespace std::chrono_literals;

TEST_CASE("a repeated line passes once per interval with the count held back", "[log-throttle]") {
    service::LogThrottle throttle(200ms);
    CHECK(throttle.pass() == std::optional<std::size_t>(0));
    for (int i = 0; i < 199; ++i) {
        CHECK_FALSE(throttle.pass());
    }
    std::this_thread::sleep_for(250ms);
    CHECK(throttle.pass() == std::optional<std::size_t>(199));
    CHECK_FALSE(throttle.pass());
}
