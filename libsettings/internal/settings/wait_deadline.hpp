#pragma once

#include <chrono>
#include <optional>

namespace settings {

/// Bounds how long the storage calls made on this thread wait for a lock held
/// elsewhere (another process's transaction, writes queued ahead): they give up
/// with StorageUnavailableError at `deadline` instead of a busy timeout counted
/// from when each call started. A server sets it from a request's arrival, so
/// that a request queued behind others is still answered in time. Scopes nest;
/// the innermost one counts. Without one, a call waits its busy timeout.
class WaitDeadline {
  public:
    using time_point = std::chrono::steady_clock::time_point;

    explicit WaitDeadline(time_point deadline);
    ~WaitDeadline();
    WaitDeadline(const WaitDeadline&) = delete;
    WaitDeadline& operator=(const WaitDeadline&) = delete;

    /// The deadline of the innermost scope of this thread, if any.
    [[nodiscard]] static std::optional<time_point> current();

  private:
    std::optional<time_point> previous_;
};

}  // namespace settings
