// settings-service: configuration, database, then the HTTP host (service.md,
// "Start-up, in this order").

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>
#include <sys/stat.h>
#include <thread>
#include <vector>

#include <service/api.hpp>
#include <service/config.hpp>
#include <service/drain.hpp>
#include <service/metrics.hpp>
#include <service/oauth_states.hpp>
#include <service/server.hpp>
#include <session/session_store.hpp>
#include <settings/admin_roles.hpp>
#include <settings/errors.hpp>
#include <settings/log.hpp>
#include <settings/maintenance.hpp>
#include <settings/settings_store.hpp>
#include <settings/storage.hpp>

namespace {

// Exit codes of service.md.
// HOST:PORT cannot be bound, or anything unexpected (logged).
constexpr int exit_failure = 1;
constexpr int exit_bad_config = 2;
constexpr int exit_database_unusable = 3;
constexpr int exit_schema_too_new = 4;
constexpr int exit_migration_failed = 5;

// bench/ builds this file a second time with SETTINGS_BENCH_NO_HISTORY, to
// measure what the change history costs a write (issue 13).
#ifdef SETTINGS_BENCH_NO_HISTORY
constexpr bool record_history = false;
#else
constexpr bool record_history = true;
#endif

namespace log = settings::log;

// In a container whose data folder is not a mount point, the database dies with
// the container.
void warn_if_not_on_a_volume(const std::filesystem::path& database) {
    if (!std::filesystem::exists("/.dockerenv")) {
        return;
    }
    const auto folder = std::filesystem::absolute(database).parent_path();
    struct stat here {};
    struct stat parent {};
    if (stat(folder.c_str(), &here) == 0 && stat(folder.parent_path().c_str(), &parent) == 0 &&
        here.st_dev == parent.st_dev) {
        log::warn("service", "the database folder " + folder.string() +
                                 " is not a mounted volume: its data will not survive "
                                 "re-creating the container");
    }
}

// The integrity check before listening (CHECK_ON_START): false, with the
// problems logged, when the file fails it. A missing file is created later.
bool passes_start_check(const service::Config& config) {
    constexpr std::uintmax_t automatic_limit = std::uintmax_t{1} << 30;  // 1 GiB
    const auto& path = config.database_path;
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    if (!config.database_url.empty() || ec) {
        return true;
    }
    auto how = settings::IntegrityCheck::quick;
    switch (config.check_on_start) {
        case service::StartCheck::off:
            return true;
        case service::StartCheck::automatic:
            if (size >= automatic_limit) {
                log::info("database",
                          "skipping the start-up check of a file of 1 GiB or more "
                          "(CHECK_ON_START=quick runs it)");
                return true;
            }
            break;
        case service::StartCheck::quick:
            break;
        case service::StartCheck::full:
            how = settings::IntegrityCheck::full;
            break;
    }
    const auto problems = settings::check_integrity(path, how);
    if (problems.empty()) {
        log::info("database", "start-up check of " + path.string() + ": ok");
        return true;
    }
    for (const auto& p : problems) {
        log::error("database", "start-up check of " + path.string() + ": " + p);
    }
    log::error("database", path.string() +
                               " fails its integrity check; restore a backup "
                               "(settingsctl restore) or start with CHECK_ON_START=off");
    return false;
}

// Tokens stored before TOKEN_ENCRYPTION_KEY was set are encrypted now; tokens no
// key opens are reported once (their sessions are invalid, as find() says).
void secure_stored_tokens(session::SessionStore& sessions) {
    session::TokenPass pass;
    try {
        pass = sessions.reseal_tokens();
    } catch (const std::exception& e) {
        log::warn("sessions", std::string("could not check the stored OAuth tokens: ") + e.what());
        return;
    }
    if (pass.sealed > 0) {
        log::info("sessions", "encrypted the OAuth tokens of " + std::to_string(pass.sealed) +
                                  " sessions stored before TOKEN_ENCRYPTION_KEY was set");
    }
    if (pass.unreadable > 0) {
        log::warn("sessions", std::to_string(pass.unreadable) +
                                  " sessions have OAuth tokens that TOKEN_ENCRYPTION_KEY does not "
                                  "open (a different or no key): they are invalid, their users "
                                  "must sign in again");
    }
    log::debug("sessions", "checked the stored OAuth tokens");
}

int serve(const service::Config& config) {
    log::info("service", "starting settings-service");
    if (!config.token_key) {
        log::warn("service",
                  "TOKEN_ENCRYPTION_KEY is not set: OAuth tokens are stored unencrypted");
    }
    if (config.dev_login) {
        log::warn("service",
                  "dev login is enabled: anyone can sign in as anyone; "
                  "never enable it in production");
    }
    if (config.database_url.empty()) {
        warn_if_not_on_a_volume(config.database_path);
    }

    if (!passes_start_check(config)) {
        return exit_database_unusable;
    }
    // Made before the storage, which reports its group commits to it.
    std::unique_ptr<service::Metrics> metrics;
    if (config.metrics_address) {
        metrics = std::make_unique<service::Metrics>(
            service::program_version(), config.database_url.empty() ? "sqlite" : "postgresql");
    }
    settings::StorageOptions storage_options;
    storage_options.pool_size = config.database_pool_size;
    storage_options.connect_wait = config.database_wait;
    if (metrics) {
        storage_options.on_group_commit = [&metrics](std::size_t writes) {
            metrics->group_committed(writes);
        };
    }
    const auto storage = settings::Storage::open(config.database_location(), storage_options);
    log::info("database", "opened " + storage->description() + " (schema version " +
                              std::to_string(storage->schema_version()) + ")");
    session::SessionStoreOptions session_options;
    session_options.expire_after = config.session_expire;
    session_options.max_age = config.session_max_age;
    session_options.token_key = config.token_key;
    session::SessionStore sessions(storage, session_options);
    settings::SettingsStore settings_store(storage,
                                           {.seed = config.seed,
                                            .clock = &settings::SystemClock::instance(),
                                            .max_projects_per_user = config.max_projects_per_user,
                                            .record_history = record_history});
    settings::AdminRoles admin_roles(storage);
    service::AdminPolicy admins(config.admin_users, admin_roles);
    service::WriteRateLimiter write_limiter(config.write_rate_limit, config.write_burst);

    service::OAuthStates states(settings::SystemClock::instance());
    service::ResponseCache cache([&storage] { return storage->change_version(); },
                                 settings::SystemClock::instance());
    // A page opening its project picker again within a minute does not call GitHub.
    service::GitHubProjectsCache github_projects(settings::SystemClock::instance(),
                                                 std::chrono::seconds(60), 10'000);
    service::Drain drain;
    service::Api api(config, *storage, settings_store, sessions, states, cache, admins,
                     write_limiter, github_projects, drain);
    if (metrics) {
        metrics->set_sources({.cache = [&cache] { return cache.counts(); },
                              .storage_errors = [&api] { return api.storage_errors(); },
                              .sessions = [&sessions] { return sessions.counts(); },
                              .pool = [&storage] { return storage->pool_usage(); }});
    }
    service::Server server(config, api, sessions, drain, metrics.get());
    try {
        server.listen();
    } catch (const std::exception& e) {
        log::error("service", e.what());
        return exit_failure;
    }
    if (server.max_connections() < config.max_connections) {
        log::warn("service", "serving at most " + std::to_string(server.max_connections()) +
                                 " connections at once (MAX_CONNECTIONS " +
                                 std::to_string(config.max_connections) +
                                 " does not fit the open-file limit; raise ulimit -n)");
    }
    if (metrics) {
        log::info("service", "metrics on http://" + config.metrics_address->host + ":" +
                                 std::to_string(server.metrics_port()) + "/metrics");
    }
    log::info("service",
              "listening on http://" + config.host + ":" + std::to_string(server.port()));
    {
        // Reads every session: in the background, so that start-up does not grow
        // with their number (a plain token stays readable until it is sealed).
        const std::jthread token_pass([&sessions] { secure_stored_tokens(sessions); });
        server.run();
    }
    log::info("service", "stopped; database closed");
    return 0;
}

int run(int argc, char** argv) {
    const std::vector<std::string> args(argv + 1, argv + argc);
    const auto parsed = service::parse_config(args, [](const std::string& name) {
        const char* value = std::getenv(name.c_str());
        return value != nullptr ? std::optional<std::string>(value) : std::nullopt;
    });
    if (const auto* exit = std::get_if<service::ConfigExit>(&parsed)) {
        (exit->exit_code == 0 ? std::cout : std::cerr)
            << exit->text << (exit->exit_code == 0 ? "" : "\n");
        return exit->exit_code;
    }
    const auto& config = std::get<service::Config>(parsed);
    log::set_sink(log::stderr_sink(config.log_format));
    log::set_level(config.log_level);
    try {
        return serve(config);
    } catch (const settings::SchemaTooNewError& e) {
        log::error("database", e.what());
        return exit_schema_too_new;
    } catch (const settings::MigrationError& e) {
        log::error("database", e.what());
        return exit_migration_failed;
    } catch (const settings::DatabaseOpenError& e) {
        log::error("database", e.what());
        return exit_database_unusable;
    } catch (const settings::StorageError& e) {
        log::error("database", e.what());
        return exit_database_unusable;
    } catch (const std::invalid_argument& e) {
        log::error("service", e.what());
        return exit_bad_config;
    }
}

}  // namespace

int main(int argc, char** argv) {
    // A closed stderr (a supervisor that went away) must not kill the service.
    std::signal(SIGPIPE, SIG_IGN);
    log::set_sink(log::stderr_sink());
    try {
        return run(argc, argv);
    } catch (const std::exception& e) {
        log::error("service", std::string("stopped by an unexpected failure: ") + e.what());
        return exit_failure;
    }
}
