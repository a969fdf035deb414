#include <array>

#include <service/router.hpp>

namespace service {

namespace {

struct Route {
    Endpoint endpoint;
    std::string_view path;
    std::string_view methods;  // the Allow header
    bool session;
    std::string_view path_template = path;
};

constexpr std::string_view project_prefix = "/api/v1/settings/project/";

constexpr std::array routes{
    Route{Endpoint::health, "/api/v1/health", "GET", false},
    Route{Endpoint::ready, "/api/v1/ready", "GET", false},
    Route{Endpoint::github_login, "/api/v1/auth/github", "GET", false},
    Route{Endpoint::github_callback, "/api/v1/auth/github/callback", "GET", false},
    Route{Endpoint::dev_login, "/api/v1/auth/dev-login", "POST", false},
    Route{Endpoint::me, "/api/v1/auth/me", "GET", true},
    Route{Endpoint::session_project, "/api/v1/auth/session", "PUT", true},
    Route{Endpoint::logout, "/api/v1/auth/logout", "POST", false},
    Route{Endpoint::user_settings, "/api/v1/settings/user", "GET, PUT", true},
    Route{Endpoint::global_settings, "/api/v1/settings/global", "GET, PUT", true},
    Route{Endpoint::projects, "/api/v1/settings/projects", "GET", true},
    Route{Endpoint::project_settings, project_prefix, "GET, PUT", true,
          "/api/v1/settings/project/{project_id}"},
    Route{Endpoint::github_projects, "/api/v1/github/projects", "GET", true},
    Route{Endpoint::history, "/api/v1/settings/history", "GET", true},
    Route{Endpoint::events, "/api/v1/settings/events", "GET", true},
};

// route() indexes the table by the enum.
constexpr bool in_enum_order() {
    for (std::size_t i = 0; i < routes.size(); ++i) {
        if (static_cast<std::size_t>(routes[i].endpoint) != i) {
            return false;
        }
    }
    return true;
}
static_assert(in_enum_order(), "routes must list every Endpoint in the enum's order");

const Route& route(Endpoint endpoint) {
    return routes[static_cast<std::size_t>(endpoint)];
}

}  // namespace

std::optional<RouteMatch> match_route(std::string_view path) {
    if (path.starts_with(project_prefix)) {
        const auto id = path.substr(project_prefix.size());
        if (id.find('/') != std::string_view::npos) {
            return std::nullopt;
        }
        return RouteMatch{Endpoint::project_settings, id};
    }
    for (const auto& r : routes) {
        if (r.path == path && r.endpoint != Endpoint::project_settings) {
            return RouteMatch{r.endpoint, {}};
        }
    }
    return std::nullopt;
}

bool allows_method(Endpoint endpoint, std::string_view method) {
    std::string_view methods = route(endpoint).methods;
    while (!methods.empty()) {
        const auto comma = methods.find(", ");
        if (methods.substr(0, comma) == method) {
            return true;
        }
        methods = comma == std::string_view::npos ? std::string_view() : methods.substr(comma + 2);
    }
    return false;
}

std::string_view allowed_methods(Endpoint endpoint) {
    return route(endpoint).methods;
}

bool needs_session(Endpoint endpoint) {
    return route(endpoint).session;
}

std::string_view route_template(Endpoint endpoint) {
    return route(endpoint).path_template;
}

std::size_t endpoint_count() {
    return routes.size();
}

}  // namespace service
