// The SQLite file under an open Storage: replaced, deleted or overwritten by
// another program, and restored from a backup (docs/security.md, "The database
// file").

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include <SQLiteCpp/Database.h>
#include <catch2/catch.hpp>

#include <settings/errors.hpp>
#include <settings/maintenance.hpp>
#include <settings/settings_store.hpp>
#include <settings/storage.hpp>

#include "support/test_database.hpp"

using settings::Field;
using settings::StorageState;

namespace {

settings::PreferencesUpdate theme(const std::string& value) {
    settings::PreferencesUpdate update;
    update[Field::display_theme] = value;
    return update;
}

std::string stored_theme(const std::filesystem::path& db) {
    SQLite::Database read(db.string(), SQLite::OPEN_READONLY);
    return read.execAndGet("SELECT theme FROM user_preferences").getString();
}

// The state once it is no longer ok, or ok after the detection budget.
StorageState state_within_a_second(settings::Storage& storage) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    while (storage.state() == StorageState::ok && std::chrono::steady_clock::now() < until) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return storage.state();
}

// Overwrites the root page of user_preferences (no Storage open on the file).
void damage_user_preferences(const std::filesystem::path& db) {
    std::int64_t page_size = 0;
    std::int64_t root = 0;
    {
        SQLite::Database read(db.string(), SQLite::OPEN_READWRITE);
        read.exec("PRAGMA wal_checkpoint(TRUNCATE)");
        page_size = read.execAndGet("PRAGMA page_size").getInt64();
        root = read.execAndGet("SELECT rootpage FROM sqlite_master WHERE name = 'user_preferences'")
                   .getInt64();
    }
    std::fstream file(db, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp((root - 1) * page_size);
    const std::string garbage(static_cast<std::size_t>(page_size), '\xa5');
    file.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
}

std::filesystem::path wal_of(const std::filesystem::path& db) {
    return db.string() + "-wal";
}

}  // namespace

TEST_CASE("a file renamed over the open database is found and never written",
          "[database_file][sqlite]") {
    test::TestDatabase db;
    const auto backup = db.dir() / "backup.db";
    {
        auto storage = db.open();
        settings::SettingsStore store(storage);
        REQUIRE(store.update_user_settings("u1", theme("dark")).ok());
        settings::backup_database(db.path(), backup);
        REQUIRE(store.update_user_settings("u1", theme("light")).ok());
        CHECK(storage->state() == StorageState::ok);

        std::filesystem::copy_file(backup, db.dir() / "incoming.db");
        std::filesystem::rename(db.dir() / "incoming.db", db.path());
        CHECK(state_within_a_second(*storage) == StorageState::replaced);
        CHECK_FALSE(storage->reachable());
        CHECK_THROWS_AS(store.update_user_settings("u1", theme("light")),
                        settings::StorageUnavailableError);
        CHECK_THROWS_AS(store.effective_user_settings("u1"), settings::StorageUnavailableError);
        CHECK_FALSE(storage->change_version().has_value());
    }
    CHECK_FALSE(std::filesystem::exists(wal_of(db.path())));
    CHECK(settings::check_integrity(db.path()).empty());
    CHECK(stored_theme(db.path()) == "dark");
}

TEST_CASE("a file overwritten in place under the open database is found and never written",
          "[database_file][sqlite]") {
    test::TestDatabase db;
    const auto backup = db.dir() / "backup.db";
    {
        auto storage = db.open();
        settings::SettingsStore store(storage);
        REQUIRE(store.update_user_settings("u1", theme("dark")).ok());
        settings::backup_database(db.path(), backup);
        REQUIRE(store.update_user_settings("u1", theme("light")).ok());
        std::filesystem::copy_file(backup, db.path(),
                                   std::filesystem::copy_options::overwrite_existing);
        CHECK(state_within_a_second(*storage) == StorageState::replaced);
        CHECK_THROWS_AS(store.update_user_settings("u1", theme("light")),
                        settings::StorageUnavailableError);
    }
    CHECK(settings::check_integrity(db.path()).empty());
    CHECK(stored_theme(db.path()) == "dark");
}

TEST_CASE("SQLite's own checkpoints are not mistaken for another program's writes",
          "[database_file][sqlite]") {
    test::TestDatabase db;
    auto storage = db.open();
    settings::SettingsStore store(storage);
    SQLite::Database other(db.path().string(), SQLite::OPEN_READWRITE);
    for (int round = 0; round < 40; ++round) {
        REQUIRE(store.update_user_settings("u1", theme(round % 2 == 0 ? "dark" : "light")).ok());
        other.exec("PRAGMA wal_checkpoint(TRUNCATE)");  // another process's checkpoint
        std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    CHECK(storage->state() == StorageState::ok);
}

TEST_CASE("restore replaces the content under an open store", "[database_file][sqlite]") {
    test::TestDatabase db;
    const auto backup = db.dir() / "backup.db";
    auto storage = db.open();
    settings::SettingsStore store(storage);
    REQUIRE(store.update_user_settings("u1", theme("dark")).ok());
    settings::backup_database(db.path(), backup);
    REQUIRE(store.update_user_settings("u1", theme("light")).ok());
    REQUIRE(store.update_user_settings("u2", theme("light")).ok());
    const auto before = storage->change_version();

    const auto rows = settings::restore_database(backup, db.path());
    CHECK(rows == settings::RowCounts{{"global_settings", 1},
                                      {"user_preferences", 1},
                                      {"project_settings", 0},
                                      {"user_sessions", 0},
                                      {"admin_users", 0}});
    CHECK(storage->change_version() != before);
    CHECK(store.effective_user_settings("u1").values.text(Field::display_theme) == "dark");
    CHECK_FALSE(store.user_preferences("u2").has_value());
    REQUIRE(store.update_user_settings("u2", theme("dark")).ok());
    CHECK(storage->state() == StorageState::ok);
    CHECK(settings::check_integrity(db.path()).empty());
}

TEST_CASE("a damaged file restored right after the damage was found comes back",
          "[database_file][sqlite]") {
    test::TestDatabase db;
    const auto backup = db.dir() / "backup.db";
    {
        auto storage = db.open();
        settings::SettingsStore store(storage);
        REQUIRE(store.update_user_settings("u1", theme("dark")).ok());
        settings::backup_database(db.path(), backup);
    }
    damage_user_preferences(db.path());
    auto storage = db.open();
    settings::SettingsStore store(storage);
    // The file watch has had its first look, at a file that seemed sound.
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    CHECK_THROWS_AS(store.user_preferences("u1"), settings::StorageUnavailableError);
    REQUIRE(storage->state() == StorageState::corrupt);
    // Restored before the file watch has looked again: its next look must still
    // see that something was committed since the damage was found.
    settings::restore_database(backup, db.path());

    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    while (storage->state() != StorageState::ok && std::chrono::steady_clock::now() < until) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    REQUIRE(storage->state() == StorageState::ok);
    CHECK(store.effective_user_settings("u1").values.text(Field::display_theme) == "dark");
}

TEST_CASE("restore refuses what is not a sound settings database", "[database_file][sqlite]") {
    test::TestDatabase db;
    auto storage = db.open();
    const settings::SettingsStore store(storage);
    const auto garbage = db.dir() / "garbage.db";
    {
        SQLite::Database foreign(garbage.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
        foreign.exec("CREATE TABLE t (x)");
    }
    CHECK_THROWS_AS(settings::restore_database(garbage, db.path()), std::invalid_argument);
    CHECK_THROWS_AS(settings::restore_database(db.dir() / "missing.db", db.path()),
                    std::invalid_argument);
    CHECK(storage->state() == StorageState::ok);
    CHECK(db.count("SELECT count(*) FROM global_settings") == 1);
}
