#include <algorithm>

#include <service/oauth_states.hpp>
#include <session/random_token.hpp>

namespace service {

namespace {

// Compares without an early exit, so the time taken says nothing about where
// a guessed binding first differs.
bool same_secret(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) {
        return false;
    }
    unsigned char difference = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        difference |= static_cast<unsigned char>(a[i] ^ b[i]);
    }
    return difference == 0;
}

}  // namespace

OAuthStates::OAuthStates(const settings::Clock& clock, Limits limits)
    : clock_(clock), limits_(limits) {}

std::optional<OAuthStates::Issued> OAuthStates::issue(std::string_view client) {
    Issued issued{session::random_token(), session::random_token()};
    const std::string key(client);
    const auto now = clock_.now();
    const std::scoped_lock lock(mutex_);
    drop_expired(now);
    const bool full = issued_.size() >= limits_.capacity;
    if (const auto mine = by_client_.find(key);
        mine != by_client_.end() && (mine->second.size() >= limits_.per_client || full)) {
        // This client's own oldest login gives way, never another's.
        erase(issued_.find(mine->second.front()));
    } else if (full) {
        return std::nullopt;
    }
    const auto position = order_.insert(order_.end(), issued.state);
    issued_.emplace(issued.state, Entry{key, issued.binding, now, position});
    by_client_[key].push_back(issued.state);
    return issued;
}

bool OAuthStates::consume(std::string_view state, std::string_view binding) {
    const auto now = clock_.now();
    const std::scoped_lock lock(mutex_);
    const auto entry = issued_.find(std::string(state));
    if (entry == issued_.end() || !same_secret(entry->second.binding, binding)) {
        return false;
    }
    const bool fresh = now - entry->second.issued < limits_.lifetime;
    erase(entry);
    return fresh;
}

std::size_t OAuthStates::size() {
    const std::scoped_lock lock(mutex_);
    return issued_.size();
}

void OAuthStates::drop_expired(settings::Clock::time_point now) {
    while (!order_.empty()) {
        const auto oldest = issued_.find(order_.front());
        if (now - oldest->second.issued < limits_.lifetime) {
            return;
        }
        erase(oldest);
    }
}

void OAuthStates::erase(std::unordered_map<std::string, Entry>::iterator entry) {
    const auto client = by_client_.find(entry->second.client);
    auto& states = client->second;
    // At most `per_client` long: constant time.
    states.erase(std::find(states.begin(), states.end(), entry->first));
    if (states.empty()) {
        by_client_.erase(client);
    }
    order_.erase(entry->second.in_order);
    issued_.erase(entry);
}

}  // namespace service
