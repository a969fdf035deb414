#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>

#include <session/session.hpp>
#include <session/token_key.hpp>
#include <settings/clock.hpp>
#include <settings/storage.hpp>

namespace session {

/// What a pass of SessionStore::reseal_tokens did.
struct TokenPass {
    /// Sessions whose tokens it (re-)encrypted with the store's key.
    std::size_t sealed = 0;
    /// Sessions whose tokens open with no key it has: invalid, left as they are.
    std::size_t unreadable = 0;
};

struct SessionStoreOptions {
    /// A session expires when its last activity is older than this.
    std::chrono::milliseconds expire_after = std::chrono::hours(8);
    /// A session expires this long after login, however active it is.
    std::chrono::milliseconds max_age = std::chrono::hours(168);
    /// When set, access and refresh tokens are stored encrypted (AES-256-GCM).
    std::optional<TokenKey> token_key;
    /// Rows deleted per transaction by `purge_expired`.
    std::size_t purge_batch_size = 1000;
    const settings::Clock* clock = &settings::SystemClock::instance();
};

/// What one SessionStore did since it was made, for a program's metrics.
struct SessionCounts {
    std::uint64_t created = 0;  // by `create`
    std::uint64_t expired = 0;  // found expired by `find` (and deleted)
    std::uint64_t purged = 0;   // deleted by `purge_expired`
};

/// Durable sessions in the `user_sessions` table.
///
/// The cookie value is 256 bits from the OS CSPRNG, written as 43 characters of
/// base64url; the table keeps only the hex SHA-256 of it as `session_id`, so a copy
/// of the database yields no usable cookie.
///
/// Expiry: a session is expired when now − updated_at is more than `expire_after`,
/// or now − created_at is more than `max_age`. Activity moves `updated_at` forward
/// only when it is strictly older than min(5 minutes, expire_after / 10), so reads
/// do not turn into a write per request. Removal is final: every later write is a
/// plain UPDATE of an existing row, so a request in flight never brings a removed
/// session back.
///
/// The same on every storage engine; any number of processes (hosts, on
/// PostgreSQL) may share the sessions of one database.
///
/// Thread-safe. Storage failures throw settings::StorageError (StorageUnavailableError
/// when a retry may succeed).
class SessionStore {
  public:
    explicit SessionStore(std::shared_ptr<settings::Storage> storage,
                          SessionStoreOptions options = {});
    ~SessionStore();
    SessionStore(const SessionStore&) = delete;
    SessionStore& operator=(const SessionStore&) = delete;

    /// A new session for `user` (always a new cookie value: no fixation), with no
    /// selected project.
    CreatedSession create(const SessionUser& user, const OAuthTokens& tokens);

    /// The live session of a cookie value, with its activity recorded (see the
    /// throttle above). Nothing for an unknown or malformed cookie, for a session
    /// whose tokens cannot be decrypted, and for an expired session, which is
    /// deleted by this call.
    std::optional<Session> find(std::string_view cookie);

    /// Sets or clears (`nullopt`) the selected project of a live session and returns
    /// it; nothing when the session is not live. Throws std::invalid_argument for a
    /// project id that `settings::validate_project_id` refuses.
    std::optional<Session> select_project(std::string_view cookie,
                                          std::optional<std::string_view> project_id);

    /// Replaces the OAuth tokens of a live session (a refreshed token). False when
    /// the session is not live.
    bool update_tokens(std::string_view cookie, const OAuthTokens& tokens);

    /// Deletes the session (logout). False when there was none.
    bool remove(std::string_view cookie);

    /// Deletes every session of a user; returns how many there were.
    std::size_t remove_all_for_user(std::string_view github_user_id);

    /// Deletes every expired session in batches of `purge_batch_size`, each its own
    /// short transaction, and returns how many were deleted. `after_batch`, when
    /// given, is called after each committed batch with the running total.
    std::size_t purge_expired(const std::function<void(std::size_t)>& after_batch = {});

    /// One pass over every stored token, in short batches (each its own short
    /// transaction, so it is safe while other processes use the sessions): with
    /// the store's key set, plain tokens (stored before it was) and tokens that open
    /// with `previous_key` (a key rotation) are encrypted with it. A session whose
    /// tokens change meanwhile is left as its writer stored it. Without a key, only
    /// counts what it cannot open.
    TokenPass reseal_tokens(const std::optional<TokenKey>& previous_key = std::nullopt);

    /// Running totals of this store; cheap, never touches storage.
    [[nodiscard]] SessionCounts counts() const;

    /// How old `updated_at` must be before activity moves it forward.
    [[nodiscard]] std::chrono::milliseconds touch_interval() const;

    /// Until when `find` would return `s`, a session it returned, unchanged and
    /// without writing: before its activity is due to be recorded and before it
    /// expires. Until then, and while the database has not changed (see
    /// settings::Storage::change_version), a copy of `s` may stand in for `find`.
    [[nodiscard]] std::chrono::system_clock::time_point quiet_until(const Session& s) const;

  private:
    class Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace session
