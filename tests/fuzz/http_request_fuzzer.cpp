// libFuzzer target: the HTTP layer without sockets. The input is a request as
// text ("METHOD TARGET", header lines "name: value", an empty line, the body);
// it goes through the router and the whole request pipeline, cookie and query
// parsing included, against real stores on a temporary database.

#include <cctype>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <unistd.h>
#include <vector>

#include <service/admin_policy.hpp>
#include <service/api.hpp>
#include <service/config.hpp>
#include <service/cookies.hpp>
#include <service/drain.hpp>
#include <service/oauth_states.hpp>
#include <session/session_store.hpp>
#include <settings/log.hpp>
#include <settings/settings_store.hpp>
#include <settings/storage.hpp>

namespace {

struct World {
    service::Config config;
    std::shared_ptr<settings::Storage> storage;
    std::unique_ptr<session::SessionStore> sessions;
    std::unique_ptr<settings::SettingsStore> store;
    std::unique_ptr<service::OAuthStates> states;
    std::unique_ptr<service::ResponseCache> cache;
    std::unique_ptr<settings::AdminRoles> roles;
    std::unique_ptr<service::AdminPolicy> admins;
    service::WriteRateLimiter write_limiter{0, 0};
    service::GitHubProjectsCache github_projects{settings::SystemClock::instance(),
                                                 std::chrono::seconds(60), 16};
    service::Drain drain;
    std::unique_ptr<service::Api> api;
    std::string cookie;

    World() {
        settings::log::set_level(settings::log::Level::error);
        const auto dir =
            std::filesystem::temp_directory_path() / ("http-fuzz-" + std::to_string(getpid()));
        std::filesystem::remove_all(dir);
        storage = settings::Storage::open("sqlite:" + (dir / "fuzz.db").string());
        config.dev_login = true;
        config.frontend_url = *service::parse_url("http://localhost:5173");
        sessions = std::make_unique<session::SessionStore>(storage);
        store = std::make_unique<settings::SettingsStore>(storage);
        states = std::make_unique<service::OAuthStates>(settings::SystemClock::instance());
        cache = std::make_unique<service::ResponseCache>(
            [this] { return storage->change_version(); }, settings::SystemClock::instance());
        roles = std::make_unique<settings::AdminRoles>(storage);
        admins = std::make_unique<service::AdminPolicy>(std::vector<std::string>{}, *roles);
        api = std::make_unique<service::Api>(config, *storage, *store, *sessions, *states, *cache,
                                             *admins, write_limiter, github_projects, drain);
        cookie = sessions->create({"fuzz", "fuzz", std::nullopt}, {"t", {}, {}}).cookie;
    }
};

World& world() {
    static World w;
    return w;
}

service::Request parse(std::string_view text) {
    service::Request request;
    const auto line_end = text.find('\n');
    const auto first = text.substr(0, line_end);
    const auto space = first.find(' ');
    request.method = first.substr(0, space);
    request.target = space == std::string_view::npos ? "/" : first.substr(space + 1);
    text = line_end == std::string_view::npos ? std::string_view() : text.substr(line_end + 1);
    while (!text.empty() && text.front() != '\n') {
        const auto end = text.find('\n');
        const auto line = text.substr(0, end);
        const auto colon = line.find(':');
        std::string name(line.substr(0, colon));
        for (auto& c : name) {
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
        const auto value =
            colon == std::string_view::npos ? std::string_view() : line.substr(colon + 1);
        request.headers.push_back(
            {name, std::string(value.substr(value.find_first_not_of(' ') == std::string_view::npos
                                                ? value.size()
                                                : value.find_first_not_of(' ')))});
        text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    }
    request.body = text.empty() ? "" : text.substr(1);
    return request;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto& w = world();
    auto request = parse(std::string_view(reinterpret_cast<const char*>(data), size));
    // "$COOKIE" in a Cookie header stands for the valid session.
    for (auto& h : request.headers) {
        if (h.name == "cookie") {
            const auto at = h.value.find("$COOKIE");
            if (at != std::string::npos) {
                h.value.replace(at, 7, w.cookie);
            }
            (void)service::find_cookie(h.value, "session_id");
        }
    }
    (void)service::query_parameter(request.query(), "state");
    auto triage = w.api->triage(request);
    service::Response response;
    switch (triage.stage) {
        case service::Api::Stage::respond:
            response = std::move(triage.response);
            break;
        case service::Api::Stage::storage_read:
        case service::Api::Stage::storage_write:
            response = w.api->handle(request);
            break;
        case service::Api::Stage::github_callback: {
            auto first = w.api->begin_github_callback(request);
            if (auto* answer = std::get_if<service::Response>(&first)) {
                response = std::move(*answer);
            }
            break;
        }
        case service::Api::Stage::github_projects: {
            auto first = w.api->begin_github_projects(request);
            if (auto* answer = std::get_if<service::Response>(&first)) {
                response = std::move(*answer);
            }
            break;
        }
        case service::Api::Stage::events: {
            auto first = w.api->begin_events(request);
            if (auto* answer = std::get_if<service::Response>(&first)) {
                response = std::move(*answer);
            }
            break;
        }
    }
    w.api->finish(request, response);
    // Nothing from the request may turn into a header line of its own.
    for (const auto& h : response.headers) {
        if (h.value.find_first_of("\r\n") != std::string::npos) {
            __builtin_trap();
        }
    }
    if (response.status >= 500 && response.status != 503) {
        __builtin_trap();
    }
    return 0;
}
