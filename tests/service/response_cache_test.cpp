// The read cache through its public API, and the Api's use of it, with a
// database version that never moves: so every freshness seen here comes from the
// cache's own bookkeeping, not from a lucky reading of the version.

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include <service/api.hpp>
#include <service/config.hpp>
#include <service/response_cache.hpp>
#include <session/session_store.hpp>
#include <settings/clock.hpp>
#include <settings/storage.hpp>
#include <settings/timestamp.hpp>

#include "support/test_database.hpp"

using namespace std::chrono_literals;
using service::ResponseCache;

namespace {

const auto start_time = *settings::parse_timestamp("2026-11-26T10:00:00.000Z");
const std::string cookie(43, 'c');

std::optional<std::string> body_of(const std::shared_ptr<const std::string>& found) {
    return found ? std::optional(*found) : std::nullopt;
}

// A version that moves only when the test says so.
struct CacheFixture {
    std::atomic<std::int64_t> version{1};
    settings::ManualClock clock{start_time};

    [[nodiscard]] ResponseCache::VersionSource changes() {
        return [this] { return std::optional<std::int64_t>(version.load()); };
    }
};

}  // namespace

TEST_CASE("a remembered body is served until its session's quiet time", "[cache]") {
    CacheFixture f;
    ResponseCache cache(f.changes(), f.clock);
    CHECK_FALSE(cache.find(cookie));
    cache.remember(cookie, start_time + 5min, "{\"a\":1}", cache.generation());

    CHECK(body_of(cache.find(cookie)) == "{\"a\":1}");
    CHECK_FALSE(cache.find(std::string(43, 'd')));
    f.clock.advance(5min);
    CHECK(body_of(cache.find(cookie)) == "{\"a\":1}");
    f.clock.advance(1ms);
    CHECK_FALSE(cache.find(cookie));
}

TEST_CASE("a write of this process ends the generation at once", "[cache]") {
    CacheFixture f;
    ResponseCache cache(f.changes(), f.clock);

    SECTION("what was remembered is gone") {
        cache.remember(cookie, start_time + 5min, "old", cache.generation());
        cache.invalidate();
        CHECK_FALSE(cache.find(cookie));
    }
    SECTION("a read that began before the write is not remembered") {
        const auto before = cache.generation();
        cache.invalidate();
        cache.remember(cookie, start_time + 5min, "old", before);
        CHECK_FALSE(cache.find(cookie));
        cache.remember(cookie, start_time + 5min, "new", cache.generation());
        CHECK(body_of(cache.find(cookie)) == "new");
    }
}

TEST_CASE("a commit by anyone else ends the generation for requests that arrive after it",
          "[cache]") {
    CacheFixture f;
    ResponseCache cache(f.changes(), f.clock);
    const auto arrived = std::chrono::steady_clock::now();
    cache.remember(cookie, start_time + 5min, "old", cache.generation(arrived));
    REQUIRE(body_of(cache.find(cookie)) == "old");

    ++f.version;  // a commit of another process
    // A request that arrived before the last reading of the version shares it...
    CHECK(body_of(cache.find(cookie, arrived)) == "old");
    // ...one that arrived after it is checked by a reading of its own.
    CHECK_FALSE(cache.find(cookie, std::chrono::steady_clock::now()));
}

TEST_CASE("an unreadable version counts as a change", "[cache]") {
    std::atomic<bool> readable{true};
    settings::ManualClock clock{start_time};
    ResponseCache cache([&] { return readable ? std::optional<std::int64_t>(7) : std::nullopt; },
                        clock);
    cache.remember(cookie, start_time + 5min, "old", cache.generation());
    REQUIRE(body_of(cache.find(cookie)) == "old");
    readable = false;
    CHECK_FALSE(cache.find(cookie));
}

TEST_CASE("a full cache starts over", "[cache]") {
    CacheFixture f;
    ResponseCache cache(f.changes(), f.clock, 2);
    const auto generation = cache.generation();
    cache.remember(std::string(43, 'a'), start_time + 5min, "a", generation);
    cache.remember(std::string(43, 'b'), start_time + 5min, "b", generation);
    cache.remember(std::string(43, 'c'), start_time + 5min, "c", generation);
    CHECK_FALSE(cache.find(std::string(43, 'a')));
    CHECK(body_of(cache.find(std::string(43, 'c'))) == "c");
}

namespace {

struct ApiFixture {
    test::TestDatabase db;
    service::Config config;
    std::shared_ptr<settings::Storage> storage;
    std::unique_ptr<session::SessionStore> sessions;
    std::unique_ptr<settings::SettingsStore> store;
    std::unique_ptr<service::OAuthStates> states;
    std::unique_ptr<ResponseCache> cache;
    service::GitHubProjectsCache github_projects{settings::SystemClock::instance(),
                                                 std::chrono::seconds(60), 16};
    std::unique_ptr<settings::AdminRoles> roles;
    std::unique_ptr<service::AdminPolicy> admins;
    service::WriteRateLimiter write_limiter{0, 0};
    service::Drain drain;
    std::unique_ptr<service::Api> api;
    std::string cookie;

    ApiFixture() {
        storage = db.open();
        config.frontend_url = *service::parse_url("http://localhost:5173");
        sessions = std::make_unique<session::SessionStore>(storage);
        store = std::make_unique<settings::SettingsStore>(storage);
        states = std::make_unique<service::OAuthStates>(settings::SystemClock::instance());
        cache = std::make_unique<ResponseCache>([] { return std::optional<std::int64_t>(1); },
                                                settings::SystemClock::instance());
        roles = std::make_unique<settings::AdminRoles>(storage);
        admins = std::make_unique<service::AdminPolicy>(std::vector<std::string>{}, *roles);
        api = std::make_unique<service::Api>(config, *storage, *store, *sessions, *states, *cache,
                                             *admins, write_limiter, github_projects, drain);
        cookie = sessions->create({"42", "octocat", std::nullopt}, {"t", {}, {}}).cookie;
    }

    [[nodiscard]] service::Request get() const {
        return {"GET", "/api/v1/settings/user", {{"cookie", "session_id=" + cookie}}, ""};
    }
    [[nodiscard]] service::Request put(std::string body) const {
        return {"PUT",
                "/api/v1/settings/user",
                {{"cookie", "session_id=" + cookie}, {"content-type", "application/json"}},
                std::move(body)};
    }
};

}  // namespace

TEST_CASE("the Api answers a repeated read on the I/O thread and every accepted write ends that",
          "[cache][api][sqlite]") {
    ApiFixture f;
    CHECK(f.api->triage(f.get()).stage == service::Api::Stage::storage_read);
    const auto first = f.api->handle(f.get());
    REQUIRE(first.status == 200);

    auto cached = f.api->triage(f.get());
    REQUIRE(cached.stage == service::Api::Stage::respond);
    CHECK(cached.response.status == 200);
    CHECK(cached.response.body == first.body);
    CHECK(cached.response.headers.size() == first.headers.size());

    SECTION("a PUT") {
        const auto written = f.api->handle(f.put(R"({"display":{"theme":"dark"}})"));
        REQUIRE(written.status == 200);
        CHECK(f.api->triage(f.get()).stage == service::Api::Stage::storage_read);
        const auto fresh = f.api->handle(f.get());
        CHECK(fresh.body.find(R"("theme":"dark")") != std::string::npos);
    }
    SECTION("but not a refused PUT, which changed nothing") {
        CHECK(f.api->handle(f.put(R"({"display":{"theme":"blue"}})")).status == 422);
        CHECK(f.api->triage(f.get()).stage == service::Api::Stage::respond);
    }
    SECTION("a logout") {
        service::Request logout{
            "POST",
            "/api/v1/auth/logout",
            {{"cookie", "session_id=" + f.cookie}, {"content-type", "application/json"}},
            "{}"};
        CHECK(f.api->handle(logout).status == 200);
        CHECK(f.api->triage(f.get()).stage == service::Api::Stage::storage_read);
        CHECK(f.api->handle(f.get()).status == 401);
    }
}

TEST_CASE("readers, writers and version readings at once", "[cache][concurrency]") {
    CacheFixture f;
    ResponseCache cache(f.changes(), f.clock);
    std::atomic<bool> wrong{false};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            const std::string own(43, static_cast<char>('a' + t));
            for (int i = 0; i < 500; ++i) {
                const auto generation = cache.generation();
                cache.remember(own, start_time + 5min, own + std::to_string(i), generation);
                const auto found = cache.find(own);
                // Only this thread writes its key: a hit is its own latest body.
                if (found && *found != own + std::to_string(i)) {
                    wrong = true;
                }
                if (i % 50 == t) {
                    cache.invalidate();
                }
                if (i % 70 == t) {
                    ++f.version;
                }
            }
        });
    }
    for (auto& thread : threads) {
        thread.join();
    }
    CHECK_FALSE(wrong);
    cache.invalidate();
    CHECK_FALSE(cache.find(std::string(43, 'a')));
}
