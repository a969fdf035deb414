#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <service/url.hpp>
#include <session/token_key.hpp>
#include <settings/log.hpp>
#include <settings/settings_update.hpp>

namespace service {

/// The integrity check of the SQLite file before listening (CHECK_ON_START).
enum class StartCheck {
    automatic,  // quick for a file under 1 GiB, off above
    quick,
    full,
    off,
};

/// Where a listener binds: METRICS_ADDR's `127.0.0.1:9100` or `[::1]:9100`.
struct ListenAddress {
    std::string host;
    std::uint16_t port = 0;
};

/// Everything settings-service reads from its environment and flags.
struct Config {
    /// The SQLite file, used when `database_url` is empty.
    std::filesystem::path database_path = "./data/settings.db";
    /// A PostgreSQL connection URI; empty for SQLite.
    std::string database_url;
    std::string host = "127.0.0.1";
    Url frontend_url;
    Url github_oauth_url;
    Url github_api_url;
    std::optional<std::string> github_client_id;
    std::optional<std::string> github_client_secret;
    std::optional<session::TokenKey> token_key;
    /// Values for the global row on first start (AI_PROVIDER, COPILOT_MODEL, ...).
    settings::PreferencesUpdate seed;
    /// ADMIN_USERS: user ids or logins of admins on top of the stored ones; empty
    /// when unset (then the first user to sign in becomes the admin).
    std::vector<std::string> admin_users;
    /// MAX_PROJECTS_PER_USER; 0: no limit.
    std::size_t max_projects_per_user = 1000;
    /// WRITE_RATE_LIMIT (writes per second per user) and WRITE_BURST; 0 in either
    /// turns the limit off.
    double write_rate_limit = 20;
    std::size_t write_burst = 100;
    std::size_t database_pool_size = 4;
    std::chrono::seconds database_wait{30};
    std::chrono::milliseconds session_expire = std::chrono::hours(8);
    std::chrono::milliseconds session_max_age = std::chrono::hours(168);
    std::chrono::seconds session_cleanup_interval{3600};
    /// How long history entries are kept; 0: forever.
    std::chrono::days history_retention{90};
    unsigned threads = 1;
    settings::log::Level log_level = settings::log::Level::info;
    /// Open client connections at most (further lowered at start to fit the
    /// open-file limit).
    std::size_t max_connections = 10'000;
    settings::log::Format log_format = settings::log::Format::text;
    /// The second listener, for GET /metrics only; none when METRICS_ADDR is unset.
    std::optional<ListenAddress> metrics_address;
    std::uint16_t port = 8000;
    StartCheck check_on_start = StartCheck::automatic;
    bool database_notify = true;
    bool dev_login = false;
    bool cookie_secure = false;
    /// Clients are told apart by the last X-Forwarded-For address (a proxy in front).
    bool trust_x_forwarded_for = false;
    /// One log line per request (ACCESS_LOG).
    bool access_log = false;

    /// What Storage::open takes: the URL, or `sqlite:` and the path.
    [[nodiscard]] std::string database_location() const {
        return database_url.empty() ? "sqlite:" + database_path.string() : database_url;
    }
};

/// What start-up should do instead of running: print `text` (to stdout for
/// --help and --version, else to stderr as a one-line error) and exit.
struct ConfigExit {
    int exit_code;
    std::string text;
};

/// The program's version, "0.1.0".
std::string_view program_version();

/// Reads the configuration: environment first, flags win. An empty environment
/// variable counts as unset. `environment` returns a variable's value, if set.
std::variant<Config, ConfigExit> parse_config(
    std::span<const std::string> args,
    const std::function<std::optional<std::string>(const std::string&)>& environment);

}  // namespace service
