// Fills a database with N users, each with preferences, one project row and
// one session, through the schema the program migrates to; prints one usable
// session cookie (of user-0) on stdout.
//   bench_generate DATABASE N

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <string>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>

#include <session/session_store.hpp>
#include <settings/settings_store.hpp>
#include <settings/storage.hpp>
#include <settings/timestamp.hpp>

int main(int argc, char** argv) {
    if (argc != 3) {
        std::cerr << "usage: bench_generate DATABASE N\n";
        return 2;
    }
    const long count = std::atol(argv[2]);
    std::string cookie;
    {
        const auto storage = settings::Storage::open(argv[1]);
        session::SessionStore sessions(storage);
        cookie = sessions.create({"user-0", "user0", std::nullopt}, {"token", {}, {}}).cookie;
        settings::SettingsStore seed(storage);
    }

    // Bulk rows straight into the migrated SQLite file, far faster than the API.
    SQLite::Database db(argv[1], SQLite::OPEN_READWRITE);
    db.setBusyTimeout(5000);
    const auto now = settings::format_timestamp(std::chrono::system_clock::now());
    SQLite::Statement user(db,
                           "INSERT OR REPLACE INTO user_preferences (github_user_id, theme, "
                           "ai_temperature, copilot_polling_interval, updated_at) "
                           "VALUES (?, ?, ?, ?, ?)");
    SQLite::Statement project(db,
                              "INSERT OR REPLACE INTO project_settings (github_user_id, "
                              "project_id, board_display_config, updated_at) VALUES (?, 'PVT_1', "
                              "'{\"column_order\":[\"Backlog\",\"Ready\",\"Done\"]}', ?)");
    SQLite::Statement session(db,
                              "INSERT OR REPLACE INTO user_sessions (session_id, github_user_id, "
                              "github_username, access_token, created_at, updated_at) "
                              "VALUES (?, ?, ?, 'token', ?, ?)");
    constexpr long batch = 50'000;
    for (long start = 0; start < count; start += batch) {
        SQLite::Transaction tx(db);
        for (long i = start; i < std::min(count, start + batch); ++i) {
            const std::string id = "user-" + std::to_string(i);
            user.bind(1, id);
            user.bind(2, i % 2 == 0 ? "dark" : "light");
            user.bind(3, static_cast<double>(i % 20) / 10.0);
            user.bind(4, static_cast<int64_t>(i % 86400));
            user.bind(5, now);
            user.exec();
            user.reset();
            project.bind(1, id);
            project.bind(2, now);
            project.exec();
            project.reset();
            session.bind(1, "generated-" + std::to_string(i));
            session.bind(2, id);
            session.bind(3, "user" + std::to_string(i));
            session.bind(4, now);
            session.bind(5, now);
            session.exec();
            session.reset();
        }
        tx.commit();
    }
    std::cout << cookie << "\n";
    return 0;
}
