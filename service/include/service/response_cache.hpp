#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include <settings/clock.hpp>

namespace service {

/// The bodies of GET /api/v1/settings/user by session, so that a repeated read is
/// answered without reading the session and the settings again.
///
/// Every entry belongs to a generation, and a new generation empties the cache:
/// - each write of this service starts one (`invalidate`) after its commit and
///   before its answer, so no read that starts after a write's answer sees what
///   the write replaced;
/// - a commit by anyone else (`settingsctl`, another process) starts one when the
///   database version (settings::Storage::change_version) is read next. Every
///   request is checked by a read of the version that started after the request
///   arrived, so nothing acknowledged before it arrived is ever missed; one read
///   serves every request that had arrived before it started, so under load
///   most requests share one.
/// Only for storage that tracks changes (Storage::tracks_changes). On SQLite the
/// version is a counter in shared memory, read on the I/O thread; on PostgreSQL
/// it is a round trip, made on a storage thread (Storage::change_version_asks_server),
/// still one for every request that arrived before it started.
/// An entry is also served only while its session is quiet
/// (session::SessionStore::quiet_until): not expired, no activity to record.
/// Entries are keyed by the SHA-256 of the cookie value.
///
/// Thread-safe.
class ResponseCache {
  public:
    using time_point = settings::Clock::time_point;
    using Arrival = std::chrono::steady_clock::time_point;
    using Generation = std::uint64_t;

    /// A number that changes whenever anything is committed; nothing when unknown
    /// (see settings::Storage::change_version).
    using VersionSource = std::function<std::optional<std::int64_t>()>;

    /// Holds at most `capacity` entries; a full cache starts over.
    ResponseCache(VersionSource version, const settings::Clock& clock,
                  std::size_t capacity = 10'000);

    /// The generation a read of a request that arrived at `arrived` belongs to;
    /// take it before the read, so that a write during the read makes the entry
    /// stale rather than wrong.
    [[nodiscard]] Generation generation(Arrival arrived = std::chrono::steady_clock::now());

    /// Starts a new generation: call after a committed write, before its answer.
    void invalidate();

    /// Keeps `body`, what a read of `generation` answered for the session of
    /// `cookie`, until `quiet_until` or the next generation.
    void remember(std::string_view cookie, time_point quiet_until, std::string body,
                  Generation generation);

    /// The remembered body for the session of `cookie`, if it may still be served
    /// to a request that arrived at `arrived`; null otherwise. Shared, not copied:
    /// the lock is held for a pointer's copy, and a 304 never copies the body.
    [[nodiscard]] std::shared_ptr<const std::string> find(
        std::string_view cookie, Arrival arrived = std::chrono::steady_clock::now());

    /// How many `find`s answered with a body (hits) and without (misses).
    struct Counts {
        std::uint64_t hits = 0;
        std::uint64_t misses = 0;
    };
    [[nodiscard]] Counts counts() const;

  private:
    struct Entry {
        time_point quiet_until;
        std::shared_ptr<const std::string> body;
    };

    // Reads the database version unless a read that started at or after
    // `arrived` already did; a different version starts a new generation.
    void probe_since(Arrival arrived);
    void start_generation();  // needs mutex_

    VersionSource version_source_;
    const settings::Clock& clock_;
    std::size_t capacity_;
    std::mutex mutex_;
    Generation generation_ = 0;
    Arrival last_probe_started_{};
    std::optional<std::int64_t> version_;
    std::unordered_map<std::string, Entry> entries_;
    std::atomic<std::uint64_t> hits_{0};
    std::atomic<std::uint64_t> misses_{0};
};

}  // namespace service
