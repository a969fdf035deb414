// settingsctl: the admin tool of a settings database, without any HTTP.

#include <cstdlib>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <settings/errors.hpp>
#include <settings/log.hpp>

#include "commands.hpp"

namespace {

using namespace settingsctl;

struct Command {
    int (*run)(const Context&);
    const char* synopsis;
    const char* help;
};

const std::map<std::string, Command, std::less<>> commands{
    {"status",
     {status, "status", "Schema version, pending migrations and row counts. Writes nothing."}},
    {"migrate", {migrate, "migrate", "Create the file if needed, apply pending migrations, exit."}},
    {"check",
     {check, "check", "SQLite integrity check: prints ok (exit 0) or the problems (exit 1)."}},
    {"backup",
     {backup, "backup DEST",
      "Consistent online copy to DEST (which must not exist), safe while the service "
      "runs; the copy is integrity-checked."}},
    {"restore",
     {restore, "restore BACKUP",
      "Replace the database's content with BACKUP (checked first: an unusable backup is "
      "exit 2 and changes nothing), safely while the service runs; the service serves "
      "the restored content at once. SQLite only."}},
    {"purge-sessions",
     {purge_sessions,
      "purge-sessions [--session-expire-hours H] "
      "[--session-max-age-hours H]",
      "Delete expired sessions (windows default to $SESSION_EXPIRE_HOURS / "
      "$SESSION_MAX_AGE_HOURS, else 8 / 168)."}},
    {"rotate-token-key",
     {rotate_token_key, "rotate-token-key --old-key-file FILE --new-key-file FILE",
      "Re-encrypt every stored OAuth token with the new TOKEN_ENCRYPTION_KEY (plain tokens "
      "too) in short transactions, safe while the service runs; then restart the service "
      "with the new key and run it once more for sessions created meanwhile. Exit 1 when "
      "some tokens open with neither key."}},
    {"export",
     {export_settings, "export [FILE]",
      "Global, user and project settings as one JSON document, to FILE or stdout."}},
    {"import",
     {import_settings, "import FILE",
      "Read an export document (FILE or - for stdin), validate all of it, then write it "
      "in one transaction; an invalid file changes nothing (exit 2)."}},
    {"global", {print_global, "global", "Print the global settings as JSON."}},
    {"history",
     {history, "history [--global | --user ID [--project ID]] [--limit N] [--json]",
      "The change history, newest first: every entry, the global ones, a user's own or "
      "one project's; N entries (1-200, default 50); --json as GET /settings/history."}},
    {"copy",
     {copy, "copy --from URL --to URL [--replace]",
      "Copy settings and sessions (tokens as stored) between databases of either engine "
      "(sqlite:PATH, postgresql://...); the target is migrated first and must be empty "
      "unless --replace (exit 2). Prints the rows copied and verifies them."}},
    {"user", {print_user, "user USER_ID", "Print a user's effective settings as JSON."}},
    {"admins",
     {admins, "admins list | add USER_ID | remove USER_ID",
      "List, add or remove the admins stored in the database (who may change the global "
      "settings; ADMIN_USERS of the service adds more). Removing the last admin is refused "
      "(exit 1)."}},
};

void usage(std::ostream& out) {
    out << "usage: settingsctl [--db PATH | --database-url URL] COMMAND [ARGS]\n\nCommands:\n";
    for (const auto& [name, command] : commands) {
        out << "  " << command.synopsis << "\n      " << command.help << "\n";
    }
    out << "\nOptions:\n"
        << "  --db PATH             the SQLite file (default: $DATABASE_PATH, else "
           "./data/settings.db)\n"
        << "  --database-url URL    postgresql://... or sqlite:PATH (default: $DATABASE_URL)\n"
        << "  --help                this help; COMMAND --help for one command\n\n"
        << "Exit codes: 0 success, 1 the command found a problem (check, backup), 2 bad usage\n"
        << "or an invalid import file or backup, 3 database cannot be opened or is corrupt, 4 "
           "database\n"
        << "schema newer than the program, 5 a migration failed.\n";
}

std::optional<std::string> environment(const char* name) {
    const char* value = std::getenv(name);
    return value != nullptr && *value != '\0' ? std::optional<std::string>(value) : std::nullopt;
}

int run(const std::vector<std::string>& args) {
    std::optional<std::string> path = environment("DATABASE_PATH");
    std::optional<std::string> url = environment("DATABASE_URL");
    std::size_t i = 0;
    for (; i < args.size() && args[i].starts_with("-"); ++i) {
        if (args[i] == "--help" || args[i] == "-h") {
            usage(std::cout);
            return exit_ok;
        }
        if (args[i] == "--db" && i + 1 < args.size()) {
            path = args[++i];
        } else if (args[i] == "--database-url" && i + 1 < args.size()) {
            url = args[++i];
        } else {
            std::cerr << "settingsctl: unknown option " << args[i] << "\n";
            usage(std::cerr);
            return exit_usage;
        }
    }
    if (i == args.size()) {
        usage(std::cerr);
        return exit_usage;
    }
    if (path && url) {
        std::cerr << "settingsctl: DATABASE_URL (--database-url) and DATABASE_PATH (--db) are "
                     "both set; give one\n";
        return exit_usage;
    }
    std::filesystem::path database = path.value_or("./data/settings.db");
    std::string location = "sqlite:" + database.string();
    if (url) {
        if (url->starts_with("postgresql://") || url->starts_with("postgres://")) {
            location = *url;
            database.clear();
        } else if (url->starts_with("sqlite:") && url->size() > 7) {
            database = url->substr(7);
            location = *url;
        } else {
            std::cerr << "settingsctl: DATABASE_URL (--database-url) must start with "
                         "postgresql://, postgres:// or sqlite:\n";
            return exit_usage;
        }
    }
    const auto found = commands.find(args[i]);
    if (found == commands.end()) {
        std::cerr << "settingsctl: unknown command " << args[i] << "\n";
        usage(std::cerr);
        return exit_usage;
    }
    const std::vector<std::string> rest(args.begin() + static_cast<std::ptrdiff_t>(i) + 1,
                                        args.end());
    for (const auto& arg : rest) {
        if (arg == "--help" || arg == "-h") {
            std::cout << "usage: settingsctl [--db PATH] " << found->second.synopsis << "\n\n"
                      << found->second.help << "\n";
            return exit_ok;
        }
    }
    return found->second.run(Context{location, database, rest, std::cout, std::cerr});
}

}  // namespace

int main(int argc, char** argv) {
    settings::log::set_sink(settings::log::stderr_sink());
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
        return exit_failed;
    }
}
