#include <atomic>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include <settings/admin_roles.hpp>
#include <settings/timestamp.hpp>

#include "support/test_database.hpp"

using settings::AdminRemoval;

namespace {

const auto start_time = *settings::parse_timestamp("2026-11-26T10:00:00.123Z");

}  // namespace

TEST_CASE("the first user to claim becomes the only admin", "[admins]") {
    test::TestDatabase db;
    settings::ManualClock clock{start_time};
    settings::AdminRoles admins(db.open(), clock);
    CHECK(admins.list().empty());
    CHECK_FALSE(admins.is_admin("1"));

    CHECK(admins.claim_first("1", "octocat"));
    CHECK_FALSE(admins.claim_first("2", "hubot"));

    CHECK(admins.is_admin("1"));
    CHECK_FALSE(admins.is_admin("2"));
    CHECK(admins.list() ==
          std::vector<settings::Admin>{{"1", "octocat", "2026-11-26T10:00:00.123Z"}});
}

TEST_CASE("admins survive reopening the database", "[admins]") {
    test::TestDatabase db;
    {
        settings::AdminRoles admins(db.open());
        REQUIRE(admins.add("42"));
    }
    settings::AdminRoles admins(db.open());
    CHECK(admins.is_admin("42"));
    CHECK_FALSE(admins.claim_first("7", "late"));
}

TEST_CASE("admins are added once, listed by id and keep their last login", "[admins]") {
    test::TestDatabase db;
    settings::AdminRoles admins(db.open());
    CHECK(admins.add("2"));
    CHECK(admins.add("10", "ten"));
    CHECK_FALSE(admins.add("2", "again"));
    CHECK_THROWS_AS(admins.add(""), std::invalid_argument);

    admins.remember_login("2", "two");
    admins.remember_login("3", "not-an-admin");

    const auto listed = admins.list();
    REQUIRE(listed.size() == 2);
    CHECK(listed[0].user_id == "10");  // byte order on both engines
    CHECK(listed[0].login == "ten");
    CHECK(listed[1].user_id == "2");
    CHECK(listed[1].login == "two");
    CHECK_FALSE(admins.is_admin("3"));
}

TEST_CASE("the last admin cannot be removed", "[admins]") {
    test::TestDatabase db;
    settings::AdminRoles admins(db.open());
    REQUIRE(admins.add("1"));
    REQUIRE(admins.add("2"));

    CHECK(admins.remove("3") == AdminRemoval::not_an_admin);
    CHECK(admins.remove("1") == AdminRemoval::removed);
    CHECK(admins.remove("2") == AdminRemoval::last_admin);

    CHECK(admins.is_admin("2"));
    CHECK_FALSE(admins.is_admin("1"));
    CHECK(db.count("SELECT count(*) FROM admin_users") == 1);
}

TEST_CASE("racing first sign-ins on several processes make exactly one admin",
          "[admins][scale-out]") {
    test::TestDatabase db;
    constexpr int hosts = 6;
    std::vector<std::unique_ptr<settings::AdminRoles>> roles;
    for (int h = 0; h < hosts; ++h) {
        roles.push_back(std::make_unique<settings::AdminRoles>(db.open()));
    }
    std::atomic<int> claimed{0};
    std::vector<std::thread> threads;
    for (int h = 0; h < hosts; ++h) {
        threads.emplace_back([&, h] {
            const auto id = std::to_string(h + 1);
            if (roles[static_cast<std::size_t>(h)]->claim_first(id, "user" + id)) {
                ++claimed;
            }
        });
    }
    for (auto& t : threads) {
        t.join();
    }
    CHECK(claimed.load() == 1);
    CHECK(db.count("SELECT count(*) FROM admin_users") == 1);
}

TEST_CASE("racing removals never leave the database without an admin", "[admins][scale-out]") {
    test::TestDatabase db;
    constexpr int hosts = 4;
    {
        settings::AdminRoles setup(db.open());
        for (int h = 0; h < hosts; ++h) {
            REQUIRE(setup.add(std::to_string(h + 1)));
        }
    }
    std::vector<std::unique_ptr<settings::AdminRoles>> roles;
    for (int h = 0; h < hosts; ++h) {
        roles.push_back(std::make_unique<settings::AdminRoles>(db.open()));
    }
    std::vector<std::thread> threads;
    for (int h = 0; h < hosts; ++h) {
        threads.emplace_back(
            [&, h] { (void)roles[static_cast<std::size_t>(h)]->remove(std::to_string(h + 1)); });
    }
    for (auto& t : threads) {
        t.join();
    }
    CHECK(db.count("SELECT count(*) FROM admin_users") == 1);
}
