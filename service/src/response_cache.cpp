#include <service/response_cache.hpp>
#include <settings/sha256.hpp>

namespace service {

ResponseCache::ResponseCache(VersionSource version, const settings::Clock& clock,
                             std::size_t capacity)
    : version_source_(std::move(version)), clock_(clock), capacity_(capacity) {}

void ResponseCache::probe_since(Arrival arrived) {
    {
        const std::scoped_lock lock(mutex_);
        if (last_probe_started_ >= arrived) {
            return;
        }
    }
    const auto started = std::chrono::steady_clock::now();
    // Outside the lock: the other threads go on serving meanwhile.
    const auto version = version_source_();
    const std::scoped_lock lock(mutex_);
    last_probe_started_ = std::max(last_probe_started_, started);
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

ResponseCache::Generation ResponseCache::generation(Arrival arrived) {
    probe_since(arrived);
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
    entries_.insert_or_assign(
        std::move(key), Entry{quiet_until, std::make_shared<const std::string>(std::move(body))});
}

std::shared_ptr<const std::string> ResponseCache::find(std::string_view cookie, Arrival arrived) {
    probe_since(arrived);
    const auto key = settings::sha256_hex(cookie);
    const auto now = clock_.now();
    const std::scoped_lock lock(mutex_);
    const auto entry = entries_.find(key);
    if (entry == entries_.end() || now > entry->second.quiet_until) {
        misses_.fetch_add(1, std::memory_order_relaxed);
        return nullptr;
    }
    hits_.fetch_add(1, std::memory_order_relaxed);
    return entry->second.body;
}

ResponseCache::Counts ResponseCache::counts() const {
    return {hits_.load(std::memory_order_relaxed), misses_.load(std::memory_order_relaxed)};
}

}  // namespace service
