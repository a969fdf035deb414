#pragma once

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
/// An entry is served only while (1) the database version it was stamped with is
/// still current, so any commit — a PUT of this service, a logout, a purge,
/// `settingsctl` in another process — drops every entry at once, and (2) its
/// session is quiet (session::SessionStore::quiet_until): not expired and with no
/// activity to record. Entries are keyed by the SHA-256 of the cookie value.
///
/// Thread-safe.
class ResponseCache {
  public:
    using time_point = settings::Clock::time_point;

    /// Holds at most `capacity` entries; a full cache starts over.
    ResponseCache(settings::DatabaseChanges& changes, const settings::Clock& clock,
                  std::size_t capacity = 10'000);

    /// The version to stamp a read with; take it before the read starts, so that a
    /// commit during the read makes the entry stale rather than wrong. Nothing when
    /// the version cannot be read: then nothing is remembered.
    [[nodiscard]] std::optional<std::int64_t> version();

    /// Keeps `body`, what a read stamped `version` answered for the session of
    /// `cookie`, until `quiet_until`.
    void remember(std::string_view cookie, time_point quiet_until, std::string body,
                  std::optional<std::int64_t> version);

    /// The remembered body for the session of `cookie`, if it may still be served.
    [[nodiscard]] std::optional<std::string> find(std::string_view cookie);

  private:
    struct Entry {
        time_point quiet_until;
        std::string body;
    };

    settings::DatabaseChanges& changes_;
    const settings::Clock& clock_;
    std::size_t capacity_;
    std::mutex mutex_;
    std::optional<std::int64_t> version_;
    std::unordered_map<std::string, Entry> entries_;
};

}  // namespace service
