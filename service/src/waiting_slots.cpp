#include "waiting_slots.hpp"

#include <algorithm>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace service {

namespace asio = boost::asio;

WaitingSlots::WaitingSlots(std::size_t slots, std::size_t max_waiting,
                           std::chrono::milliseconds patience)
    : slots_(slots), max_waiting_(max_waiting), patience_(patience) {}

asio::awaitable<std::optional<WaitingSlots::Slot>> WaitingSlots::acquire() {
    auto waiter = std::make_shared<Waiter>(co_await asio::this_coro::executor);
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
    co_await waiter->timer.async_wait(asio::as_tuple(asio::use_awaitable));
    const std::scoped_lock lock(mutex_);
    if (waiter->granted) {
        co_return Slot(*this);
    }
    std::erase(waiting_, waiter);
    co_return std::nullopt;
}

void WaitingSlots::release() {
    std::shared_ptr<Waiter> next;
    {
        const std::scoped_lock lock(mutex_);
        if (waiting_.empty()) {
            --in_use_;
            return;
        }
        // The slot passes straight to the longest waiter: in_use_ stays.
        next = std::move(waiting_.front());
        waiting_.pop_front();
        next->granted = true;
    }
    // On the timer's own executor: a timer is not safe to touch from two threads.
    asio::post(next->timer.get_executor(), [next] { next->timer.cancel(); });
}

}  // namespace service
