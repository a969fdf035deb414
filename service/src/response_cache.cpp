#include <service/response_cache.hpp>
#include <settings/sha256.hpp>

namespace service {

ResponseCache::ResponseCache(settings::DatabaseChanges& changes, const settings::Clock& clock,
                             std::size_t capacity)
    : changes_(changes), clock_(clock), capacity_(capacity) {}

std::optional<std::int64_t> ResponseCache::version() {
    return changes_.version();
}

void ResponseCache::remember(std::string_view cookie, time_point quiet_until, std::string body,
                             std::optional<std::int64_t> version) {
    auto key = settings::sha256_hex(cookie);
    const std::scoped_lock lock(mutex_);
    // An entry stamped with anything but the current version may already be stale.
    if (!version || version != version_) {
        return;
    }
    if (entries_.size() >= capacity_) {
        entries_.clear();
    }
    entries_.insert_or_assign(std::move(key), Entry{quiet_until, std::move(body)});
}

std::optional<std::string> ResponseCache::find(std::string_view cookie) {
    const auto version = changes_.version();
    if (!version) {
        return std::nullopt;
    }
    const auto key = settings::sha256_hex(cookie);
    const auto now = clock_.now();
    const std::scoped_lock lock(mutex_);
    if (version != version_) {
        entries_.clear();
        version_ = version;
        return std::nullopt;
    }
    const auto entry = entries_.find(key);
    if (entry == entries_.end() || now > entry->second.quiet_until) {
        return std::nullopt;
    }
    return entry->second.body;
}

}  // namespace service
