#pragma once

// What GitHub last listed as a user's projects, kept for a minute so that a page
// opening its picker again does not call GitHub each time (web.md).

#include <chrono>
#include <cstddef>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <settings/clock.hpp>

namespace service {

/// One GitHub Project (v2) the signed-in user can see.
struct GitHubProject {
    std::string id;  ///< the node id, `PVT_…`, which is also the settings' project id
    std::string title;
    std::string owner;  ///< the owning user's or organisation's login
    std::string url;

    friend bool operator==(const GitHubProject&, const GitHubProject&) = default;
};

/// Lists by GitHub user id, each for `time_to_live`; at most `capacity` users,
/// the least recently stored dropped first. Thread-safe.
class GitHubProjectsCache {
  public:
    GitHubProjectsCache(const settings::Clock& clock, std::chrono::seconds time_to_live,
                        std::size_t capacity);

    [[nodiscard]] std::optional<std::vector<GitHubProject>> find(std::string_view user_id);
    void store(const std::string& user_id, std::vector<GitHubProject> projects);

  private:
    struct Entry {
        std::vector<GitHubProject> projects;
        settings::Clock::time_point stored_at;
        std::list<std::string>::iterator age;
    };

    const settings::Clock& clock_;
    std::chrono::seconds time_to_live_;
    std::size_t capacity_;
    std::mutex mutex_;
    std::unordered_map<std::string, Entry> entries_;
    std::list<std::string> oldest_first_;
};

}  // namespace service
