#include <SQLiteCpp/Database.h>
#include <catch2/catch.hpp>

#include "sqlite/sqlite_changes.hpp"
#include "sqlite/sqlite_database.hpp"
#include "storage/embedded_migrations.hpp"
#include "storage/migrator.hpp"
#include "support/temp_dir.hpp"

using Database = settings::detail::SqliteDatabase;
using DatabaseChanges = settings::detail::SqliteChanges;

TEST_CASE("the version moves with every commit, of any connection or process",
          "[database][sqlite]") {
    test::TempDir dir;
    auto db = Database::open(dir / "settings.db");
    db.connection().exec("CREATE TABLE scratch (x INTEGER)");
    DatabaseChanges changes(db);

    const auto first = changes.version();
    REQUIRE(first);
    CHECK(changes.version() == first);  // reading changes nothing

    SECTION("a commit on another connection of this process") {
        db.connection().exec("INSERT INTO scratch VALUES (1)");
        const auto second = changes.version();
        REQUIRE(second);
        CHECK(second != first);
        CHECK(changes.version() == second);
    }
    SECTION("a commit by a connection that knows nothing of this one (another process)") {
        SQLite::Database other((dir / "settings.db").string(), SQLite::OPEN_READWRITE);
        other.exec("INSERT INTO scratch VALUES (2)");
        CHECK(changes.version() != first);
    }
    SECTION("a rolled back transaction is no change") {
        db.connection().exec("BEGIN IMMEDIATE");
        db.connection().exec("INSERT INTO scratch VALUES (3)");
        db.connection().exec("ROLLBACK");
        CHECK(changes.version() == first);
    }
}

TEST_CASE("the version does not wait for another connection's write lock", "[database][sqlite]") {
    test::TempDir dir;
    auto db = Database::open(dir / "settings.db");
    db.connection().exec("CREATE TABLE scratch (x INTEGER)");
    DatabaseChanges changes(db);
    const auto before = changes.version();

    SQLite::Database other((dir / "settings.db").string(), SQLite::OPEN_READWRITE);
    other.exec("BEGIN EXCLUSIVE");
    other.exec("INSERT INTO scratch VALUES (4)");
    CHECK(changes.version() == before);  // not committed: no change, and no wait
    other.exec("COMMIT");
    CHECK(changes.version() != before);
}
