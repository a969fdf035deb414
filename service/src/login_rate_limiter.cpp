#include <algorithm>

#include <service/login_rate_limiter.hpp>

namespace service {

LoginRateLimiter::LoginRateLimiter(const settings::Clock& clock, Limits limits)
    : clock_(clock), limits_(limits) {}

std::chrono::seconds LoginRateLimiter::admit(std::string_view client) {
    const auto now = clock_.now();
    const std::string key(client);
    const std::scoped_lock lock(mutex_);
    forget_idle(now);
    auto found = clients_.find(key);
    if (found == clients_.end()) {
        if (clients_.size() >= limits_.capacity) {
            clients_.erase(order_.front());
            order_.pop_front();
        }
        found = clients_.emplace(key, Window{{}, order_.insert(order_.end(), key)}).first;
    }
    auto& window = found->second;
    while (!window.attempts.empty() && now - window.attempts.front() >= limits_.period) {
        window.attempts.pop_front();
    }
    if (window.attempts.size() >= limits_.attempts) {
        const auto wait = window.attempts.front() + limits_.period - now;
        return std::max(std::chrono::seconds(1), std::chrono::ceil<std::chrono::seconds>(wait));
    }
    window.attempts.push_back(now);
    order_.splice(order_.end(), order_, window.in_order);
    return std::chrono::seconds(0);
}

void LoginRateLimiter::forget_idle(settings::Clock::time_point now) {
    while (!order_.empty()) {
        const auto oldest = clients_.find(order_.front());
        const auto& attempts = oldest->second.attempts;
        if (!attempts.empty() && now - attempts.back() < limits_.period) {
            return;
        }
        clients_.erase(oldest);
        order_.pop_front();
    }
}

}  // namespace service
