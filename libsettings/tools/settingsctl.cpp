// settingsctl: the admin tool. Opens a settings database (creating and migrating it
// when needed) and reports on it, without any HTTP.

#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include <settings/database.hpp>
#include <settings/errors.hpp>
#include <settings/json_text.hpp>
#include <settings/log.hpp>
#include <settings/migrator.hpp>
#include <settings/settings_json.hpp>
#include <settings/settings_store.hpp>

namespace {

// Exit codes, the same as settings-service's.
constexpr int exit_ok = 0;
constexpr int exit_usage = 2;
constexpr int exit_cannot_open = 3;
constexpr int exit_schema_too_new = 4;
constexpr int exit_migration_failed = 5;

constexpr auto usage = R"(usage: settingsctl [--db PATH] COMMAND

Commands:
  version         print the database's schema version and the program's
  global          print the global settings as JSON
  user USER_ID    print a user's effective settings as JSON

Options:
  --db PATH       the database file (default: $DATABASE_PATH, else ./data/settings.db)
  --help          print this help

Exit codes: 0 success, 2 bad usage, 3 database cannot be opened or is corrupt,
4 database schema newer than the program, 5 a migration failed.
)";

std::string default_database_path() {
    const char* env = std::getenv("DATABASE_PATH");
    return env != nullptr && *env != '\0' ? env : "./data/settings.db";
}

int run(const std::vector<std::string>& args) {
    std::string db_path = default_database_path();
    std::vector<std::string> command;
    for (std::size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--help" || args[i] == "-h") {
            std::cout << usage;
            return exit_ok;
        }
        if (args[i] == "--db") {
            if (i + 1 == args.size()) {
                std::cerr << "settingsctl: --db needs a path\n";
                return exit_usage;
            }
            db_path = args[++i];
        } else {
            command.push_back(args[i]);
        }
    }
    const bool known =
        (command.size() == 1 && (command[0] == "version" || command[0] == "global")) ||
        (command.size() == 2 && command[0] == "user");
    if (!known) {
        std::cerr << usage;
        return exit_usage;
    }

    auto database = settings::Database::open(db_path);
    if (command[0] == "version") {
        std::cout << "schema version " << database.schema_version() << " (program "
                  << settings::Migrator().latest_version() << ")\n";
        return exit_ok;
    }
    settings::SettingsStore store(std::move(database));
    const auto document = command[0] == "global"
                              ? settings::to_json(store.global_settings())
                              : settings::to_json(store.effective_user_settings(command[1]));
    std::cout << settings::to_json_text(document) << "\n";
    return exit_ok;
}

}  // namespace

int main(int argc, char** argv) {
    settings::log::set_level(settings::log::Level::warn);
    try {
        return run(std::vector<std::string>(argv + 1, argv + argc));
    } catch (const settings::SchemaTooNewError& e) {
        std::cerr << "settingsctl: " << e.what() << "\n";
        return exit_schema_too_new;
    } catch (const settings::MigrationError& e) {
        std::cerr << "settingsctl: " << e.what() << "\n";
        return exit_migration_failed;
    } catch (const settings::DatabaseOpenError& e) {
        std::cerr << "settingsctl: " << e.what() << "\n";
        return exit_cannot_open;
    } catch (const std::exception& e) {
        std::cerr << "settingsctl: " << e.what() << "\n";
        return 1;
    }
}
