#include <chrono>

#include <catch2/catch.hpp>

#include <service/github_projects_cache.hpp>
#include <settings/clock.hpp>

using service::GitHubProject;
using service::GitHubProjectsCache;

namespace {

const std::vector<GitHubProject> roadmap{{"PVT_1", "Roadmap", "octocat", "https://x/1"}};

}  // namespace

TEST_CASE("a user's project list is kept for its time to live", "[github]") {
    settings::ManualClock clock(std::chrono::system_clock::now());
    GitHubProjectsCache cache(clock, std::chrono::seconds(60), 10);
    CHECK_FALSE(cache.find("42"));
    cache.store("42", roadmap);
    clock.advance(std::chrono::seconds(59));
    CHECK(cache.find("42") == roadmap);
    CHECK_FALSE(cache.find("7"));
    clock.advance(std::chrono::seconds(1));
    CHECK_FALSE(cache.find("42"));
}

TEST_CASE("the project cache holds at most its capacity, dropping the oldest", "[github]") {
    settings::ManualClock clock(std::chrono::system_clock::now());
    GitHubProjectsCache cache(clock, std::chrono::seconds(60), 2);
    cache.store("1", roadmap);
    cache.store("2", roadmap);
    cache.store("1", {});  // stored again: now the newest
    cache.store("3", roadmap);
    CHECK(cache.find("1") == std::vector<GitHubProject>{});
    CHECK_FALSE(cache.find("2"));
    CHECK(cache.find("3") == roadmap);
}
