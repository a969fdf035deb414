#include <utility>
#include <vector>

#include <service/drain.hpp>

namespace service {

void Drain::begin() {
    std::vector<std::function<void()>> to_call;
    {
        const std::scoped_lock lock(mutex_);
        if (draining_.exchange(true, std::memory_order_acq_rel)) {
            return;
        }
        for (auto& [id, on_drain] : subscribers_) {
            to_call.push_back(std::move(on_drain));
        }
        subscribers_.clear();
    }
    // Outside the lock: a subscriber may unsubscribe (or subscribe) as it closes.
    for (auto& on_drain : to_call) {
        on_drain();
    }
}

Drain::Subscription Drain::subscribe(std::function<void()> on_drain) {
    {
        const std::scoped_lock lock(mutex_);
        if (!draining_.load(std::memory_order_acquire)) {
            const auto id = next_id_++;
            subscribers_.emplace(id, std::move(on_drain));
            return {this, id};
        }
    }
    on_drain();
    return {};
}

Drain::Subscription::Subscription(Subscription&& other) noexcept
    : drain_(std::exchange(other.drain_, nullptr)), id_(other.id_) {}

Drain::Subscription& Drain::Subscription::operator=(Subscription&& other) noexcept {
    if (this != &other) {
        reset();
        drain_ = std::exchange(other.drain_, nullptr);
        id_ = other.id_;
    }
    return *this;
}

Drain::Subscription::~Subscription() {
    reset();
}

void Drain::Subscription::reset() {
    if (drain_ != nullptr) {
        const std::scoped_lock lock(drain_->mutex_);
        drain_->subscribers_.erase(id_);
        drain_ = nullptr;
    }
}

}  // namespace service
