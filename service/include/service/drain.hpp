#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>

namespace service {

/// Whether the process is draining (SIGTERM came: finish what runs, take nothing
/// new), and who must hear of it. The readiness check reads it; long-lived
/// answers (event streams) subscribe to be closed when draining begins.
/// Thread-safe.
class Drain {
  public:
    class Subscription;

    [[nodiscard]] bool draining() const { return draining_.load(std::memory_order_acquire); }

    /// Starts draining and calls every subscriber once, on this thread. Later
    /// calls do nothing.
    void begin();

    /// Calls `on_drain` once when draining begins, or at once when it has
    /// already begun. Keep the subscription while `on_drain` may run: its
    /// destructor unsubscribes.
    [[nodiscard]] Subscription subscribe(std::function<void()> on_drain);

    class Subscription {
      public:
        Subscription() = default;
        Subscription(Subscription&& other) noexcept;
        Subscription& operator=(Subscription&& other) noexcept;
        ~Subscription();
        Subscription(const Subscription&) = delete;
        Subscription& operator=(const Subscription&) = delete;

      private:
        friend class Drain;
        Subscription(Drain* drain, std::uint64_t id) : drain_(drain), id_(id) {}
        void reset();
        Drain* drain_ = nullptr;
        std::uint64_t id_ = 0;
    };

  private:
    std::atomic<bool> draining_{false};
    std::mutex mutex_;
    std::uint64_t next_id_ = 1;
    std::map<std::uint64_t, std::function<void()>> subscribers_;
};

}  // namespace service
