#include <map>
#include <string>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <catch2/catch.hpp>

#include <settings/errors.hpp>

#include "sqlite/sqlite_database.hpp"
#include "storage/embedded_migrations.hpp"
#include "storage/migrator.hpp"
#include "support/temp_dir.hpp"

using Database = settings::detail::SqliteDatabase;

namespace {

// column name → "TYPE notnull pk default" of a table of the file.
std::map<std::string, std::string> columns_of(SQLite::Database& db, const std::string& table) {
    SQLite::Statement info(db,
                           "SELECT name, type, \"notnull\", pk, dflt_value FROM "
                           "pragma_table_info(?)");
    info.bind(1, table);
    std::map<std::string, std::string> out;
    while (info.executeStep()) {
        out[info.getColumn(0).getString()] =
            info.getColumn(1).getString() + (info.getColumn(2).getInt() ? " NOT NULL" : "") +
            (info.getColumn(3).getInt() ? " PK" : "") +
            (info.getColumn(4).isNull() ? "" : " = " + info.getColumn(4).getString());
    }
    return out;
}

}  // namespace

TEST_CASE("opening sets WAL, synchronous FULL, a busy timeout and foreign keys",
          "[database][sqlite]") {
    test::TempDir dir;
    auto db = Database::open(dir / "settings.db");
    auto& c = db.connection();

    CHECK(c.execAndGet("PRAGMA journal_mode").getString() == "wal");
    CHECK(c.execAndGet("PRAGMA synchronous").getInt() == 2);
    CHECK(c.execAndGet("PRAGMA foreign_keys").getInt() == 1);
    CHECK(c.execAndGet("PRAGMA busy_timeout").getInt() == 5000);
}

TEST_CASE("the migrated schema has the tables of data-model.md exactly",
          "[database][DB-1][sqlite]") {
    test::TempDir dir;
    auto db = Database::open(dir / "settings.db");
    auto& c = db.connection();

    CHECK(columns_of(c, "schema_version") ==
          std::map<std::string, std::string>{{"version", "INTEGER NOT NULL"},
                                             {"applied_at", "TEXT NOT NULL"}});
    CHECK(columns_of(c, "user_sessions") ==
          std::map<std::string, std::string>{{"session_id", "TEXT PK"},
                                             {"github_user_id", "TEXT NOT NULL"},
                                             {"github_username", "TEXT NOT NULL"},
                                             {"github_avatar_url", "TEXT"},
                                             {"access_token", "TEXT NOT NULL"},
                                             {"refresh_token", "TEXT"},
                                             {"token_expires_at", "TEXT"},
                                             {"selected_project_id", "TEXT"},
                                             {"created_at", "TEXT NOT NULL"},
                                             {"updated_at", "TEXT NOT NULL"}});
    const std::map<std::string, std::string> preferences{{"github_user_id", "TEXT PK"},
                                                         {"ai_provider", "TEXT"},
                                                         {"ai_model", "TEXT"},
                                                         {"ai_temperature", "REAL"},
                                                         {"theme", "TEXT"},
                                                         {"default_view", "TEXT"},
                                                         {"sidebar_collapsed", "INTEGER"},
                                                         {"default_repository", "TEXT"},
                                                         {"default_assignee", "TEXT"},
                                                         {"copilot_polling_interval", "INTEGER"},
                                                         {"notify_task_status_change", "INTEGER"},
                                                         {"notify_agent_completion", "INTEGER"},
                                                         {"notify_new_recommendation", "INTEGER"},
                                                         {"notify_chat_mention", "INTEGER"},
                                                         {"updated_at", "TEXT NOT NULL"},
                                                         {"revision", "INTEGER NOT NULL = 1"}};
    CHECK(columns_of(c, "user_preferences") == preferences);
    CHECK(columns_of(c, "project_settings") ==
          std::map<std::string, std::string>{{"github_user_id", "TEXT NOT NULL PK"},
                                             {"project_id", "TEXT NOT NULL PK"},
                                             {"board_display_config", "TEXT"},
                                             {"agent_pipeline_mappings", "TEXT"},
                                             {"updated_at", "TEXT NOT NULL"},
                                             {"revision", "INTEGER NOT NULL = 1"}});
    CHECK(columns_of(c, "global_settings") ==
          std::map<std::string, std::string>{{"id", "INTEGER PK"},
                                             {"ai_provider", "TEXT NOT NULL = 'copilot'"},
                                             {"ai_model", "TEXT NOT NULL = 'gpt-4o'"},
                                             {"ai_temperature", "REAL NOT NULL = 0.7"},
                                             {"theme", "TEXT NOT NULL = 'light'"},
                                             {"default_view", "TEXT NOT NULL = 'chat'"},
                                             {"sidebar_collapsed", "INTEGER NOT NULL = 0"},
                                             {"default_repository", "TEXT"},
                                             {"default_assignee", "TEXT NOT NULL = ''"},
                                             {"copilot_polling_interval", "INTEGER NOT NULL = 60"},
                                             {"notify_task_status_change", "INTEGER NOT NULL = 1"},
                                             {"notify_agent_completion", "INTEGER NOT NULL = 1"},
                                             {"notify_new_recommendation", "INTEGER NOT NULL = 1"},
                                             {"notify_chat_mention", "INTEGER NOT NULL = 1"},
                                             {"allowed_models", "TEXT NOT NULL = '[]'"},
                                             {"updated_at", "TEXT NOT NULL"},
                                             {"revision", "INTEGER NOT NULL = 1"}});
    CHECK(columns_of(c, "settings_history") ==
          std::map<std::string, std::string>{{"id", "INTEGER PK"},
                                             {"at", "TEXT NOT NULL"},
                                             {"actor_user_id", "TEXT"},
                                             {"actor_username", "TEXT"},
                                             {"actor_tool", "TEXT"},
                                             {"scope", "TEXT NOT NULL"},
                                             {"github_user_id", "TEXT"},
                                             {"project_id", "TEXT"},
                                             {"field", "TEXT NOT NULL"},
                                             {"old_value", "TEXT"},
                                             {"new_value", "TEXT"},
                                             {"revision", "INTEGER NOT NULL"}});
    CHECK(
        columns_of(c, "settings_history_counter") ==
        std::map<std::string, std::string>{{"id", "INTEGER PK"}, {"last_id", "INTEGER NOT NULL"}});

    const auto indexes = [&](const std::string& table) {
        SQLite::Statement q(c,
                            "SELECT group_concat(name) FROM (SELECT name FROM sqlite_master "
                            "WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL "
                            "ORDER BY name)");
        q.bind(1, table);
        q.executeStep();
        return q.getColumn(0).getString();
    };
    CHECK(indexes("user_sessions") ==
          "idx_user_sessions_created_at,idx_user_sessions_github_user_id,"
          "idx_user_sessions_updated_at");
    CHECK(indexes("project_settings") == "idx_project_settings_github_user_id");
    CHECK(indexes("settings_history") == "idx_settings_history_owner");

    SECTION("the global table holds at most the one row with id 1") {
        c.exec("INSERT INTO global_settings (id, updated_at) VALUES (1, 'now')");
        CHECK_THROWS_AS(c.exec("INSERT INTO global_settings (id, updated_at) VALUES (2, 'now')"),
                        SQLite::Exception);
    }
}

TEST_CASE("a file that is not a database is refused and left alone", "[database][DB-5][sqlite]") {
    test::TempDir dir;
    const auto path = dir / "notes.db";
    const std::string text(8192, 'x');
    test::write_bytes(path, text);

    CHECK_THROWS_AS(Database::open(path), settings::DatabaseOpenError);
    CHECK(test::read_bytes(path) == text);
}

TEST_CASE("a corrupt database is refused", "[database][DB-5][sqlite]") {
    test::TempDir dir;
    const auto path = dir / "settings.db";
    { Database::open(path); }
    auto bytes = test::read_bytes(path);
    REQUIRE(bytes.size() > 4096);
    // Byte 100 is the b-tree page type of page 1, the schema table: 0xFF is no type.
    bytes[100] = static_cast<char>(0xFF);
    test::write_bytes(path, bytes);

    CHECK_THROWS_AS(Database::open(path), settings::DatabaseOpenError);
    CHECK(test::read_bytes(path) == bytes);
}

TEST_CASE("a path whose folder cannot be created is refused", "[database][DB-5][sqlite]") {
    test::TempDir dir;
    test::write_bytes(dir / "a-file", "not a folder");

    CHECK_THROWS_WITH(Database::open(dir / "a-file/sub/settings.db"),
                      Catch::Contains("cannot create the database folder"));
}

TEST_CASE("a folder in place of the file is refused", "[database][DB-5][sqlite]") {
    test::TempDir dir;
    std::filesystem::create_directory(dir / "settings.db");

    CHECK_THROWS_AS(Database::open(dir / "settings.db"), settings::DatabaseOpenError);
}
