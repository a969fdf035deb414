#include "storage/migrator.hpp"

#include <array>
#include <cstdlib>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <catch2/catch.hpp>

#include <settings/errors.hpp>

#include "sqlite/sqlite_database.hpp"
#include "storage/embedded_migrations.hpp"
#include "support/temp_dir.hpp"

using Database = settings::detail::SqliteDatabase;
using DatabaseOptions = settings::detail::SqliteOptions;
using settings::Migration;

namespace {

DatabaseOptions with(std::span<const Migration> migrations) {
    DatabaseOptions options;
    options.migrations = migrations;
    return options;
}

int query_int(const std::filesystem::path& path, const std::string& sql) {
    SQLite::Database db(path.string(), SQLite::OPEN_READONLY);
    return db.execAndGet(sql).getInt();
}

bool has_table(const std::filesystem::path& path, const std::string& name) {
    return query_int(path, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '" +
                               name + "'") == 1;
}

const std::array two_migrations{
    Migration{1, "001_first.sql", "CREATE TABLE first (x INTEGER);"},
    Migration{2, "002_second.sql", "CREATE TABLE second (y INTEGER);"},
};

}  // namespace

TEST_CASE("a new file is created with every table at the newest version",
          "[migrator][DB-1][sqlite]") {
    test::TempDir dir;
    const auto path = dir / "nested/folder/settings.db";

    const auto db = Database::open(path);

    CHECK(std::filesystem::exists(path));
    CHECK(db.schema_version() ==
          settings::detail::Migrator(settings::embedded_migrations(settings::StorageEngine::sqlite))
              .latest_version());
    CHECK(query_int(path, "SELECT version FROM schema_version") == db.schema_version());
    CHECK(query_int(path, "SELECT count(*) FROM schema_version") == 1);
    for (const auto* table : {"user_sessions", "user_preferences", "project_settings",
                              "global_settings", "schema_version", "schema_migrations"}) {
        INFO(table);
        CHECK(has_table(path, table));
    }
}

TEST_CASE("reopening a migrated file changes nothing and loses nothing",
          "[migrator][DB-1][sqlite]") {
    test::TempDir dir;
    const auto path = dir / "settings.db";
    {
        auto db = Database::open(path, with(two_migrations));
        db.connection().exec("INSERT INTO first (x) VALUES (42)");
    }
    const auto applied_before = [&] {
        SQLite::Database raw(path.string(), SQLite::OPEN_READONLY);
        return raw.execAndGet("SELECT group_concat(version || applied_at) FROM schema_migrations")
            .getString();
    }();

    const auto db = Database::open(path, with(two_migrations));

    CHECK(db.schema_version() == 2);
    CHECK(query_int(path, "SELECT x FROM first") == 42);
    CHECK(query_int(path, "SELECT count(*) FROM schema_migrations") == 2);
    SQLite::Database raw(path.string(), SQLite::OPEN_READONLY);
    CHECK(raw.execAndGet("SELECT group_concat(version || applied_at) FROM schema_migrations")
              .getString() == applied_before);
}

TEST_CASE("pending migrations are applied in order on an older file", "[migrator][DB-3][sqlite]") {
    test::TempDir dir;
    const auto path = dir / "settings.db";
    { Database::open(path, with(std::span(two_migrations).first(1))); }
    CHECK(query_int(path, "SELECT version FROM schema_version") == 1);

    const auto db = Database::open(path, with(two_migrations));

    CHECK(db.schema_version() == 2);
    CHECK(has_table(path, "second"));
}

TEST_CASE("a failing migration rolls back, keeps the version and names the file",
          "[migrator][DB-3][sqlite]") {
    test::TempDir dir;
    const auto path = dir / "settings.db";
    const std::array migrations{
        two_migrations[0],
        Migration{2, "002_broken.sql",
                  "CREATE TABLE half_done (z INTEGER); INSERT INTO no_such_table VALUES (1);"},
    };
    { Database::open(path, with(std::span(migrations).first(1))); }

    try {
        Database::open(path, with(migrations));
        FAIL("the broken migration was accepted");
    } catch (const settings::MigrationError& e) {
        CHECK(e.file_name() == "002_broken.sql");
        CHECK_THAT(e.what(), Catch::Contains("002_broken.sql") &&
                                 Catch::Contains("no such table: no_such_table"));
    }
    CHECK(query_int(path, "SELECT version FROM schema_version") == 1);
    CHECK_FALSE(has_table(path, "half_done"));
    CHECK(query_int(path, "SELECT count(*) FROM schema_migrations") == 1);
}

TEST_CASE("a database newer than the program is refused and not written",
          "[migrator][DB-4][sqlite]") {
    test::TempDir dir;
    const auto path = dir / "settings.db";
    { Database::open(path, with(two_migrations)); }
    const auto bytes_before = test::read_bytes(path);

    try {
        Database::open(path, with(std::span(two_migrations).first(1)));
        FAIL("a newer database was opened");
    } catch (const settings::SchemaTooNewError& e) {
        CHECK(e.database_version() == 2);
        CHECK(e.program_version() == 1);
        CHECK_THAT(e.what(), Catch::Contains("2") && Catch::Contains("1"));
    }
    CHECK(test::read_bytes(path) == bytes_before);
}

TEST_CASE("an applied migration whose file changed is detected", "[migrator][sqlite]") {
    test::TempDir dir;
    const auto path = dir / "settings.db";
    { Database::open(path, with(two_migrations)); }
    const std::array edited{
        two_migrations[0],
        Migration{2, "002_second.sql", "CREATE TABLE second (y INTEGER, extra TEXT);"},
    };

    CHECK_THROWS_MATCHES(Database::open(path, with(edited)), settings::MigrationError,
                         Catch::Matchers::Predicate<settings::MigrationError>(
                             [](const auto& e) { return e.file_name() == "002_second.sql"; }));
}

TEST_CASE("migration file names and sequences are checked", "[migrator][sqlite]") {
    using settings::parse_migration_file_name;
    CHECK(parse_migration_file_name("001_initial_schema.sql") == 1);
    CHECK(parse_migration_file_name("012_add_x.sql") == 12);
    CHECK(parse_migration_file_name("1234_more.sql") == 1234);
    CHECK_FALSE(parse_migration_file_name("01_short.sql"));
    CHECK_FALSE(parse_migration_file_name("000_zero.sql"));
    CHECK_FALSE(parse_migration_file_name("001_.sql"));
    CHECK_FALSE(parse_migration_file_name("001_Upper.sql"));
    CHECK_FALSE(parse_migration_file_name("001_name.txt"));
    CHECK_FALSE(parse_migration_file_name("001-name.sql"));
    CHECK_FALSE(parse_migration_file_name("abc_name.sql"));
    CHECK_FALSE(parse_migration_file_name(".sql"));
    CHECK_FALSE(parse_migration_file_name("9999999_big.sql"));

    const std::array gap{two_migrations[0], Migration{3, "003_third.sql", "SELECT 1;"}};
    CHECK_THROWS_WITH(settings::detail::Migrator(gap), Catch::Contains("number 2 is missing"));
    const std::array duplicate{two_migrations[0], Migration{1, "001_again.sql", "SELECT 1;"}};
    CHECK_THROWS_WITH(settings::detail::Migrator(duplicate), Catch::Contains("duplicate"));
}

TEST_CASE("the embedded migrations form a valid sequence", "[migrator][sqlite]") {
    const auto migrations = settings::embedded_migrations(settings::StorageEngine::sqlite);
    REQUIRE_FALSE(migrations.empty());
    CHECK_FALSE(settings::find_sequence_error(migrations));
    CHECK(migrations[0].file_name == "001_initial_schema.sql");
}

TEST_CASE("the build refuses migration folders with a gap, a duplicate or unequal numbers",
          "[migrator]") {
    test::TempDir dir;
    std::filesystem::create_directories(dir / "sqlite");
    std::filesystem::create_directories(dir / "postgresql");
    for (const auto* name : {"sqlite/001_a.sql", "sqlite/003_c.sql", "sqlite/001_b.sql",
                             "postgresql/001_a.sql", "postgresql/002_b.sql"}) {
        test::write_bytes(dir / name, "SELECT 1;");
    }
    const auto run = [&](const std::vector<std::string>& files) {
        std::string command = std::string(EMBED_MIGRATIONS_PATH) + " " + (dir / "out.cpp").string();
        for (const auto& file : files) {
            command.append(" ").append((dir / file).string());
        }
        command.append(" 2>").append((dir / "err.txt").string());
        return std::system(command.c_str());
    };

    CHECK(run({"sqlite/001_a.sql", "sqlite/003_c.sql", "postgresql/001_a.sql",
               "postgresql/002_b.sql"}) != 0);
    CHECK_THAT(test::read_bytes(dir / "err.txt"), Catch::Contains("number 2 is missing"));
    CHECK(run({"sqlite/001_a.sql", "sqlite/001_b.sql", "postgresql/001_a.sql"}) != 0);
    CHECK_THAT(test::read_bytes(dir / "err.txt"), Catch::Contains("duplicate"));
    CHECK(run({"sqlite/001_a.sql", "postgresql/001_a.sql", "postgresql/002_b.sql"}) != 0);
    CHECK_THAT(test::read_bytes(dir / "err.txt"), Catch::Contains("same numbers"));
    CHECK(run({"sqlite/001_a.sql", "postgresql/001_a.sql"}) == 0);
    CHECK_THAT(test::read_bytes(dir / "out.cpp"), Catch::Contains("001_a.sql"));
}

namespace {

// Many small migrations, each of which records itself: a migration applied twice
// shows up as a duplicate row (and a failing INSERT on the primary key).
std::vector<Migration> counting_migrations(std::vector<std::string>& storage, int count) {
    storage.clear();
    storage.reserve(static_cast<std::size_t>(count) * 2);
    std::vector<Migration> out;
    for (int v = 1; v <= count; ++v) {
        char name[32];
        std::snprintf(name, sizeof name, "%03d_step.sql", v);
        storage.emplace_back(name);
        const auto& file = storage.back();
        storage.push_back(v == 1 ? "CREATE TABLE applied (version INTEGER PRIMARY KEY);"
                                   "INSERT INTO applied VALUES (1);"
                                 : "INSERT INTO applied VALUES (" + std::to_string(v) + ");");
        out.push_back({v, file, storage.back()});
    }
    return out;
}

}  // namespace

TEST_CASE("two processes opening one new file apply each migration once",
          "[migrator][DB-7][sqlite]") {
    std::vector<std::string> storage;
    const auto migrations = counting_migrations(storage, 25);
    for (int round = 0; round < 5; ++round) {
        test::TempDir dir;
        const auto path = dir / "shared.db";
        int start[2];
        REQUIRE(pipe(start) == 0);
        std::vector<pid_t> children;
        for (int i = 0; i < 2; ++i) {
            const pid_t pid = fork();
            REQUIRE(pid >= 0);
            if (pid == 0) {
                close(start[1]);
                char go = 0;
                // Both children wait here until the parent lets them go at once.
                const bool released = read(start[0], &go, 1) >= 0;
                int code = 1;
                try {
                    code = released && Database::open(path, with(migrations)).schema_version() == 25
                               ? 0
                               : 1;
                } catch (const std::exception& e) {
                    std::fprintf(stderr, "child failed: %s\n", e.what());
                    code = 2;
                }
                _exit(code);
            }
            children.push_back(pid);
        }
        close(start[0]);
        close(start[1]);  // EOF releases both readers together
        for (const pid_t pid : children) {
            int status = 0;
            REQUIRE(waitpid(pid, &status, 0) == pid);
            CHECK(WIFEXITED(status));
            CHECK(WEXITSTATUS(status) == 0);
        }
        CHECK(query_int(path, "SELECT version FROM schema_version") == 25);
        CHECK(query_int(path, "SELECT count(*) FROM applied") == 25);
        CHECK(query_int(path, "SELECT count(*) FROM schema_migrations") == 25);
        CHECK(query_int(path, "SELECT count(*) FROM schema_version") == 1);
    }
}

TEST_CASE("two threads opening one new file apply each migration once",
          "[migrator][DB-7][sqlite]") {
    std::vector<std::string> storage;
    const auto migrations = counting_migrations(storage, 25);
    test::TempDir dir;
    const auto path = dir / "shared.db";
    std::array<int, 4> versions{};
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < versions.size(); ++i) {
        threads.emplace_back([&, i] {
            try {
                versions[i] = Database::open(path, with(migrations)).schema_version();
            } catch (const std::exception&) {
                versions[i] = -1;
            }
        });
    }
    for (auto& t : threads) {
        t.join();
    }
    for (int v : versions) {
        CHECK(v == 25);
    }
    CHECK(query_int(path, "SELECT count(*) FROM applied") == 25);
}
