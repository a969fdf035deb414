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
    // The initiation is a named object holding a plain pointer (this frame keeps
    // the waiter alive): GCC 12 mishandles the lifetime of temporaries with
    // destructors inside a co_await expression, which freed the waiter early.
    auto* const turn = waiter.get();
    const auto wait_for_turn = [this, turn](auto handler) {
        const std::scoped_lock lock(mutex_);
        if (turn->granted) {
            asio::post(std::move(handler));
            return;
        }
        turn->timer.async_wait([handler = std::move(handler)](boost::system::error_code) mutable {
            std::move(handler)();
        });
    };
    co_await asio::async_initiate<decltype(asio::use_awaitable), void()>(wait_for_turn,
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
