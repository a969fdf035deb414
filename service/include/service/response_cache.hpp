#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include <settings/clock.hpp>
#include <settings/database_changes.hpp>

namespace service {

/// The bodies of GET /api/v1/settings/user by session, so that the I/O thread can
/// answer a repeated read without a trip to the storage pool.
///
/// Every entry belongs to a generation, and a new generation empties the cache:
/// - each write of this service starts one (`invalidate`) after its commit and
///   before its answer, so no read that starts after a write's answer sees what
///   the write replaced;
/// - a commit by anyone else (`settingsctl`, another process) starts one when the
///   database version (settings::DatabaseChanges) is next read, at most
///   `probe_interval` later. Reading the version takes a few microseconds of
///   locking in SQLite, too much for every request.
/// An entry is also served only while its session is quiet
/// (session::SessionStore::quiet_until): not expired, no activity to record.
/// Entries are keyed by the SHA-256 of the cookie value.
///
/// Thread-safe.
class ResponseCache {
  public:
    using time_point = settings::Clock::time_point;
    using Generation = std::uint64_t;

    /// Holds at most `capacity` entries; a full cache starts over.
    ResponseCache(settings::DatabaseChanges& changes, const settings::Clock& clock,
                  std::chrono::steady_clock::duration probe_interval = std::chrono::milliseconds(1),
                  std::size_t capacity = 10'000);

    /// The generation a read that starts now belongs to; take it before the read,
    /// so that a write during the read makes the entry stale rather than wrong.
    [[nodiscard]] Generation generation();

    /// Starts a new generation: call after a committed write, before its answer.
    void invalidate();

    /// Keeps `body`, what a read of `generation` answered for the session of
    /// `cookie`, until `quiet_until` or the next generation.
    void remember(std::string_view cookie, time_point quiet_until, std::string body,
                  Generation generation);

    /// The remembered body for the session of `cookie`, if it may still be served.
    [[nodiscard]] std::optional<std::string> find(std::string_view cookie);

  private:
    struct Entry {
        time_point quiet_until;
        std::string body;
    };

    // Reads the database version when `probe_interval` has passed since the last
    // time; a different version starts a new generation.
    void probe_if_due();
    void start_generation();  // needs mutex_

    settings::DatabaseChanges& changes_;
    const settings::Clock& clock_;
    std::chrono::steady_clock::duration probe_interval_;
    std::size_t capacity_;
    std::mutex mutex_;
    Generation generation_ = 0;
    std::chrono::steady_clock::time_point next_probe_{};
    std::optional<std::int64_t> version_;
    std::unordered_map<std::string, Entry> entries_;
};

}  // namespace service
