#include <charconv>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include <service/config.hpp>
#include <settings/validation.hpp>

namespace service {

namespace {

constexpr int exit_ok = 0;
constexpr int exit_bad_config = 2;
constexpr std::string_view version = SETTINGS_VERSION;

// One row per setting of service.md's table. `flag` takes a value unless `boolean`.
struct Option {
    std::string_view env;
    std::string_view flag;
    std::string_view default_text;
    std::string_view help;
    bool boolean = false;
    // A secret: never taken as a flag value, which any local user can read (ps).
    bool secret = false;
};

constexpr Option options[] = {
    {"DATABASE_URL", "--database-url", "unset",
     "postgresql://... or postgres://... (a libpq URI), or sqlite:PATH"},
    {"DATABASE_PATH", "--db", "./data/settings.db",
     "SQLite file, when DATABASE_URL is unset; its folder is created"},
    {"DATABASE_POOL_SIZE", "--database-pool-size", "2 x THREADS + 2",
     "PostgreSQL connections of this process"},
    {"DATABASE_WAIT_SECONDS", "--database-wait-seconds", "30",
     "at start, how long to retry an unreachable PostgreSQL before exit 3"},
    {"DATABASE_NOTIFY", "--database-notify", "on",
     "PostgreSQL LISTEN/NOTIFY as a speed-up (--no-database-notify turns it off); "
     "never needed for correctness",
     true},
    {"CHECK_ON_START", "--check-on-start", "quick under 1 GiB, else off",
     "quick, full or off: check the SQLite file before listening (exit 3 when it fails)"},
    {"HOST", "--host", "127.0.0.1", "listen address"},
    {"PORT", "--port", "8000", "listen port; 0 picks a free port"},
    {"THREADS", "--threads", "number of cores", "I/O threads"},
    {"LOG_LEVEL", "--log-level", "info", "debug, info, warn or error"},
    {"LOG_FORMAT", "--log-format", "text", "text, or json (one object per line)"},
    {"ACCESS_LOG", "--access-log", "off", "one log line per request", true},
    {"METRICS_ADDR", "--metrics-addr", "unset (off)",
     "HOST:PORT of a second listener serving GET /metrics (Prometheus text format)"},
    {"SESSION_EXPIRE_HOURS", "--session-expire-hours", "8", "inactivity window (decimals allowed)"},
    {"SESSION_MAX_AGE_HOURS", "--session-max-age-hours", "168",
     "absolute session lifetime (decimals allowed)"},
    {"TOKEN_ENCRYPTION_KEY", "--token-encryption-key", "unset",
     "32 bytes as base64; encrypts OAuth tokens (environment only: see the _FILE form)", false,
     true},
    {"TOKEN_ENCRYPTION_KEY_FILE", "--token-encryption-key-file", "unset",
     "a file holding TOKEN_ENCRYPTION_KEY"},
    {"SESSION_CLEANUP_INTERVAL", "--session-cleanup-interval", "3600",
     "seconds between purges of expired sessions and of history past its retention"},
    {"HISTORY_RETENTION_DAYS", "--history-retention-days", "90",
     "days the settings change history is kept; 0 keeps it forever"},
    {"DEV_LOGIN", "--dev-login", "off", "enables POST /api/v1/auth/dev-login", true},
    {"FRONTEND_URL", "--frontend-url", "http://localhost:5173",
     "where logins redirect to; the allowed CORS origin"},
    {"COOKIE_SECURE", "--cookie-secure", "on when FRONTEND_URL is https",
     "Secure flag on the cookie (--no-cookie-secure turns it off)", true},
    {"GITHUB_CLIENT_ID", "--github-client-id", "unset", "GitHub OAuth app"},
    {"GITHUB_CLIENT_SECRET", "--github-client-secret", "unset",
     "GitHub OAuth app (environment only: see the _FILE form)", false, true},
    {"GITHUB_CLIENT_SECRET_FILE", "--github-client-secret-file", "unset",
     "a file holding GITHUB_CLIENT_SECRET"},
    {"MAX_CONNECTIONS", "--max-connections", "10000",
     "open client connections; never more than the open-file limit minus a reserve"},
    {"TRUST_X_FORWARDED_FOR", "--trust-x-forwarded-for", "off",
     "count clients by the last X-Forwarded-For address (set it behind a proxy that appends it)",
     true},
    {"GITHUB_OAUTH_URL", "--github-oauth-url", "https://github.com",
     "base of the authorize and token endpoints"},
    {"GITHUB_API_URL", "--github-api-url", "https://api.github.com", "base of GET /user"},
    {"ADMIN_USERS", "--admin-users", "unset",
     "comma-separated GitHub logins or user ids who are admins, besides the stored ones; "
     "unset: the first user to sign in becomes the admin"},
    {"MAX_PROJECTS_PER_USER", "--max-projects-per-user", "1000",
     "project rows one user may have (0: no limit)"},
    {"WRITE_RATE_LIMIT", "--write-rate-limit", "20",
     "writes per second per user, then 429 (decimals allowed; 0 turns the limit off)"},
    {"WRITE_BURST", "--write-burst", "100",
     "writes one user may make at once before WRITE_RATE_LIMIT applies (0 turns it off)"},
    {"AI_PROVIDER", "--ai-provider", "copilot", "first-start seed of ai.provider"},
    {"COPILOT_MODEL", "--copilot-model", "gpt-4o", "first-start seed of ai.model"},
    {"DEFAULT_REPOSITORY", "--default-repository", "none",
     "first-start seed of workflow.default_repository (owner/repo)"},
    {"DEFAULT_ASSIGNEE", "--default-assignee", "empty",
     "first-start seed of workflow.default_assignee"},
    {"COPILOT_POLLING_INTERVAL", "--copilot-polling-interval", "60",
     "first-start seed of workflow.copilot_polling_interval (seconds)"},
};

std::string help_text() {
    std::ostringstream out;
    out << "usage: settings-service [FLAGS]\n\n"
        << "The settings and session HTTP service. Every setting is an environment\n"
        << "variable or a flag; the flag wins.\n\n";
    for (const auto& o : options) {
        if (o.secret) {
            out << "  " << o.env << std::string(o.env.size() < 34 ? 34 - o.env.size() : 1, ' ')
                << "(environment only; default: " << o.default_text << ")\n      " << o.help
                << "\n";
            continue;
        }
        std::string flag(o.flag);
        if (!o.boolean) {
            flag += " VALUE";
        }
        out << "  " << flag << std::string(flag.size() < 34 ? 34 - flag.size() : 1, ' ') << o.env
            << " (default: " << o.default_text << ")\n      " << o.help << "\n";
    }
    out << "  --no-cookie-secure                no Secure flag on the cookie\n"
        << "  --no-database-notify              no LISTEN/NOTIFY\n"
        << "  --help                            print this help\n"
        << "  --version                         print the version\n\n"
        << "Exit codes: 0 clean shutdown, 1 cannot listen, 2 bad configuration,\n"
        << "3 database cannot be opened or is corrupt (or fails CHECK_ON_START),\n"
        << "4 database schema newer than the program, 5 a migration failed.\n";
    return out.str();
}

struct ConfigError {
    std::string message;
};

// "PORT (--port)" for messages.
std::string name_of(const Option& o) {
    return std::string(o.env) + " (" + std::string(o.flag) + ")";
}

const Option& option(std::string_view env) {
    for (const auto& o : options) {
        if (o.env == env) {
            return o;
        }
    }
    throw std::logic_error("unknown option");
}

[[noreturn]] void fail(std::string_view env, const std::string& why) {
    throw ConfigError{"invalid " + name_of(option(env)) + ": " + why};
}

std::optional<bool> parse_bool(std::string text) {
    for (auto& c : text) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    if (text == "1" || text == "true" || text == "yes" || text == "on") {
        return true;
    }
    if (text == "0" || text == "false" || text == "no" || text == "off") {
        return false;
    }
    return std::nullopt;
}

template <typename Int>
Int parse_integer(std::string_view env, const std::string& text, Int minimum, Int maximum) {
    Int value{};
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || value < minimum ||
        value > maximum) {
        fail(env, "must be an integer from " + std::to_string(minimum) + " to " +
                      std::to_string(maximum));
    }
    return value;
}

std::chrono::milliseconds parse_hours(std::string_view env, const std::string& text) {
    constexpr double max_hours = 24.0 * 365 * 100;
    double hours = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), hours);
    const auto ms = hours * 3'600'000.0;
    if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(hours) ||
        hours <= 0 || hours > max_hours || ms < 1.0) {
        fail(env, "must be a number of hours greater than 0 (at least a millisecond)");
    }
    return std::chrono::milliseconds(static_cast<std::int64_t>(std::llround(ms)));
}

// "alice, 12345,bob" -> {"alice", "12345", "bob"}.
std::vector<std::string> parse_admin_users(const std::string& text) {
    std::vector<std::string> out;
    std::string_view rest(text);
    while (!rest.empty()) {
        const auto comma = rest.find(',');
        auto entry = rest.substr(0, comma);
        rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
        const auto first = entry.find_first_not_of(" \t");
        if (first == std::string_view::npos) {
            continue;
        }
        entry = entry.substr(first, entry.find_last_not_of(" \t") - first + 1);
        if (settings::validate_user_id(entry)) {
            fail("ADMIN_USERS", "each entry must be a GitHub login or user id");
        }
        out.emplace_back(entry);
    }
    if (out.empty()) {
        fail("ADMIN_USERS", "names nobody; leave it unset instead");
    }
    return out;
}

double parse_rate(std::string_view env, const std::string& text) {
    double rate = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), rate);
    if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(rate) || rate < 0 ||
        rate > 1e6) {
        fail(env, "must be a number from 0 to 1000000 (0 turns the limit off)");
    }
    return rate;
}

Url parse_base_url(std::string_view env, const std::string& text, bool must_be_secure) {
    const auto url = parse_url(text);
    if (!url) {
        fail(env, "must be an http:// or https:// URL");
    }
    if (must_be_secure && url->scheme != "https" && !url->is_loopback()) {
        fail(env, "must be https:// (plain http:// only for a loopback host)");
    }
    return *url;
}

// `HOST:PORT`, the host an IPv4 address, a name or a bracketed IPv6 address.
ListenAddress parse_listen_address(std::string_view env, const std::string& text) {
    const auto colon = text.rfind(':');
    if (colon == std::string::npos || colon == 0) {
        fail(env, "must be HOST:PORT, e.g. 127.0.0.1:9100");
    }
    std::string host = text.substr(0, colon);
    if (host.starts_with('[') && host.ends_with(']')) {
        host = host.substr(1, host.size() - 2);
    } else if (host.find(':') != std::string::npos) {
        fail(env, "must be HOST:PORT; write an IPv6 address in brackets: [::1]:9100");
    }
    if (host.empty()) {
        fail(env, "must be HOST:PORT, e.g. 127.0.0.1:9100");
    }
    return {host, parse_integer<std::uint16_t>(env, text.substr(colon + 1), 0, 65535)};
}

// The content of a *_FILE variable's file, without the line end an editor adds.
std::string read_secret_file(std::string_view env, const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream content;
    if (!in || !(content << in.rdbuf())) {
        fail(env, "cannot read " + path);
    }
    auto text = content.str();
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) {
        text.pop_back();
    }
    if (text.empty()) {
        fail(env, path + " is empty");
    }
    return text;
}

// A secret from its variable or from the file its *_FILE variable names.
std::optional<std::string> secret(
    const std::function<std::optional<std::string>(std::string_view)>& get, std::string_view env,
    std::string_view file_env) {
    const auto direct = get(env);
    const auto file = get(file_env);
    if (direct && file) {
        fail(file_env,
             "set either " + std::string(env) + " or " + std::string(file_env) + ", not both");
    }
    return file ? std::optional(read_secret_file(file_env, *file)) : direct;
}

void seed_field(Config& config, std::string_view env, settings::Field field,
                const std::optional<std::string>& text) {
    if (!text) {
        return;
    }
    const auto& d = settings::descriptor(field);
    settings::FieldValue value = *text;
    if (d.kind == settings::FieldKind::integer) {
        value = parse_integer<std::int64_t>(env, *text, static_cast<std::int64_t>(d.minimum),
                                            static_cast<std::int64_t>(d.maximum));
    }
    if (!settings::is_valid_value(d, value)) {
        fail(env, "must be " + settings::field_expectation(d));
    }
    config.seed[field] = std::move(value);
}

Config build(const std::map<std::string, std::string, std::less<>>& raw) {
    const std::function get = [&](std::string_view env) -> std::optional<std::string> {
        const auto it = raw.find(env);
        if (it == raw.end() || it->second.empty()) {
            return std::nullopt;
        }
        return it->second;
    };
    Config config;
    const auto url = get("DATABASE_URL");
    if (url && get("DATABASE_PATH")) {
        fail("DATABASE_URL", "set either DATABASE_URL or DATABASE_PATH (--db), not both");
    }
    if (url) {
        if (url->starts_with("postgresql://") || url->starts_with("postgres://")) {
            config.database_url = *url;
        } else if (url->starts_with("sqlite:") && url->size() > 7) {
            config.database_path = url->substr(7);
        } else {
            fail("DATABASE_URL", "must start with postgresql://, postgres:// or sqlite:");
        }
    }
    if (auto v = get("DATABASE_PATH")) {
        config.database_path = *v;
    }
    if (auto v = get("CHECK_ON_START")) {
        if (*v == "quick") {
            config.check_on_start = StartCheck::quick;
        } else if (*v == "full") {
            config.check_on_start = StartCheck::full;
        } else if (*v == "off") {
            config.check_on_start = StartCheck::off;
        } else {
            fail("CHECK_ON_START", "must be quick, full or off");
        }
    }
    if (auto v = get("HOST")) {
        config.host = *v;
    }
    if (auto v = get("PORT")) {
        config.port = parse_integer<std::uint16_t>("PORT", *v, 0, 65535);
    }
    config.threads = std::max(1U, std::thread::hardware_concurrency());
    if (auto v = get("THREADS")) {
        config.threads = parse_integer<unsigned>("THREADS", *v, 1, 256);
    }
    config.database_pool_size = 2 * static_cast<std::size_t>(config.threads) + 2;
    if (auto v = get("DATABASE_POOL_SIZE")) {
        config.database_pool_size = parse_integer<std::size_t>("DATABASE_POOL_SIZE", *v, 1, 1000);
    }
    if (auto v = get("DATABASE_WAIT_SECONDS")) {
        config.database_wait = std::chrono::seconds(
            parse_integer<std::int64_t>("DATABASE_WAIT_SECONDS", *v, 0, std::int64_t{24} * 3600));
    }
    if (auto v = get("DATABASE_NOTIFY")) {
        const auto on = parse_bool(*v);
        if (!on) {
            fail("DATABASE_NOTIFY", "must be 1/0, true/false, yes/no or on/off");
        }
        config.database_notify = *on;
    }
    if (auto v = get("LOG_LEVEL")) {
        const auto level = settings::log::parse_level(*v);
        if (!level) {
            fail("LOG_LEVEL", "must be debug, info, warn or error");
        }
        config.log_level = *level;
    }
    if (auto v = get("LOG_FORMAT")) {
        const auto format = settings::log::parse_format(*v);
        if (!format) {
            fail("LOG_FORMAT", "must be text or json");
        }
        config.log_format = *format;
    }
    if (auto v = get("ACCESS_LOG")) {
        const auto on = parse_bool(*v);
        if (!on) {
            fail("ACCESS_LOG", "must be 1/0, true/false, yes/no or on/off");
        }
        config.access_log = *on;
    }
    if (auto v = get("METRICS_ADDR")) {
        config.metrics_address = parse_listen_address("METRICS_ADDR", *v);
    }
    if (auto v = get("SESSION_EXPIRE_HOURS")) {
        config.session_expire = parse_hours("SESSION_EXPIRE_HOURS", *v);
    }
    if (auto v = get("SESSION_MAX_AGE_HOURS")) {
        config.session_max_age = parse_hours("SESSION_MAX_AGE_HOURS", *v);
    }
    if (const auto key_text = secret(get, "TOKEN_ENCRYPTION_KEY", "TOKEN_ENCRYPTION_KEY_FILE")) {
        config.token_key = session::TokenKey::from_base64(*key_text);
        if (!config.token_key) {
            fail("TOKEN_ENCRYPTION_KEY", "must be 32 bytes encoded as base64");
        }
    }
    if (auto v = get("SESSION_CLEANUP_INTERVAL")) {
        config.session_cleanup_interval = std::chrono::seconds(
            parse_integer<std::int64_t>("SESSION_CLEANUP_INTERVAL", *v, 1, 365LL * 24 * 3600));
    }
    if (auto v = get("HISTORY_RETENTION_DAYS")) {
        config.history_retention =
            std::chrono::days(parse_integer<std::int64_t>("HISTORY_RETENTION_DAYS", *v, 0, 36500));
    }
    if (auto v = get("DEV_LOGIN")) {
        const auto on = parse_bool(*v);
        if (!on) {
            fail("DEV_LOGIN", "must be 1/0, true/false, yes/no or on/off");
        }
        config.dev_login = *on;
    }
    config.frontend_url = parse_base_url(
        "FRONTEND_URL", get("FRONTEND_URL").value_or("http://localhost:5173"), false);
    config.cookie_secure = config.frontend_url.scheme == "https";
    if (auto v = get("COOKIE_SECURE")) {
        const auto on = parse_bool(*v);
        if (!on) {
            fail("COOKIE_SECURE", "must be 1/0, true/false, yes/no or on/off");
        }
        config.cookie_secure = *on;
    }
    config.github_client_id = get("GITHUB_CLIENT_ID");
    config.github_client_secret = secret(get, "GITHUB_CLIENT_SECRET", "GITHUB_CLIENT_SECRET_FILE");
    if (auto v = get("MAX_CONNECTIONS")) {
        config.max_connections = parse_integer<std::size_t>("MAX_CONNECTIONS", *v, 1, 1'000'000);
    }
    if (auto v = get("TRUST_X_FORWARDED_FOR")) {
        const auto on = parse_bool(*v);
        if (!on) {
            fail("TRUST_X_FORWARDED_FOR", "must be 1/0, true/false, yes/no or on/off");
        }
        config.trust_x_forwarded_for = *on;
    }
    config.github_oauth_url = parse_base_url(
        "GITHUB_OAUTH_URL", get("GITHUB_OAUTH_URL").value_or("https://github.com"), true);
    config.github_api_url = parse_base_url(
        "GITHUB_API_URL", get("GITHUB_API_URL").value_or("https://api.github.com"), true);

    if (auto v = get("ADMIN_USERS")) {
        config.admin_users = parse_admin_users(*v);
    }
    if (auto v = get("MAX_PROJECTS_PER_USER")) {
        config.max_projects_per_user =
            parse_integer<std::size_t>("MAX_PROJECTS_PER_USER", *v, 0, 1'000'000'000);
    }
    if (auto v = get("WRITE_RATE_LIMIT")) {
        config.write_rate_limit = parse_rate("WRITE_RATE_LIMIT", *v);
    }
    if (auto v = get("WRITE_BURST")) {
        config.write_burst = parse_integer<std::size_t>("WRITE_BURST", *v, 0, 1'000'000);
    }

    seed_field(config, "AI_PROVIDER", settings::Field::ai_provider, get("AI_PROVIDER"));
    seed_field(config, "COPILOT_MODEL", settings::Field::ai_model, get("COPILOT_MODEL"));
    seed_field(config, "DEFAULT_REPOSITORY", settings::Field::workflow_default_repository,
               get("DEFAULT_REPOSITORY"));
    seed_field(config, "DEFAULT_ASSIGNEE", settings::Field::workflow_default_assignee,
               get("DEFAULT_ASSIGNEE"));
    seed_field(config, "COPILOT_POLLING_INTERVAL",
               settings::Field::workflow_copilot_polling_interval, get("COPILOT_POLLING_INTERVAL"));
    return config;
}

}  // namespace

std::string_view program_version() {
    return version;
}

std::variant<Config, ConfigExit> parse_config(
    std::span<const std::string> args,
    const std::function<std::optional<std::string>(const std::string&)>& environment) {
    std::map<std::string, std::string, std::less<>> raw;
    for (const auto& o : options) {
        if (auto value = environment(std::string(o.env))) {
            raw[std::string(o.env)] = *value;
        }
    }
    try {
        for (std::size_t i = 0; i < args.size(); ++i) {
            std::string_view arg = args[i];
            if (arg == "--help" || arg == "-h") {
                return ConfigExit{exit_ok, help_text()};
            }
            if (arg == "--version") {
                return ConfigExit{exit_ok, "settings-service " + std::string(version) + "\n"};
            }
            if (arg == "--no-cookie-secure") {
                raw["COOKIE_SECURE"] = "false";
                continue;
            }
            if (arg == "--no-database-notify") {
                raw["DATABASE_NOTIFY"] = "false";
                continue;
            }
            const auto equals = arg.find('=');
            const auto name = arg.substr(0, equals);
            const Option* match = nullptr;
            for (const auto& o : options) {
                if (o.flag == name) {
                    match = &o;
                }
            }
            if (match == nullptr) {
                throw ConfigError{"unknown argument " + std::string(name) +
                                  " (see settings-service --help)"};
            }
            if (match->secret) {
                throw ConfigError{std::string(match->flag) +
                                  " would show the secret to every local user (ps); set " +
                                  std::string(match->env) + " or use " + std::string(match->flag) +
                                  "-file FILE"};
            }
            std::string value;
            if (match->boolean) {
                if (equals != std::string_view::npos) {
                    throw ConfigError{std::string(match->flag) + " takes no value"};
                }
                value = "true";
            } else if (equals != std::string_view::npos) {
                value = arg.substr(equals + 1);
            } else if (i + 1 < args.size()) {
                value = args[++i];
            } else {
                throw ConfigError{std::string(match->flag) + " needs a value"};
            }
            raw[std::string(match->env)] = value;
        }
        return build(raw);
    } catch (const ConfigError& e) {
        return ConfigExit{exit_bad_config, "settings-service: " + e.message};
    }
}

}  // namespace service
