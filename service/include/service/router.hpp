#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace service {

/// Every path of openapi.yaml.
enum class Endpoint {
    health,
    ready,
    github_login,
    github_callback,
    dev_login,
    me,
    session_project,
    logout,
    user_settings,
    global_settings,
    projects,
    project_settings,
    github_projects,
    history,
    events,
};

struct RouteMatch {
    Endpoint endpoint;
    /// The `{project_id}` path segment, as sent (not decoded); empty otherwise.
    std::string_view project_id;
};

/// The endpoint of a request path (no query), or nothing (404).
std::optional<RouteMatch> match_route(std::string_view path);

/// Whether the endpoint answers this method (else 405).
bool allows_method(Endpoint endpoint, std::string_view method);

/// The `Allow` header of the endpoint: "GET, PUT".
std::string_view allowed_methods(Endpoint endpoint);

/// Whether the endpoint needs a valid session (else 401).
bool needs_session(Endpoint endpoint);

/// The endpoint's path as openapi.yaml writes it, `{project_id}` and all: the
/// route label of metrics and the access log, never a raw path.
std::string_view route_template(Endpoint endpoint);

/// How many endpoints there are; `static_cast<std::size_t>(endpoint)` is below it.
std::size_t endpoint_count();

}  // namespace service
