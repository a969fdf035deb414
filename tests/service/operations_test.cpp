// The plain parts of operations.md, without sockets: the drain state and its
// subscribers, request ids, readiness through the Api, and the metrics text.

#include <memory>
#include <regex>
#include <set>
#include <string>

#include <catch2/catch.hpp>

#include <service/api.hpp>
#include <service/config.hpp>
#include <service/drain.hpp>
#include <service/metrics.hpp>
#include <service/request_id.hpp>
#include <service/response_cache.hpp>
#include <service/router.hpp>
#include <session/session_store.hpp>
#include <settings/settings_store.hpp>
#include <settings/storage.hpp>

#include "support/test_database.hpp"

using namespace std::chrono_literals;

TEST_CASE("draining begins once and tells every live subscriber") {
    service::Drain drain;
    int first = 0;
    int second = 0;
    int gone = 0;
    auto a = drain.subscribe([&] { ++first; });
    auto b = drain.subscribe([&] { ++second; });
    {
        auto c = drain.subscribe([&] { ++gone; });
    }  // unsubscribed by its destructor
    CHECK_FALSE(drain.draining());
    drain.begin();
    drain.begin();
    CHECK(drain.draining());
    CHECK((first == 1 && second == 1 && gone == 0));
    int late = 0;
    auto d = drain.subscribe([&] { ++late; });  // after the start: called at once
    CHECK(late == 1);
}

TEST_CASE("a request id is the incoming one when acceptable, else a new one") {
    const std::regex made("[0-9a-f]{32}");
    CHECK(service::request_id_for("abc-123") == "abc-123");
    CHECK(service::request_id_for(std::string(128, 'x')) == std::string(128, 'x'));
    CHECK(service::request_id_for("with space") == "with space");
    for (const std::string& refused : {std::string(129, 'x'), std::string(), std::string("a\nb"),
                                       std::string("caf\xc3\xa9"), std::string("tab\there")}) {
        CHECK(std::regex_match(service::request_id_for(refused), made));
    }
    CHECK(std::regex_match(service::request_id_for(std::nullopt), made));
    CHECK(service::request_id_for(std::nullopt) != service::request_id_for(std::nullopt));
}

namespace {

struct ReadyFixture {
    test::TestDatabase db;
    service::Config config;
    std::shared_ptr<settings::Storage> storage = db.open();
    session::SessionStore sessions{storage};
    settings::SettingsStore store{storage};
    service::OAuthStates states{settings::SystemClock::instance()};
    service::ResponseCache cache{[] { return std::optional<std::int64_t>(1); },
                                 settings::SystemClock::instance()};
    settings::AdminRoles roles{storage};
    service::AdminPolicy admins{{}, roles};
    service::WriteRateLimiter write_limiter{0, 0};
    service::GitHubProjectsCache github_projects{settings::SystemClock::instance(),
                                                 std::chrono::seconds(60), 16};
    service::Drain drain;
    service::Api api{config, *storage, store,         sessions,        states,
                     cache,  admins,   write_limiter, github_projects, drain};

    service::Response ready() {
        auto triage = api.triage({"GET", "/api/v1/ready", {}, ""});
        REQUIRE(triage.stage == service::Api::Stage::respond);
        return triage.response;
    }
};

}  // namespace

TEST_CASE("ready is 200 until draining begins, then 503 with the reason") {
    ReadyFixture f;
    auto ready = f.ready();
    CHECK(ready.status == 200);
    CHECK(ready.body == R"({"status":"ready"})");
    f.drain.begin();
    ready = f.ready();
    CHECK(ready.status == 503);
    CHECK(ready.body ==
          R"({"status":"unavailable","reason":"draining: the process is shutting down"})");
    // Liveness is not readiness: the process still answers.
    CHECK(f.api.triage({"GET", "/api/v1/health", {}, ""}).response.status == 200);
}

namespace {

std::set<std::string> series_of(const std::string& text) {
    std::set<std::string> series;
    std::size_t start = 0;
    while (start < text.size()) {
        const auto end = text.find('\n', start);
        const auto line = text.substr(start, end - start);
        if (!line.empty() && line[0] != '#') {
            series.insert(line.substr(0, line.rfind(' ')));
        }
        start = end == std::string::npos ? text.size() : end + 1;
    }
    return series;
}

}  // namespace

TEST_CASE("metrics label requests by route template and status class only") {
    service::Metrics metrics("9.9.9", "sqlite");
    const auto before = series_of(metrics.scrape());
    for (int i = 0; i < 1000; ++i) {
        const auto route = service::match_route("/api/v1/settings/project/P" + std::to_string(i));
        metrics.request_started();
        metrics.request_finished(route ? std::optional(route->endpoint) : std::nullopt,
                                 200 + i % 400, 1ms);
        metrics.request_started();
        metrics.request_finished(std::nullopt, 404, 1ms);
    }
    const auto text = metrics.scrape();
    CHECK(series_of(text) == before);
    CHECK(
        text.find(
            R"(settings_http_requests_total{code="2xx",route="/api/v1/settings/project/{project_id}"} 300)") !=
        std::string::npos);
    CHECK(text.find(R"(settings_http_requests_total{code="4xx",route="unmatched"} 1000)") !=
          std::string::npos);
    CHECK(text.find("settings_http_requests_in_flight 0") != std::string::npos);
    CHECK(text.find(R"(settings_build_info{storage="sqlite",version="9.9.9"} 1)") !=
          std::string::npos);
}

TEST_CASE("pulled metrics come from their sources at each scrape") {
    service::Metrics metrics("1", "postgresql");
    std::uint64_t hits = 3;
    metrics.set_sources({.cache =
                             [&] {
                                 return service::ResponseCache::Counts{hits, 2};
                             },
                         .storage_errors =
                             [] {
                                 return service::Api::StorageErrors{4, 5};
                             },
                         .sessions =
                             [] {
                                 return session::SessionCounts{6, 7, 8};
                             },
                         .pool =
                             [] {
                                 return std::optional(settings::PoolUsage{1, 10});
                             }});
    metrics.group_committed(3);
    metrics.history_purged(2);
    metrics.event_stream_opened();
    auto text = metrics.scrape();
    for (const char* expected :
         {"settings_cache_hits_total 3", "settings_cache_misses_total 2",
          R"(settings_storage_errors_total{kind="unavailable"} 4)",
          R"(settings_storage_errors_total{kind="failed"} 5)", "settings_sessions_created_total 6",
          "settings_sessions_expired_total 7", "settings_sessions_purged_total 8",
          "settings_storage_pool_connections_in_use 1", "settings_storage_pool_connections_max 10",
          "settings_storage_group_commit_writes_count 1",
          "settings_storage_group_commit_writes_sum 3", "settings_history_entries_purged_total 2",
          "settings_event_streams_open 1"}) {
        CHECK(text.find(expected) != std::string::npos);
    }
    hits = 30;
    CHECK(metrics.scrape().find("settings_cache_hits_total 30") != std::string::npos);
}

TEST_CASE("the metrics listener answers GET /metrics only") {
    const service::Metrics metrics("1", "sqlite");
    const auto ok = service::metrics_response({"GET", "/metrics", {}, ""}, metrics);
    CHECK(ok.status == 200);
    CHECK(ok.body.find("# TYPE settings_http_requests_total counter") != std::string::npos);
    CHECK(service::metrics_response({"GET", "/", {}, ""}, metrics).status == 404);
    CHECK(service::metrics_response({"POST", "/metrics", {}, ""}, metrics).status == 405);
}
