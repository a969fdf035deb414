#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace settings::detail {

/// A mutex whose lock can give up at a deadline (TimedLockable, for
/// std::unique_lock). Built on std::mutex and a condition variable instead of
/// std::timed_mutex: GCC 12's ThreadSanitizer does not see timed_mutex's
/// steady-clock lock (pthread_mutex_clocklock) and reports its every unlock.
class DeadlineMutex {
  public:
    void lock() {
        std::unique_lock guard(mutex_);
        free_.wait(guard, [this] { return !locked_; });
        locked_ = true;
    }

    bool try_lock() {
        const std::scoped_lock guard(mutex_);
        if (locked_) {
            return false;
        }
        locked_ = true;
        return true;
    }

    template <typename Clock, typename Duration>
    bool try_lock_until(const std::chrono::time_point<Clock, Duration>& deadline) {
        std::unique_lock guard(mutex_);
        if (!free_.wait_until(guard, deadline, [this] { return !locked_; })) {
            return false;
        }
        locked_ = true;
        return true;
    }

    void unlock() {
        {
            const std::scoped_lock guard(mutex_);
            locked_ = false;
        }
        free_.notify_one();
    }

  private:
    std::mutex mutex_;
    std::condition_variable free_;
    bool locked_ = false;
};

}  // namespace settings::detail
