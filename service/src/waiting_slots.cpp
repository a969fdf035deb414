#include "waiting_slots.hpp"

#include <algorithm>

#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace service {

namespace asio = boost::asio;

WaitingSlots::WaitingSlots(std::size_t slots, std::size_t max_waiting,
                           std::chrono::milliseconds patience)
    : slots_(slots), max_waiting_(max_waiting), patience_(patience) {}

asio::awaitable<std::optional<WaitingSlots::Slot>> WaitingSlots::acquire(
    const asio::any_io_executor& executor) {
    auto waiter = std::make_shared<Waiter>(executor);
    {
        const std::scoped_lock lock(mutex_);
        if (in_use_ < slots_) {
            ++in_use_;
            co_return Slot(*this);
        }
        if (waiting_.size() >= max_waiting_) {
            co_return std::nullopt;
        }
        waiter->timer.expires_after(patience_);
        waiting_.push_back(waiter);
    }
    // Ends when the patience runs out or when `release` hands this waiter a slot.
    // The timer is touched only under the mutex, so `release` may cancel it from
    // any thread, and a slot handed over before the wait began is not missed.
    co_await asio::async_initiate<decltype(asio::use_awaitable), void()>(
        [this, waiter](auto handler) {
            const std::scoped_lock lock(mutex_);
            if (waiter->granted) {
                asio::post(std::move(handler));
                return;
            }
            waiter->timer.async_wait(
                [handler = std::move(handler)](boost::system::error_code) mutable {
                    std::move(handler)();
                });
        },
        asio::use_awaitable);
    const std::scoped_lock lock(mutex_);
    if (waiter->granted) {
        co_return Slot(*this);
    }
    std::erase(waiting_, waiter);
    co_return std::nullopt;
}

void WaitingSlots::release() {
    const std::scoped_lock lock(mutex_);
    if (waiting_.empty()) {
        --in_use_;
        return;
    }
    // The slot passes straight to the longest waiter: in_use_ stays.
    const auto next = std::move(waiting_.front());
    waiting_.pop_front();
    next->granted = true;
    next->timer.cancel();
}

}  // namespace service
