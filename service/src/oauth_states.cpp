#include <service/oauth_states.hpp>
#include <session/random_token.hpp>

namespace service {

OAuthStates::OAuthStates(const settings::Clock& clock, std::chrono::seconds lifetime,
                         std::size_t capacity)
    : clock_(clock), lifetime_(lifetime), capacity_(capacity) {}

std::string OAuthStates::issue() {
    std::string state = session::random_token();
    const std::scoped_lock lock(mutex_);
    if (issued_.size() >= capacity_) {
        drop_expired();
    }
    if (issued_.size() >= capacity_) {
        // Still full of live states: the oldest login attempt gives way.
        auto oldest = issued_.begin();
        for (auto it = issued_.begin(); it != issued_.end(); ++it) {
            if (it->second < oldest->second) {
                oldest = it;
            }
        }
        issued_.erase(oldest);
    }
    issued_.emplace(state, clock_.now());
    return state;
}

bool OAuthStates::consume(std::string_view state) {
    const std::scoped_lock lock(mutex_);
    const auto it = issued_.find(std::string(state));
    if (it == issued_.end()) {
        return false;
    }
    const bool fresh = clock_.now() - it->second < lifetime_;
    issued_.erase(it);
    return fresh;
}

void OAuthStates::drop_expired() {
    const auto now = clock_.now();
    std::erase_if(issued_, [&](const auto& entry) { return now - entry.second >= lifetime_; });
}

}  // namespace service
