#include <algorithm>
#include <cmath>

#include <service/write_rate_limiter.hpp>

namespace service {

namespace {

// How often full buckets are swept out: a bucket that is full again is the same
// as no bucket.
constexpr auto sweep_interval = std::chrono::seconds(60);

}  // namespace

WriteRateLimiter::WriteRateLimiter(double rate, std::size_t burst)
    : rate_(rate), burst_(static_cast<double>(burst)) {}

double WriteRateLimiter::refilled(const Bucket& bucket, Clock::time_point now) const {
    const std::chrono::duration<double> elapsed = now - bucket.updated;
    return std::min(burst_, bucket.tokens + std::max(0.0, elapsed.count()) * rate_);
}

std::optional<std::chrono::seconds> WriteRateLimiter::admit(std::string_view user_id,
                                                            Clock::time_point now) {
    if (!enabled()) {
        return std::nullopt;
    }
    const std::scoped_lock lock(mutex_);
    if (now - last_sweep_ >= sweep_interval) {
        drop_full_buckets(now);
        last_sweep_ = now;
    }
    auto [it, created] = buckets_.try_emplace(std::string(user_id), Bucket{burst_, now});
    auto& bucket = it->second;
    bucket.tokens = refilled(bucket, now);
    bucket.updated = std::max(bucket.updated, now);
    if (bucket.tokens >= 1.0) {
        bucket.tokens -= 1.0;
        return std::nullopt;
    }
    const auto wait = std::ceil((1.0 - bucket.tokens) / rate_);
    return std::chrono::seconds(std::max<std::int64_t>(1, static_cast<std::int64_t>(wait)));
}

void WriteRateLimiter::drop_full_buckets(Clock::time_point now) {
    std::erase_if(buckets_,
                  [&](const auto& entry) { return refilled(entry.second, now) >= burst_; });
}

}  // namespace service
