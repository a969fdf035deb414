#include <atomic>
#include <regex>
#include <set>
#include <thread>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <catch2/catch.hpp>

#include <session/session_store.hpp>
#include <settings/errors.hpp>
#include <settings/sha256.hpp>
#include <settings/timestamp.hpp>

#include "storage/storage_engine.hpp"
#include "support/test_database.hpp"

using namespace std::chrono_literals;
using session::OAuthTokens;
using session::SessionStore;
using session::SessionStoreOptions;
using session::SessionUser;

namespace {

const auto start_time = *settings::parse_timestamp("2026-11-26T10:00:00.000Z");

const SessionUser octocat{"583231", "octocat", "https://avatars.example/u/583231"};
const OAuthTokens tokens{"gho_access_SECRET_123", "ghr_refresh_SECRET_456",
                         "2026-11-26T18:00:00.000Z"};

// A key given as base64 text, as TOKEN_ENCRYPTION_KEY holds it.
session::TokenKey key_of(char fill) {
    return *session::TokenKey::from_base64(
        std::string(fill == 'A' ? "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE="
                                : "QkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkI="));
}

struct Fixture {
    test::TestDatabase db;
    settings::ManualClock clock{start_time};

    [[nodiscard]] std::filesystem::path path() const { return db.path(); }

    SessionStore open(SessionStoreOptions options = {}) {
        options.clock = &clock;
        return SessionStore(db.open(), std::move(options));
    }

    [[nodiscard]] std::int64_t count_rows() const {
        return db.count("SELECT count(*) FROM user_sessions");
    }

    // Every byte the engine keeps of the data (SQLite: the file and its WAL).
    [[nodiscard]] std::string file_bytes() const {
        if (db.is_postgresql()) {
            return "";
        }
        return test::read_bytes(path()) + test::read_bytes(path().string() + "-wal");
    }

    // One column of the only session row, as the database holds it.
    [[nodiscard]] std::string column(const std::string& name) const {
        return db.query("SELECT " + name + " FROM user_sessions").at(0).at(0).value_or("NULL");
    }
};

}  // namespace

TEST_CASE("a session round-trips every field of SES-5", "[session][SES-5]") {
    Fixture f;
    auto store = f.open();

    const auto created = store.create(octocat, tokens);
    const auto found = store.find(created.cookie);

    REQUIRE(found);
    CHECK(found->user == octocat);
    CHECK(found->tokens == tokens);
    CHECK_FALSE(found->selected_project_id);
    CHECK(found->created_at == "2026-11-26T10:00:00.000Z");
    CHECK(found->updated_at == "2026-11-26T10:00:00.000Z");
    CHECK(*found == created.session);
}

TEST_CASE("cookie values are 256 random bits as base64url, new at every login",
          "[session][SES-4]") {
    Fixture f;
    auto store = f.open();
    std::set<std::string> seen;
    for (int i = 0; i < 200; ++i) {
        const auto cookie = store.create(octocat, tokens).cookie;
        CHECK(std::regex_match(cookie, std::regex("[A-Za-z0-9_-]{43}")));
        CHECK(seen.insert(cookie).second);
    }
}

TEST_CASE("only the digest of the cookie is stored", "[session][SES-4]") {
    Fixture f;
    std::string cookie;
    {
        auto store = f.open();
        cookie = store.create(octocat, tokens).cookie;
        CHECK(f.file_bytes().find(cookie) == std::string::npos);
    }
    CHECK(f.file_bytes().find(cookie) == std::string::npos);
    CHECK(f.column("session_id") == settings::sha256_hex(cookie));
}

TEST_CASE("sessions survive closing and reopening the database", "[session][SES-1]") {
    Fixture f;
    std::string cookie;
    {
        auto store = f.open();
        cookie = store.create(octocat, tokens).cookie;
    }
    auto store = f.open();
    const auto found = store.find(cookie);
    REQUIRE(found);
    CHECK(found->user == octocat);
    CHECK(found->tokens == tokens);
}

TEST_CASE("expiry at the edge of the inactivity window", "[session][SES-2]") {
    Fixture f;
    SessionStoreOptions options;
    options.expire_after = 1h;
    auto store = f.open(options);

    SECTION("just before the edge the session is live") {
        const auto cookie = store.create(octocat, tokens).cookie;
        f.clock.advance(1h - 1ms);
        CHECK(store.find(cookie));
    }
    SECTION("exactly at the edge the session is live") {
        const auto cookie = store.create(octocat, tokens).cookie;
        f.clock.advance(1h);
        CHECK(store.find(cookie));
    }
    SECTION("past the edge the session is rejected and its row deleted") {
        const auto cookie = store.create(octocat, tokens).cookie;
        f.clock.advance(1h + 1ms);
        CHECK_FALSE(store.find(cookie));
        CHECK(f.count_rows() == 0);
        f.clock.set(start_time);  // even with the clock turned back, it is gone
        CHECK_FALSE(store.find(cookie));
    }
}

TEST_CASE("activity slides the window", "[session][SES-2]") {
    Fixture f;
    SessionStoreOptions options;
    options.expire_after = 1h;
    auto store = f.open(options);
    const auto cookie = store.create(octocat, tokens).cookie;

    for (int i = 0; i < 5; ++i) {
        f.clock.advance(50min);
        REQUIRE(store.find(cookie));
    }
    CHECK(store.find(cookie)->updated_at == "2026-11-26T14:10:00.000Z");
}

TEST_CASE("the absolute lifetime ends a session however active", "[session][SES-2]") {
    Fixture f;
    SessionStoreOptions options;
    options.expire_after = 1h;
    options.max_age = 3h;
    auto store = f.open(options);
    const auto cookie = store.create(octocat, tokens).cookie;

    for (int i = 0; i < 6; ++i) {
        f.clock.advance(30min);
        REQUIRE(store.find(cookie));
    }
    f.clock.advance(1ms);
    CHECK_FALSE(store.find(cookie));
    CHECK(f.count_rows() == 0);
}

TEST_CASE("activity is written at most once per touch interval", "[session][SES-2]") {
    Fixture f;
    SessionStoreOptions options;
    options.expire_after = 8h;
    auto store = f.open(options);
    CHECK(store.touch_interval() == 5min);
    const auto cookie = store.create(octocat, tokens).cookie;

    const auto version = [&] { return f.column("updated_at"); };
    const auto before = version();
    for (int i = 0; i < 100; ++i) {
        f.clock.advance(3s);  // 300 s in all: not strictly older than 5 min
        REQUIRE(store.find(cookie));
    }
    CHECK(version() == before);
    CHECK(store.find(cookie)->updated_at == "2026-11-26T10:00:00.000Z");

    f.clock.advance(1ms);
    CHECK(store.find(cookie)->updated_at == "2026-11-26T10:05:00.001Z");
    CHECK(version() != before);

    SECTION("small windows use a tenth of the window") {
        SessionStoreOptions tiny;
        tiny.expire_after = 3600ms;
        CHECK(f.open(tiny).touch_interval() == 360ms);
    }
}

TEST_CASE("logout deletes the session for good", "[session][SES-3]") {
    Fixture f;
    auto store = f.open();
    const auto cookie = store.create(octocat, tokens).cookie;

    CHECK(store.remove(cookie));
    CHECK_FALSE(store.find(cookie));
    CHECK_FALSE(store.remove(cookie));
    CHECK_FALSE(store.update_tokens(cookie, tokens));
    CHECK_FALSE(store.select_project(cookie, "PVT_1"));
    CHECK(f.count_rows() == 0);
}

TEST_CASE("a touch racing with a logout never brings the session back", "[session][SES-3]") {
    Fixture f;
    SessionStoreOptions options;
    options.expire_after = 1h;
    auto reader = f.open(options);
    auto other_process = f.open(options);  // a second connection, like a second instance
    for (int round = 0; round < 50; ++round) {
        const auto cookie = reader.create(octocat, tokens).cookie;
        f.clock.advance(10min);  // every find now wants to write updated_at
        std::atomic<bool> go{false};
        std::thread touching([&] {
            while (!go) {
            }
            for (int i = 0; i < 5; ++i) {
                (void)reader.find(cookie);
            }
        });
        std::thread logout([&] {
            while (!go) {
            }
            other_process.remove(cookie);
        });
        go = true;
        touching.join();
        logout.join();
        CHECK_FALSE(reader.find(cookie));
        CHECK_FALSE(other_process.find(cookie));
    }
    CHECK(f.count_rows() == 0);
}

TEST_CASE("select_project and update_tokens change a live session", "[session][SES-5]") {
    Fixture f;
    auto store = f.open();
    const auto cookie = store.create(octocat, tokens).cookie;

    f.clock.advance(1s);
    const auto selected = store.select_project(cookie, "PVT_kwDOABCD1234");
    REQUIRE(selected);
    CHECK(selected->selected_project_id == "PVT_kwDOABCD1234");
    CHECK(store.find(cookie)->selected_project_id == "PVT_kwDOABCD1234");
    CHECK(store.select_project(cookie, std::nullopt)->selected_project_id == std::nullopt);
    CHECK_THROWS_AS(store.select_project(cookie, "not valid!"), std::invalid_argument);

    const OAuthTokens refreshed{"gho_new", std::nullopt, std::nullopt};
    CHECK(store.update_tokens(cookie, refreshed));
    CHECK(store.find(cookie)->tokens == refreshed);
}

TEST_CASE("remove_all_for_user removes only that user's sessions", "[session]") {
    Fixture f;
    auto store = f.open();
    const auto a1 = store.create(octocat, tokens).cookie;
    const auto a2 = store.create(octocat, tokens).cookie;
    const auto b = store.create({"1", "hubot", std::nullopt}, tokens).cookie;

    CHECK(store.remove_all_for_user("583231") == 2);
    CHECK_FALSE(store.find(a1));
    CHECK_FALSE(store.find(a2));
    CHECK(store.find(b));
}

TEST_CASE("malformed cookies are rejected without a lookup", "[session]") {
    Fixture f;
    auto store = f.open();
    const auto cookie = store.create(octocat, tokens).cookie;
    CHECK_FALSE(store.find(""));
    CHECK_FALSE(store.find(cookie.substr(1)));
    CHECK_FALSE(store.find(cookie + "A"));
    CHECK_FALSE(store.find(std::string(43, '.')));
    CHECK_FALSE(store.find(settings::sha256_hex(cookie)));  // the stored id is no cookie
}

TEST_CASE("purge deletes exactly the expired sessions and counts them", "[session][SES-2]") {
    Fixture f;
    SessionStoreOptions options;
    options.expire_after = 1h;
    options.max_age = 10h;
    options.purge_batch_size = 3;
    auto store = f.open(options);
    std::vector<std::string> old_cookies;
    for (int i = 0; i < 7; ++i) {
        old_cookies.push_back(store.create(octocat, tokens).cookie);
    }
    f.clock.advance(1h + 1ms);
    const auto fresh = store.create(octocat, tokens).cookie;

    CHECK(store.purge_expired() == 7);
    CHECK(f.count_rows() == 1);
    CHECK(store.find(fresh));
    CHECK(store.purge_expired() == 0);
}

TEST_CASE("purging 100k expired rows never holds the write lock for long", "[session][SES-2]") {
    Fixture f;
    SessionStoreOptions options;
    options.expire_after = 1h;
    options.purge_batch_size = 1000;
    auto store = f.open(options);
    const std::string expired = "'2026-11-26T08:00:00.000Z'";
    f.db.exec(f.db.is_postgresql()
                  ? "INSERT INTO user_sessions (session_id, github_user_id, github_username, "
                    "access_token, created_at, updated_at) SELECT 'expired-' || i, 'u', 'user', "
                    "'token', " +
                        expired + ", " + expired + " FROM generate_series(0, 99999) AS i"
                  : "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n "
                    "WHERE i < 99999) INSERT INTO user_sessions (session_id, github_user_id, "
                    "github_username, access_token, created_at, updated_at) "
                    "SELECT 'expired-' || i, 'u', 'user', 'token', " +
                        expired + ", " + expired + " FROM n");
    const auto keep = store.create(octocat, tokens).cookie;

    // Between two batches another connection must get SQLite's write lock at
    // once (PostgreSQL locks rows, not the database).
    std::optional<SQLite::Database> writer;
    if (!f.db.is_postgresql()) {
        writer.emplace(f.path().string(), SQLite::OPEN_READWRITE);
        writer->setBusyTimeout(0);
        writer->exec("CREATE TABLE probe (n INTEGER)");
    }
    int batches = 0;
    int blocked = 0;
    const auto removed = store.purge_expired([&](std::size_t) {
        ++batches;
        try {
            if (writer) {
                writer->exec("INSERT INTO probe VALUES (1)");
            }
        } catch (const SQLite::Exception&) {
            ++blocked;
        }
    });

    CHECK(removed == 100'000);
    CHECK(batches == 100);
    CHECK(blocked == 0);
    CHECK(f.count_rows() == 1);
    CHECK(store.find(keep));
}

TEST_CASE("tokens are encrypted at rest when a key is configured", "[session][SES-5]") {
    Fixture f;
    SessionStoreOptions options;
    options.token_key = key_of('A');
    std::string cookie;
    {
        auto store = f.open(options);
        cookie = store.create(octocat, tokens).cookie;
        const auto found = store.find(cookie);
        REQUIRE(found);
        CHECK(found->tokens == tokens);
    }
    const auto bytes = f.file_bytes();
    CHECK(bytes.find("gho_access_SECRET_123") == std::string::npos);
    CHECK(bytes.find("ghr_refresh_SECRET_456") == std::string::npos);
    CHECK_THAT(f.column("access_token"), Catch::StartsWith("enc:v1:"));
    CHECK_THAT(f.column("refresh_token"), Catch::StartsWith("enc:v1:"));

    SECTION("the right key opens them after a restart") {
        auto store = f.open(options);
        REQUIRE(store.find(cookie));
        CHECK(store.find(cookie)->tokens == tokens);
    }
    SECTION("a wrong key makes the session invalid, without a crash or a leak") {
        options.token_key = key_of('B');
        auto store = f.open(options);
        CHECK_FALSE(store.find(cookie));
        CHECK_FALSE(store.update_tokens(cookie, tokens));
    }
    SECTION("no key makes the session invalid") {
        auto store = f.open();
        CHECK_FALSE(store.find(cookie));
    }
}

TEST_CASE("without a key tokens are stored as they are", "[session]") {
    Fixture f;
    {
        auto store = f.open();
        store.create(octocat, tokens);
    }
    CHECK(f.column("access_token") == "gho_access_SECRET_123");
}

TEST_CASE("a token copied to another row does not decrypt there", "[session]") {
    Fixture f;
    SessionStoreOptions options;
    options.token_key = key_of('A');
    auto store = f.open(options);
    const auto victim = store.create(octocat, tokens).cookie;
    const auto attacker =
        store.create({"9", "mallory", std::nullopt}, {"gho_mallory", std::nullopt, std::nullopt})
            .cookie;
    // Digests are hex: safe to write into the statement.
    f.db.exec(
        "UPDATE user_sessions SET access_token = (SELECT access_token FROM user_sessions "
        "WHERE session_id = '" +
        settings::sha256_hex(victim) + "') WHERE session_id = '" + settings::sha256_hex(attacker) +
        "'");
    CHECK_FALSE(store.find(attacker));
    CHECK(store.find(victim));
}

TEST_CASE("a key set later encrypts the plain tokens stored before it", "[session][tokens]") {
    Fixture f;
    std::vector<std::string> cookies;
    {
        auto plain = f.open();
        for (int i = 0; i < 1203; ++i) {  // more than two batches
            cookies.push_back(plain.create(octocat, tokens).cookie);
        }
        cookies.push_back(
            plain.create(octocat, {"gho_no_refresh", std::nullopt, std::nullopt}).cookie);
    }
    SessionStoreOptions options;
    options.token_key = key_of('A');
    auto store = f.open(options);
    const auto pass = store.reseal_tokens();
    CHECK(pass.sealed == cookies.size());
    CHECK(pass.unreadable == 0);
    CHECK(f.db.count("SELECT count(*) FROM user_sessions WHERE access_token NOT LIKE 'enc:v1:%' "
                     "OR (refresh_token IS NOT NULL AND refresh_token NOT LIKE 'enc:v1:%')") == 0);
    for (std::size_t i = 0; i < cookies.size(); i += 100) {
        REQUIRE(store.find(cookies[i]));
        CHECK(store.find(cookies[i])->tokens == tokens);
    }
    CHECK(store.find(cookies.back())->tokens.access_token == "gho_no_refresh");
    CHECK_FALSE(store.find(cookies.back())->tokens.refresh_token);
    // A second pass finds nothing left to do.
    const auto again = store.reseal_tokens();
    CHECK(again.sealed == 0);
    CHECK(again.unreadable == 0);
}

TEST_CASE("tokens no key opens are counted and left as they are", "[session][tokens]") {
    Fixture f;
    SessionStoreOptions with_a;
    with_a.token_key = key_of('A');
    {
        auto store = f.open(with_a);
        store.create(octocat, tokens);
        store.create(octocat, tokens);
    }
    const auto stored = f.db.query("SELECT access_token FROM user_sessions ORDER BY session_id");
    SessionStoreOptions with_b;
    with_b.token_key = key_of('B');
    auto store = f.open(with_b);
    const auto pass = store.reseal_tokens();
    CHECK(pass.sealed == 0);
    CHECK(pass.unreadable == 2);
    CHECK(f.db.query("SELECT access_token FROM user_sessions ORDER BY session_id") == stored);
    CHECK(f.open().reseal_tokens().unreadable == 2);  // no key at all
}

TEST_CASE("rotating the key re-encrypts every token with the new one", "[session][tokens]") {
    Fixture f;
    SessionStoreOptions old_key;
    old_key.token_key = key_of('A');
    std::string sealed_cookie;
    std::string plain_cookie;
    {
        plain_cookie = f.open().create(octocat, tokens).cookie;
        sealed_cookie = f.open(old_key).create(octocat, tokens).cookie;
    }
    SessionStoreOptions new_key;
    new_key.token_key = key_of('B');
    auto rotated = f.open(new_key);
    const auto pass = rotated.reseal_tokens(key_of('A'));
    CHECK(pass.sealed == 2);
    CHECK(pass.unreadable == 0);
    REQUIRE(rotated.find(sealed_cookie));
    CHECK(rotated.find(sealed_cookie)->tokens == tokens);
    REQUIRE(rotated.find(plain_cookie));
    CHECK_FALSE(f.open(old_key).find(sealed_cookie));  // the old key opens nothing now
    // Run again (say after sessions were created meanwhile): nothing left to do.
    CHECK(rotated.reseal_tokens(key_of('A')).sealed == 0);
}

TEST_CASE("a token rewrite never overwrites tokens changed since they were read",
          "[session][tokens]") {
    Fixture f;
    const auto storage = f.db.open();
    const auto cookie = SessionStore(storage).create(octocat, tokens).cookie;
    const auto backend = storage->internals().session_backend();
    const auto read = backend->tokens_after("", 10);
    REQUIRE(read.size() == 1);
    CHECK(read[0].second ==
          settings::detail::StoredTokens{tokens.access_token, tokens.refresh_token});
    // A refresh lands between the pass's read and its write.
    REQUIRE(
        SessionStore(storage).update_tokens(cookie, {"gho_refreshed", std::nullopt, std::nullopt}));
    const settings::detail::StoredTokens replacement{"enc:v1:stale", std::nullopt};
    CHECK(backend->rewrite_tokens({{read[0].first, read[0].second, replacement}}) == 0);
    CHECK(f.column("access_token") == "gho_refreshed");
    // Unchanged tokens are replaced, a NULL refresh token matching a NULL.
    const settings::detail::StoredTokens current{"gho_refreshed", std::nullopt};
    CHECK(backend->rewrite_tokens({{read[0].first, current, replacement}}) == 1);
    CHECK(f.column("access_token") == "enc:v1:stale");
    CHECK(backend->tokens_after(read[0].first, 10).empty());
}

TEST_CASE("token keys are 32 bytes of base64", "[session]") {
    CHECK(session::TokenKey::from_base64(" QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE=\n"));
    CHECK_FALSE(session::TokenKey::from_base64(""));
    CHECK_FALSE(session::TokenKey::from_base64("QUFB"));  // 3 bytes
    CHECK_FALSE(session::TokenKey::from_base64("QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB"));
    CHECK_FALSE(session::TokenKey::from_base64("not base64 at all, not even close!!!!!!!!!!="));
}

TEST_CASE("8 threads creating, finding and removing sessions concurrently", "[session]") {
    Fixture f;
    auto first = f.open();
    auto second = f.open();
    std::atomic<int> errors{0};
    std::atomic<int> lost{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
        threads.emplace_back([&, t] {
            auto& store = t % 2 == 0 ? first : second;
            auto& peer = t % 2 == 0 ? second : first;
            try {
                for (int i = 0; i < 30; ++i) {
                    const auto cookie = store.create(octocat, tokens).cookie;
                    if (!peer.find(cookie) || !store.find(cookie)) {
                        ++lost;
                    }
                    if (i % 3 == 0 && (!peer.remove(cookie) || store.find(cookie))) {
                        ++lost;
                    }
                }
            } catch (const std::exception&) {
                ++errors;
            }
        });
    }
    for (auto& t : threads) {
        t.join();
    }
    CHECK(errors == 0);
    CHECK(lost == 0);
    CHECK(f.count_rows() == 8 * 20);
}

TEST_CASE("sessions are found while another process holds the write lock",
          "[session][DB-6][sqlite]") {
    Fixture f;
    settings::StorageOptions db_options;
    db_options.busy_timeout = 200ms;
    SessionStoreOptions options;
    options.clock = &f.clock;
    SessionStore store(f.db.open(db_options), options);
    const auto cookie = store.create(octocat, tokens).cookie;
    f.clock.advance(1h);  // the lookup wants to record activity

    SQLite::Database other(f.path().string(), SQLite::OPEN_READWRITE);
    other.exec("BEGIN IMMEDIATE");
    other.exec("DELETE FROM user_sessions WHERE github_user_id = 'nobody'");

    const auto found = store.find(cookie);
    REQUIRE(found);
    CHECK(found->updated_at == "2026-11-26T10:00:00.000Z");  // the touch was skipped
    CHECK_THROWS_AS(store.create(octocat, tokens), settings::StorageUnavailableError);

    other.exec("ROLLBACK");
    CHECK(store.find(cookie)->updated_at == "2026-11-26T11:00:00.000Z");
}

TEST_CASE("quiet_until is where find would first write or expire", "[session][SES-2]") {
    Fixture f;
    SessionStoreOptions options;
    options.expire_after = 1h;  // touch interval: 5 minutes
    options.max_age = 2h;
    auto store = f.open(options);
    const auto cookie = store.create(octocat, tokens).cookie;
    const auto created = store.find(cookie);
    REQUIRE(created);
    CHECK(store.quiet_until(*created) == start_time + 5min);

    SECTION("up to it, find writes nothing and returns the same session") {
        f.clock.advance(5min);
        CHECK(store.find(cookie) == created);
    }
    SECTION("just past it, find records the activity") {
        f.clock.advance(5min + 1ms);
        const auto touched = store.find(cookie);
        REQUIRE(touched);
        CHECK(touched->updated_at == "2026-11-26T10:05:00.001Z");
        CHECK(store.quiet_until(*touched) == start_time + 10min + 1ms);
    }
    SECTION("near the end of the absolute lifetime, the lifetime is the limit") {
        for (int i = 0; i < 23; ++i) {
            f.clock.advance(5min + 1ms);
            REQUIRE(store.find(cookie));
        }
        const auto late = store.find(cookie);
        REQUIRE(late);
        CHECK(store.quiet_until(*late) == start_time + 2h);
    }
    SECTION("a session with unreadable timestamps is never quiet") {
        auto broken = *created;
        broken.updated_at = "yesterday";
        CHECK(store.quiet_until(broken) == std::chrono::system_clock::time_point::min());
    }
}
