#pragma once

#include <atomic>
#include <chrono>

namespace settings {

/// Where the libraries read the time from, injectable so expiry and timestamps
/// can be tested without sleeping. Implementations must be thread-safe.
class Clock {
  public:
    using time_point = std::chrono::system_clock::time_point;

    virtual ~Clock() = default;
    [[nodiscard]] virtual time_point now() const = 0;
};

/// The wall clock.
class SystemClock final : public Clock {
  public:
    [[nodiscard]] time_point now() const override { return std::chrono::system_clock::now(); }

    /// A process-wide instance.
    static const SystemClock& instance() {
        static const SystemClock clock;
        return clock;
    }
};

/// A clock that moves only when told to. Thread-safe.
class ManualClock final : public Clock {
  public:
    explicit ManualClock(time_point start) : now_(start.time_since_epoch().count()) {}

    [[nodiscard]] time_point now() const override {
        return time_point(time_point::duration(now_.load()));
    }
    void set(time_point t) { now_.store(t.time_since_epoch().count()); }
    void advance(std::chrono::system_clock::duration d) { now_.fetch_add(d.count()); }

  private:
    std::atomic<time_point::rep> now_;
};

}  // namespace settings
