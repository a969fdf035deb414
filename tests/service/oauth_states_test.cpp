// OAuthStates: single use, bound to the browser, bounded, and no client can push
// out another's pending login.

#include <chrono>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <service/oauth_states.hpp>
#include <settings/clock.hpp>
#include <settings/timestamp.hpp>

using namespace std::chrono_literals;
using service::OAuthStates;

namespace {

const auto start_time = *settings::parse_timestamp("2026-11-26T10:00:00.000Z");

}  // namespace

TEST_CASE("a state is consumed once, and only with its browser's binding", "[oauth]") {
    settings::ManualClock clock{start_time};
    OAuthStates states(clock);
    const auto issued = states.issue("198.51.100.1");
    REQUIRE(issued);
    CHECK(issued->state.size() == 43);
    CHECK(issued->binding.size() == 43);
    CHECK(issued->state != issued->binding);
    const auto other = states.issue("198.51.100.1");
    CHECK_FALSE(states.consume(issued->state, other->binding));
    CHECK_FALSE(states.consume(issued->state, ""));
    CHECK(states.consume(issued->state, issued->binding));
    CHECK_FALSE(states.consume(issued->state, issued->binding));
    CHECK_FALSE(states.consume("made-up", issued->binding));
}

TEST_CASE("a state expires after its lifetime and is dropped", "[oauth]") {
    settings::ManualClock clock{start_time};
    OAuthStates states(clock, {.lifetime = 600s, .capacity = 10, .per_client = 10});
    const auto old = states.issue("a");
    clock.advance(599s);
    const auto young = states.issue("a");
    CHECK(states.size() == 2);
    clock.advance(1s);
    CHECK_FALSE(states.consume(old->state, old->binding));
    CHECK(states.consume(young->state, young->binding));
    states.issue("b");
    clock.advance(600s);
    states.issue("c");  // drops the expired one on the way
    CHECK(states.size() == 1);
}

TEST_CASE("a client replaces only its own oldest pending login", "[oauth]") {
    settings::ManualClock clock{start_time};
    OAuthStates states(clock, {.lifetime = 600s, .capacity = 100, .per_client = 3});
    const auto victim = states.issue("victim");
    std::vector<OAuthStates::Issued> mine;
    for (int i = 0; i < 50; ++i) {
        mine.push_back(*states.issue("flooder"));
        clock.advance(1ms);
    }
    CHECK(states.size() == 4);
    CHECK(states.consume(victim->state, victim->binding));
    // The flooder keeps its newest three.
    CHECK_FALSE(states.consume(mine[46].state, mine[46].binding));
    CHECK(states.consume(mine[47].state, mine[47].binding));
    CHECK(states.consume(mine[49].state, mine[49].binding));
}

TEST_CASE("a full table refuses new logins instead of evicting live ones", "[oauth]") {
    settings::ManualClock clock{start_time};
    OAuthStates states(clock, {.lifetime = 600s, .capacity = 3, .per_client = 2});
    const auto a = states.issue("a");
    const auto b = states.issue("b");
    const auto c = states.issue("c");
    CHECK_FALSE(states.issue("d"));
    // A client with a login of its own still gets a new one, in place of its own.
    const auto a2 = states.issue("a");
    REQUIRE(a2);
    CHECK(states.size() == 3);
    CHECK_FALSE(states.consume(a->state, a->binding));
    CHECK(states.consume(a2->state, a2->binding));
    CHECK(states.consume(b->state, b->binding));
    CHECK(states.consume(c->state, c->binding));
    CHECK(states.issue("d"));
    CHECK(states.issue("f"));
    CHECK(states.issue("g"));
    CHECK_FALSE(states.issue("h"));
    clock.advance(600s);
    CHECK(states.issue("e"));  // expired ones make room
    CHECK(states.size() == 1);
}

TEST_CASE("100,000 pending logins: newcomers refused, every login still consumable", "[oauth]") {
    settings::ManualClock clock{start_time};
    OAuthStates states(clock, {.lifetime = 600s, .capacity = 100'000, .per_client = 10});
    std::vector<OAuthStates::Issued> issued;
    for (int i = 0; i < 100'000; ++i) {
        issued.push_back(*states.issue("client-" + std::to_string(i / 10)));
    }
    // With the table full, newcomers are refused and every pending login can
    // still be consumed. (That neither scans the table is the benchmark's to
    // measure, not this test's clock.)
    for (int i = 0; i < 10'000; ++i) {
        CHECK_FALSE(states.issue("newcomer-" + std::to_string(i)));
    }
    for (int i = 0; i < 10'000; ++i) {
        CHECK(states.consume(issued[static_cast<std::size_t>(i) * 10].state,
                             issued[static_cast<std::size_t>(i) * 10].binding));
    }
}
