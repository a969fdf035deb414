#pragma once

// Handlers of /api/v1/github/*: what the host fetched from GitHub, as documents.

#include <vector>

#include <service/github_projects_cache.hpp>
#include <service/http_message.hpp>

namespace service::handlers {

/// `{"projects": [{"id", "title", "owner", "url"}, ...]}`.
Response github_projects(const std::vector<GitHubProject>& projects);

}  // namespace service::handlers
