#include <service/response_cache.hpp>
#include <settings/sha256.hpp>

namespace service {

ResponseCache::ResponseCache(settings::DatabaseChanges& changes, const settings::Clock& clock,
                             std::chrono::steady_clock::duration probe_interval,
                             std::size_t capacity)
    : changes_(changes), clock_(clock), probe_interval_(probe_interval), capacity_(capacity) {}

void ResponseCache::probe_if_due() {
    const auto now = std::chrono::steady_clock::now();
    {
        const std::scoped_lock lock(mutex_);
        if (now < next_probe_) {
            return;
        }
        next_probe_ = now + probe_interval_;
    }
    // Outside the lock: the other threads go on serving meanwhile.
    const auto version = changes_.version();
    const std::scoped_lock lock(mutex_);
    // An unreadable version counts as a change.
    if (!version || version != version_) {
        version_ = version;
        start_generation();
    }
}

void ResponseCache::start_generation() {
    ++generation_;
    entries_.clear();
}

ResponseCache::Generation ResponseCache::generation() {
    probe_if_due();
    const std::scoped_lock lock(mutex_);
    return generation_;
}

void ResponseCache::invalidate() {
    const std::scoped_lock lock(mutex_);
    start_generation();
}

void ResponseCache::remember(std::string_view cookie, time_point quiet_until, std::string body,
                             Generation generation) {
    auto key = settings::sha256_hex(cookie);
    const std::scoped_lock lock(mutex_);
    if (generation != generation_) {
        return;  // read before a change: may be stale
    }
    if (entries_.size() >= capacity_) {
        entries_.clear();
    }
    entries_.insert_or_assign(std::move(key), Entry{quiet_until, std::move(body)});
}

std::optional<std::string> ResponseCache::find(std::string_view cookie) {
    probe_if_due();
    const auto key = settings::sha256_hex(cookie);
    const auto now = clock_.now();
    const std::scoped_lock lock(mutex_);
    const auto entry = entries_.find(key);
    if (entry == entries_.end() || now > entry->second.quiet_until) {
        return std::nullopt;
    }
    return entry->second.body;
}

}  // namespace service
