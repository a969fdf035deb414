#include "commands.hpp"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string_view>

#include <session/session_store.hpp>
#include <settings/admin_roles.hpp>
#include <settings/json_text.hpp>
#include <settings/maintenance.hpp>
#include <settings/settings_json.hpp>
#include <settings/settings_store.hpp>
#include <settings/storage.hpp>
#include <settings/strict_json.hpp>

namespace settingsctl {

namespace {

std::string read_all(std::istream& in) {
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// Hours from a flag or its environment variable, as settings-service reads them.
std::optional<std::chrono::milliseconds> hours(const Context& c, const std::string& flag,
                                               const char* env, std::chrono::hours fallback) {
    std::optional<std::string_view> text;
    for (std::size_t i = 0; i + 1 < c.args.size(); ++i) {
        if (c.args[i] == flag) {
            text = c.args[i + 1];
        }
    }
    if (!text) {
        const char* value = std::getenv(env);
        if (value == nullptr || *value == '\0') {
            return std::chrono::duration_cast<std::chrono::milliseconds>(fallback);
        }
        text = value;
    }
    double h = 0;
    const auto* const last = text->data() + text->size();
    const auto [end, ec] = std::from_chars(text->data(), last, h);
    if (ec != std::errc() || end != last || !std::isfinite(h) || h <= 0) {
        c.err << "settingsctl: " << flag << " must be a number of hours greater than 0\n";
        return std::nullopt;
    }
    return std::chrono::milliseconds(static_cast<std::int64_t>(std::llround(h * 3'600'000.0)));
}

std::shared_ptr<settings::Storage> open_storage(const Context& c) {
    return settings::Storage::open(c.location);
}

// The commands that only SQLite files have; PostgreSQL has its own tools.
bool refuse_on_postgresql(const Context& c, std::string_view command, std::string_view instead) {
    if (!c.database.empty()) {
        return false;
    }
    c.err << "settingsctl: " << command << " is for SQLite files; on PostgreSQL use " << instead
          << "\n";
    return true;
}

}  // namespace

int status(const Context& c) {
    if (c.database.empty()) {
        settings::StorageOptions options;
        options.read_only = true;
        const auto storage = settings::Storage::open(c.location, options);
        c.out << "database: " << storage->description() << "\n"
              << "schema version: " << storage->schema_version() << "\n";
        return exit_ok;
    }
    const auto s = settings::inspect_database(c.database);
    c.out << "database: " << s.path.string() << "\n"
          << "schema version: " << s.schema_version << " (program: " << s.program_version << ")\n"
          << "pending migrations:";
    if (s.pending.empty()) {
        c.out << " none";
    }
    for (const auto& file : s.pending) {
        c.out << " " << file;
    }
    c.out << "\nrows:";
    for (const auto& [table, rows] : s.row_counts) {
        c.out << " " << table << "=" << rows;
    }
    c.out << "\n";
    return exit_ok;
}

int migrate(const Context& c) {
    const auto before = !c.database.empty() && std::filesystem::exists(c.database)
                            ? settings::inspect_database(c.database).schema_version
                            : 0;
    const auto storage = open_storage(c);
    if (c.database.empty()) {
        c.out << "schema version " << storage->schema_version() << "\n";
        return exit_ok;
    }
    c.out << "schema version " << storage->schema_version() << " (applied "
          << storage->schema_version() - before << " migrations)\n";
    return exit_ok;
}

int check(const Context& c) {
    if (refuse_on_postgresql(c, "check", "amcheck (pg_amcheck)")) {
        return exit_usage;
    }
    const auto problems = settings::check_integrity(c.database);
    if (problems.empty()) {
        c.out << "integrity check: ok\n";
        return exit_ok;
    }
    c.out << "integrity check: FAILED\n";
    for (const auto& p : problems) {
        c.out << "  " << p << "\n";
    }
    return exit_failed;
}

int backup(const Context& c) {
    if (refuse_on_postgresql(c, "backup", "pg_dump, the tool for a consistent copy")) {
        return exit_usage;
    }
    if (c.args.size() != 1) {
        c.err << "usage: settingsctl backup DEST\n";
        return exit_usage;
    }
    const std::filesystem::path destination = c.args[0];
    settings::backup_database(c.database, destination);
    const auto problems = settings::check_integrity(destination);
    if (!problems.empty()) {
        c.err << "settingsctl: the backup " << destination.string()
              << " fails its integrity check: " << problems.front() << "\n";
        return exit_failed;
    }
    c.out << "backed up " << c.database.string() << " to " << destination.string() << "\n";
    return exit_ok;
}

int restore(const Context& c) {
    if (refuse_on_postgresql(c, "restore", "pg_restore or psql with a pg_dump file")) {
        return exit_usage;
    }
    if (c.args.size() != 1) {
        c.err << "usage: settingsctl restore BACKUP\n";
        return exit_usage;
    }
    const std::filesystem::path source = c.args[0];
    settings::RowCounts rows;
    try {
        rows = settings::restore_database(source, c.database);
    } catch (const std::invalid_argument& e) {
        c.err << "settingsctl: " << e.what() << "; nothing was restored\n";
        return exit_usage;
    }
    c.out << "restored " << source.string() << " into " << c.database.string() << ":";
    for (const auto& [table, count] : rows) {
        c.out << " " << table << "=" << count;
    }
    c.out << "\n";
    return exit_ok;
}

int purge_sessions(const Context& c) {
    session::SessionStoreOptions options;
    const auto window =
        hours(c, "--session-expire-hours", "SESSION_EXPIRE_HOURS", std::chrono::hours(8));
    const auto max_age =
        hours(c, "--session-max-age-hours", "SESSION_MAX_AGE_HOURS", std::chrono::hours(168));
    if (!window || !max_age) {
        return exit_usage;
    }
    options.expire_after = *window;
    options.max_age = *max_age;
    session::SessionStore sessions(open_storage(c), options);
    c.out << "purged " << sessions.purge_expired() << " expired sessions\n";
    return exit_ok;
}

namespace {

// The value after `flag` in the command's arguments.
std::optional<std::string> flag_value(const Context& c, std::string_view flag) {
    for (std::size_t i = 0; i + 1 < c.args.size(); ++i) {
        if (c.args[i] == flag) {
            return c.args[i + 1];
        }
    }
    return std::nullopt;
}

std::optional<session::TokenKey> read_key(const Context& c, const std::string& path) {
    std::ifstream file(path, std::ios::binary);
    if (!file) {
        c.err << "settingsctl: cannot read the key file " << path << "\n";
        return std::nullopt;
    }
    auto key = session::TokenKey::from_base64(read_all(file));
    if (!key) {
        c.err << "settingsctl: " << path << " does not hold 32 bytes encoded as base64\n";
    }
    return key;
}

}  // namespace

int rotate_token_key(const Context& c) {
    const auto old_path = flag_value(c, "--old-key-file");
    const auto new_path = flag_value(c, "--new-key-file");
    if (!old_path || !new_path || c.args.size() != 4) {
        c.err << "usage: settingsctl rotate-token-key --old-key-file FILE --new-key-file FILE\n";
        return exit_usage;
    }
    const auto old_key = read_key(c, *old_path);
    const auto new_key = read_key(c, *new_path);
    if (!old_key || !new_key) {
        return exit_usage;
    }
    session::SessionStoreOptions options;
    options.token_key = new_key;
    session::SessionStore sessions(open_storage(c), options);
    const auto pass = sessions.reseal_tokens(old_key);
    c.out << "re-encrypted the tokens of " << pass.sealed << " sessions with the new key\n";
    if (pass.unreadable > 0) {
        c.out << pass.unreadable
              << " sessions have tokens that neither key opens; left as they are (those "
                 "sessions are invalid)\n";
        return exit_failed;
    }
    return exit_ok;
}

int export_settings(const Context& c) {
    if (c.args.size() > 1) {
        c.err << "usage: settingsctl export [FILE]\n";
        return exit_usage;
    }
    settings::SettingsStore store(open_storage(c));
    const auto text = settings::to_json_text(settings::to_json(store.export_snapshot())) + "\n";
    if (c.args.empty() || c.args[0] == "-") {
        c.out << text;
        return exit_ok;
    }
    std::ofstream file(c.args[0], std::ios::binary | std::ios::trunc);
    file << text;
    if (!file.flush()) {
        c.err << "settingsctl: cannot write " << c.args[0] << "\n";
        return exit_failed;
    }
    return exit_ok;
}

int import_settings(const Context& c) {
    if (c.args.size() != 1) {
        c.err << "usage: settingsctl import FILE\n";
        return exit_usage;
    }
    std::string text;
    if (c.args[0] == "-") {
        text = read_all(std::cin);
    } else {
        std::ifstream file(c.args[0], std::ios::binary);
        if (!file) {
            c.err << "settingsctl: cannot read " << c.args[0] << "\n";
            return exit_usage;
        }
        text = read_all(file);
    }
    auto parsed = settings::parse_strict_json(text);
    if (const auto* error = std::get_if<settings::JsonSyntaxError>(&parsed)) {
        c.err << "settingsctl: " << c.args[0] << ": " << error->message << "\n";
        return exit_usage;
    }
    auto snapshot = settings::parse_snapshot(std::get<boost::json::value>(parsed));
    if (!snapshot) {
        c.err << "settingsctl: " << c.args[0] << " is not valid; nothing was imported:\n";
        for (const auto& e : snapshot.errors()) {
            c.err << "  " << e.field << ": " << e.message << "\n";
        }
        return exit_usage;
    }
    settings::SettingsStore store(open_storage(c));
    const auto summary =
        store.import_snapshot(snapshot.value(), settings::Actor::named_tool("settingsctl"));
    if (!summary) {
        for (const auto& e : summary.errors()) {
            c.err << "  " << e.field << ": " << e.message << "\n";
        }
        return exit_usage;
    }
    c.out << "imported the global settings, " << summary.value().users << " users and "
          << summary.value().projects << " project rows\n";
    return exit_ok;
}

namespace {

std::string value_text(const std::optional<std::string>& json) {
    return json ? *json : "(not set)";
}

std::string actor_text(const settings::Actor& actor) {
    return actor.tool.empty() ? actor.github_username + " (" + actor.github_user_id + ")"
                              : actor.tool;
}

}  // namespace

int history(const Context& c) {
    constexpr auto usage =
        "usage: settingsctl history [--global | --user ID [--project ID]] [--limit N] [--json]\n";
    settings::HistoryQuery query;
    bool json = false;
    bool global = false;
    for (std::size_t i = 0; i < c.args.size(); ++i) {
        const auto& arg = c.args[i];
        const bool has_value = i + 1 < c.args.size();
        if (arg == "--json") {
            json = true;
        } else if (arg == "--global") {
            global = true;
            query.scope = settings::Scope::global;
        } else if (arg == "--user" && has_value) {
            query.user_id = c.args[++i];
        } else if (arg == "--project" && has_value) {
            query.project_id = c.args[++i];
        } else if (arg == "--limit" && has_value) {
            const auto& text = c.args[++i];
            if (text.empty() || text.size() > 3 ||
                text.find_first_not_of("0123456789") != std::string::npos) {
                c.err << "settingsctl: --limit must be between 1 and 200\n";
                return exit_usage;
            }
            query.limit = std::stoul(text);
        } else {
            c.err << usage;
            return exit_usage;
        }
    }
    if ((global && !query.user_id.empty()) || (query.project_id && query.user_id.empty())) {
        c.err << usage;
        return exit_usage;
    }
    if (!query.user_id.empty()) {
        query.scope = query.project_id ? settings::Scope::project : settings::Scope::user;
    }
    settings::SettingsStore store(open_storage(c));
    const auto page = store.history(query);
    if (!page) {
        for (const auto& e : page.errors()) {
            c.err << "settingsctl: " << e.field << " " << e.message << "\n";
        }
        return exit_usage;
    }
    if (json) {
        c.out << settings::to_json_text(settings::to_json(page.value())) << "\n";
        return exit_ok;
    }
    for (const auto& e : page.value().entries) {
        std::string where(settings::to_string(e.scope));
        if (!e.user_id.empty()) {
            where.append(" ").append(e.user_id);
        }
        if (e.project_id) {
            where.append("/").append(*e.project_id);
        }
        c.out << e.id << "\t" << e.at << "\t" << actor_text(e.actor) << "\t" << where << "\t"
              << e.field << "\t" << value_text(e.old_value) << " -> " << value_text(e.new_value)
              << "\trevision " << e.revision << "\n";
    }
    if (page.value().entries.empty()) {
        c.out << "no history entries\n";
    }
    return exit_ok;
}

int print_global(const Context& c) {
    settings::SettingsStore store(open_storage(c));
    c.out << settings::to_json_text(settings::to_json(store.global_settings())) << "\n";
    return exit_ok;
}

int print_user(const Context& c) {
    if (c.args.size() != 1) {
        c.err << "usage: settingsctl user USER_ID\n";
        return exit_usage;
    }
    settings::SettingsStore store(open_storage(c));
    c.out << settings::to_json_text(settings::to_json(store.effective_user_settings(c.args[0])))
          << "\n";
    return exit_ok;
}

int copy(const Context& c) {
    std::optional<std::string> from;
    std::optional<std::string> to;
    bool replace = false;
    for (std::size_t i = 0; i < c.args.size(); ++i) {
        if (c.args[i] == "--replace") {
            replace = true;
        } else if (c.args[i] == "--from" && i + 1 < c.args.size()) {
            from = c.args[++i];
        } else if (c.args[i] == "--to" && i + 1 < c.args.size()) {
            to = c.args[++i];
        } else {
            c.err << "usage: settingsctl copy --from URL --to URL [--replace]\n";
            return exit_usage;
        }
    }
    if (!from || !to) {
        c.err << "usage: settingsctl copy --from URL --to URL [--replace]\n";
        return exit_usage;
    }
    // The source is only read; it must already be at this program's schema.
    settings::StorageOptions read_only;
    read_only.read_only = true;
    const auto source = settings::Storage::open(*from, read_only);
    const auto target = settings::Storage::open(*to);
    settings::RowCounts copied;
    try {
        copied = settings::copy_database(*source, *target, replace);
    } catch (const std::invalid_argument& e) {
        c.err << "settingsctl: " << e.what() << "\n";
        return exit_usage;
    }
    c.out << "copied " << source->description() << " to " << target->description()
          << " (schema version " << target->schema_version() << "):";
    for (const auto& [table, rows] : copied) {
        c.out << " " << table << "=" << rows;
    }
    c.out << "\nverified: every row reads back equal to its source\n";
    return exit_ok;
}

int admins(const Context& c) {
    constexpr auto usage = "usage: settingsctl admins list | add USER_ID | remove USER_ID\n";
    const auto& args = c.args;
    const bool list = args.size() == 1 && args[0] == "list";
    const bool change = args.size() == 2 && (args[0] == "add" || args[0] == "remove");
    if (!list && !change) {
        c.err << usage;
        return exit_usage;
    }
    settings::AdminRoles roles(open_storage(c));
    if (list) {
        const auto stored = roles.list();
        if (stored.empty()) {
            c.out << "no admins stored: the first user to sign in becomes the admin unless "
                     "ADMIN_USERS is set\n";
        }
        for (const auto& admin : stored) {
            c.out << admin.user_id << "\t" << admin.login.value_or("-") << "\tsince "
                  << admin.created_at << "\n";
        }
        return exit_ok;
    }
    const auto& user_id = args[1];
    if (args[0] == "add") {
        try {
            c.out << user_id
                  << (roles.add(user_id) ? " is now an admin\n" : " is an admin already\n");
        } catch (const std::invalid_argument& e) {
            c.err << "settingsctl: " << e.what() << "\n";
            return exit_usage;
        }
        return exit_ok;
    }
    switch (roles.remove(user_id)) {
        case settings::AdminRemoval::removed:
            c.out << user_id << " is no longer an admin\n";
            return exit_ok;
        case settings::AdminRemoval::not_an_admin:
            c.err << "settingsctl: " << user_id << " is not a stored admin\n";
            return exit_failed;
        case settings::AdminRemoval::last_admin:
            break;
    }
    c.err << "settingsctl: refusing to remove " << user_id
          << ": it is the last admin; add another admin first\n";
    return exit_failed;
}

}  // namespace settingsctl
