#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

namespace service {

/// At most `slots` holders at once, for calls to a peer that must not be flooded;
/// up to `max_waiting` more callers wait, each at most `patience`, for a slot to
/// come free, in arrival order. Thread-safe.
class WaitingSlots {
  public:
    WaitingSlots(std::size_t slots, std::size_t max_waiting, std::chrono::milliseconds patience);

    /// Held while the call runs; gives the slot on when it goes.
    class Slot {
      public:
        explicit Slot(WaitingSlots& owner) : owner_(&owner) {}
        Slot(Slot&& other) noexcept : owner_(std::exchange(other.owner_, nullptr)) {}
        Slot& operator=(Slot&&) = delete;
        Slot(const Slot&) = delete;
        Slot& operator=(const Slot&) = delete;
        // Only a broken std::mutex could throw here, and then nothing would help.
        // NOLINTNEXTLINE(bugprone-exception-escape)
        ~Slot() {
            if (owner_ != nullptr) {
                owner_->release();
            }
        }

      private:
        WaitingSlots* owner_;
    };

    /// A slot, or nothing when too many wait already or none came free in time;
    /// a wait runs on `executor`.
    boost::asio::awaitable<std::optional<Slot>> acquire(
        const boost::asio::any_io_executor& executor);

  private:
    struct Waiter {
        explicit Waiter(const boost::asio::any_io_executor& executor) : timer(executor) {}
        boost::asio::steady_timer timer;
        bool granted = false;  // guarded by mutex_
    };

    void release();

    std::size_t slots_;
    std::size_t max_waiting_;
    std::chrono::milliseconds patience_;
    std::mutex mutex_;
    std::size_t in_use_ = 0;
    std::deque<std::shared_ptr<Waiter>> waiting_;
};

}  // namespace service
