#include <service/github_projects_cache.hpp>

namespace service {

GitHubProjectsCache::GitHubProjectsCache(const settings::Clock& clock,
                                         std::chrono::seconds time_to_live, std::size_t capacity)
    : clock_(clock), time_to_live_(time_to_live), capacity_(capacity) {}

std::optional<std::vector<GitHubProject>> GitHubProjectsCache::find(std::string_view user_id) {
    const std::lock_guard lock(mutex_);
    const auto it = entries_.find(std::string(user_id));
    if (it == entries_.end()) {
        return std::nullopt;
    }
    if (clock_.now() - it->second.stored_at >= time_to_live_) {
        oldest_first_.erase(it->second.age);
        entries_.erase(it);
        return std::nullopt;
    }
    return it->second.projects;
}

void GitHubProjectsCache::store(const std::string& user_id, std::vector<GitHubProject> projects) {
    const std::lock_guard lock(mutex_);
    if (const auto it = entries_.find(user_id); it != entries_.end()) {
        oldest_first_.erase(it->second.age);
        entries_.erase(it);
    }
    if (capacity_ == 0) {
        return;
    }
    while (entries_.size() >= capacity_) {
        entries_.erase(oldest_first_.front());
        oldest_first_.pop_front();
    }
    oldest_first_.push_back(user_id);
    entries_.emplace(user_id,
                     Entry{std::move(projects), clock_.now(), std::prev(oldest_first_.end())});
}

}  // namespace service
