#include <catch2/catch.hpp>

#include <settings/timestamp.hpp>

using namespace std::chrono;

TEST_CASE("timestamps are UTC with milliseconds and round-trip", "[timestamp]") {
    const auto t = sys_days{year{2026} / 11 / 26} + hours{10} + minutes{0} + seconds{7} +
                   milliseconds{123} + microseconds{999};
    CHECK(settings::format_timestamp(t) == "2026-11-26T10:00:07.123Z");
    CHECK(settings::parse_timestamp("2026-11-26T10:00:07.123Z") == floor<milliseconds>(t));
    CHECK(settings::format_timestamp(sys_days{year{1999} / 1 / 2}) == "1999-01-02T00:00:00.000Z");
}

TEST_CASE("only the one timestamp format is parsed", "[timestamp]") {
    CHECK_FALSE(settings::parse_timestamp("2026-11-26T10:00:07Z"));
    CHECK_FALSE(settings::parse_timestamp("2026-11-26 10:00:07.123Z"));
    CHECK_FALSE(settings::parse_timestamp("2026-02-30T10:00:07.123Z"));
    CHECK_FALSE(settings::parse_timestamp("2026-11-26T24:00:07.123Z"));
    CHECK_FALSE(settings::parse_timestamp("2026-11-26T10:00:07.12xZ"));
    CHECK_FALSE(settings::parse_timestamp(""));
}
