#pragma once

// The seam between the stores and the storage engines. SettingsStore and
// session::SessionStore hold all domain logic (validation, merge, expiry) and
// talk to an engine only through these interfaces; each engine (sqlite/,
// postgresql/) implements them with its own SQL. Nothing here names an engine.

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <settings/admin_roles.hpp>
#include <settings/clock.hpp>
#include <settings/global_settings.hpp>
#include <settings/history.hpp>
#include <settings/preferences.hpp>
#include <settings/project_settings.hpp>
#include <settings/settings_snapshot.hpp>
#include <settings/settings_update.hpp>
#include <settings/storage.hpp>
#include <settings/user_preferences.hpp>

namespace settings::detail {

/// The stored layers an effective user view is merged from, read in one snapshot,
/// with their revisions (0: no row).
struct UserLayers {
    Preferences global;
    std::optional<Preferences> user;
    std::int64_t global_revision = 0;
    std::int64_t user_revision = 0;
};

/// The stored layers of an effective project view, read in one snapshot.
struct ProjectLayers {
    UserLayers layers;
    std::optional<ProjectSettings> project;
    std::int64_t project_revision = 0;
};

/// A stored row's values and its revision.
template <typename T>
struct Revised {
    T value;
    std::int64_t revision = 0;
};

/// The revision of one stored layer row (a copy between databases keeps them).
struct RowRevision {
    Scope scope = Scope::global;
    std::string user_id;     // empty for global
    std::string project_id;  // project rows only
    std::int64_t revision = 0;

    friend bool operator==(const RowRevision&, const RowRevision&) = default;
};

/// The first and last history ids handed out: an id before `first` was purged.
/// `first` is `last + 1` when no entry is kept.
struct HistoryBounds {
    std::int64_t first = 1;
    std::int64_t last = 0;
};

/// What one write job may do inside its group-committed transaction. Reads see
/// the transaction's own writes; the `*_for_update` reads also keep other
/// transactions (of any host) from changing the row until the commit, so a
/// read-modify-write never loses a concurrent update.
class SettingsTransaction {
  public:
    virtual ~SettingsTransaction() = default;

    [[nodiscard]] virtual GlobalSettings global() = 0;
    [[nodiscard]] virtual GlobalSettings global_for_update() = 0;
    /// Writes every value of `global` and moves its revision on by one.
    virtual void update_global(const GlobalSettings& global) = 0;

    /// Updates (update_user, update_project) move the row's revision on by one;
    /// inserts create it at revision 1. Both also append `history` (as
    /// append_history), in the same statement where the engine can.
    [[nodiscard]] virtual std::optional<Revised<Preferences>> user_for_update(
        std::string_view user_id) = 0;
    /// False, and nothing written (nor `history`), when the row exists already.
    virtual bool insert_user(std::string_view user_id, const Preferences& overrides,
                             const std::string& updated_at,
                             const std::vector<HistoryEntry>& history) = 0;
    virtual void update_user(std::string_view user_id, const Preferences& overrides,
                             const std::string& updated_at,
                             const std::vector<HistoryEntry>& history) = 0;

    [[nodiscard]] virtual std::optional<Revised<ProjectSettings>> project_for_update(
        std::string_view user_id, std::string_view project_id) = 0;
    /// False, and nothing written (nor `history`), when the row exists already.
    virtual bool insert_project(std::string_view user_id, std::string_view project_id,
                                const ProjectSettings& project, const std::string& updated_at,
                                const std::vector<HistoryEntry>& history) = 0;
    virtual void update_project(std::string_view user_id, std::string_view project_id,
                                const ProjectSettings& project, const std::string& updated_at,
                                const std::vector<HistoryEntry>& history) = 0;
    /// The user's project rows, counted after keeping every other transaction (of
    /// any host) from adding one for this user until the commit: a quota checked
    /// on this count holds however many writers race.
    [[nodiscard]] virtual std::size_t count_projects_locked(std::string_view user_id) = 0;

    /// Deletes every user and project row (a copy with --replace).
    virtual void delete_users_and_projects() = 0;

    /// Appends `entries` (their ids ignored) with the next ids, which no other
    /// transaction (of any host) hands out before this one commits; the last id.
    virtual std::int64_t append_history(const std::vector<HistoryEntry>& entries) = 0;
    /// Deletes at most `limit` of the oldest entries made before `before`; how many.
    virtual std::size_t purge_history(const std::string& before, std::size_t limit) = 0;

    /// A copy between databases: sets a row's revision, and replaces the whole
    /// history by `entries` (ids kept) with the counter at `last_id`.
    virtual void set_revision(const RowRevision& row) = 0;
    virtual void replace_history(const std::vector<HistoryEntry>& entries,
                                 std::int64_t last_id) = 0;
};

/// The settings tables of one engine. Thread-safe. Failures throw StorageError
/// (StorageUnavailableError when a retry may succeed).
class SettingsBackend {
  public:
    virtual ~SettingsBackend() = default;

    /// Creates the global row from the defaults overridden by `seed` unless it
    /// exists, with `history` in the same transaction; true when this call
    /// created it. Safe against concurrent starters.
    virtual bool seed_global(const PreferencesUpdate& seed, const std::string& updated_at,
                             const std::vector<HistoryEntry>& history) = 0;

    [[nodiscard]] virtual GlobalSettings global() = 0;
    [[nodiscard]] virtual UserLayers user_layers(std::string_view user_id) = 0;
    [[nodiscard]] virtual ProjectLayers project_layers(std::string_view user_id,
                                                       std::string_view project_id) = 0;
    [[nodiscard]] virtual std::optional<UserPreferences> user(std::string_view user_id) = 0;
    [[nodiscard]] virtual std::vector<ProjectSummary> projects(std::string_view user_id) = 0;
    [[nodiscard]] virtual SettingsSnapshot snapshot() = 0;

    /// A page of history, newest first (HistoryQuery), and one more entry when
    /// there is an older one.
    [[nodiscard]] virtual std::vector<HistoryEntry> history(const HistoryQuery& query) = 0;
    /// At most `limit` entries with ids after `after`, oldest first.
    [[nodiscard]] virtual std::vector<HistoryEntry> history_after(std::int64_t after,
                                                                  std::size_t limit) = 0;
    [[nodiscard]] virtual HistoryBounds history_bounds() = 0;
    /// Every row's revision, global first, then by user and project id.
    [[nodiscard]] virtual std::vector<RowRevision> revisions() = 0;

    /// Runs `job` inside a transaction shared with other writers (group commit)
    /// and returns once that transaction committed. What `job` throws goes to
    /// this caller alone and undoes only this job's writes.
    virtual void write(const std::function<void(SettingsTransaction&)>& job) = 0;
};

/// The `admin_users` table of one engine. Thread-safe; failures throw as
/// SettingsBackend's do. The writes that depend on how many admins there are
/// decide under a lock that keeps the other such writers (of any host) out.
class AdminBackend {
  public:
    virtual ~AdminBackend() = default;

    [[nodiscard]] virtual bool contains(std::string_view user_id) = 0;
    [[nodiscard]] virtual std::vector<Admin> all() = 0;
    /// False, and nothing written, when the user is an admin already.
    virtual bool insert(const Admin& admin) = 0;
    /// Inserts `admin` only when the table is empty; true when it did.
    virtual bool insert_if_none(const Admin& admin) = 0;
    virtual AdminRemoval remove(std::string_view user_id) = 0;
    /// Sets the login of a stored admin when it differs.
    virtual void set_login(std::string_view user_id, std::string_view login) = 0;
    /// Deletes every admin (a copy with --replace, which then inserts the source's).
    virtual void clear() = 0;
};

/// A `user_sessions` row as the engines store it; tokens as sealed by the store.
struct SessionRow {
    std::string github_user_id;
    std::string github_username;
    std::optional<std::string> github_avatar_url;
    std::string access_token;
    std::optional<std::string> refresh_token;
    std::optional<std::string> token_expires_at;
    std::optional<std::string> selected_project_id;
    std::string created_at;
    std::string updated_at;

    friend bool operator==(const SessionRow&, const SessionRow&) = default;
};

/// The stored (sealed or plain) OAuth tokens of one session.
struct StoredTokens {
    std::string access_token;
    std::optional<std::string> refresh_token;

    friend bool operator==(const StoredTokens&, const StoredTokens&) = default;
};

/// Replace the tokens of session `id` by `to`, if they are still `from`.
struct TokenRewrite {
    std::string id;
    StoredTokens from;
    StoredTokens to;
};

/// Sessions whose `updated_at` is before `inactive_before`, or whose `created_at`
/// is before `created_before`, are expired.
struct ExpiryCutoffs {
    std::string inactive_before;
    std::string created_before;
};

/// The `user_sessions` table of one engine. Session ids are the stored keys
/// (digests of cookies). Thread-safe; failures throw as SettingsBackend's do.
class SessionBackend {
  public:
    virtual ~SessionBackend() = default;

    virtual void insert(const std::string& id, const SessionRow& row) = 0;
    [[nodiscard]] virtual std::optional<SessionRow> find(const std::string& id) = 0;

    /// Side writes of a lookup, skipped when storage is busy right now: nothing
    /// when skipped, else whether a row was touched / deleted.
    virtual std::optional<bool> touch(const std::string& id, const std::string& updated_at) = 0;
    virtual std::optional<bool> remove_if_expired(const std::string& id,
                                                  const ExpiryCutoffs& cutoffs) = 0;

    /// Changes a session that is not expired by `cutoffs`, also moving
    /// `updated_at`; the row afterwards, or nothing when there was no such session.
    virtual std::optional<SessionRow> set_selected_project(
        const std::string& id, const std::optional<std::string>& project_id,
        const std::string& updated_at, const ExpiryCutoffs& cutoffs) = 0;
    virtual std::optional<SessionRow> set_tokens(const std::string& id,
                                                 const std::string& access_token,
                                                 const std::optional<std::string>& refresh_token,
                                                 const std::optional<std::string>& expires_at,
                                                 const std::string& updated_at,
                                                 const ExpiryCutoffs& cutoffs) = 0;

    virtual bool remove(const std::string& id) = 0;
    virtual std::size_t remove_user(std::string_view github_user_id) = 0;
    /// Deletes at most `limit` expired sessions in one short transaction.
    virtual std::size_t purge_batch(const ExpiryCutoffs& cutoffs, std::size_t limit) = 0;

    /// The tokens of at most `limit` sessions whose ids come after `after` (from
    /// the first when empty), in id order: a pass over every token in short reads.
    [[nodiscard]] virtual std::vector<std::pair<std::string, StoredTokens>> tokens_after(
        const std::string& after, std::size_t limit) = 0;
    /// In one short transaction, applies every rewrite whose session still holds
    /// its `from` tokens; a session changed or removed meanwhile is left as it is.
    /// How many were applied.
    virtual std::size_t rewrite_tokens(const std::vector<TokenRewrite>& rewrites) = 0;

    /// Every session row with its id, in id order (a copy between databases).
    [[nodiscard]] virtual std::vector<std::pair<std::string, SessionRow>> all() = 0;
    /// Deletes every session.
    virtual void clear() = 0;
};

/// One opened and migrated database. Thread-safe.
class Engine {
  public:
    virtual ~Engine() = default;

    [[nodiscard]] virtual std::unique_ptr<SettingsBackend> settings_backend() = 0;
    [[nodiscard]] virtual std::unique_ptr<SessionBackend> session_backend() = 0;
    [[nodiscard]] virtual std::unique_ptr<AdminBackend> admin_backend() = 0;

    /// See Storage::state, reachable, tracks_changes, change_version_asks_server
    /// and change_version.
    [[nodiscard]] virtual StorageState state() = 0;
    [[nodiscard]] bool reachable() { return state() == StorageState::ok; }
    [[nodiscard]] virtual bool tracks_changes() const = 0;
    [[nodiscard]] virtual bool change_version_asks_server() const = 0;
    [[nodiscard]] virtual std::optional<std::int64_t> change_version() = 0;
    /// See Storage::pool_usage.
    [[nodiscard]] virtual std::optional<PoolUsage> pool_usage() { return std::nullopt; }

    /// Rows of each table of the schema, in a fixed order.
    [[nodiscard]] virtual std::vector<std::pair<std::string, std::int64_t>> row_counts() = 0;
};

/// The tables `row_counts` reports, in its order.
inline constexpr std::array<const char*, 5> data_tables{
    "global_settings", "user_preferences", "project_settings", "user_sessions", "admin_users"};

}  // namespace settings::detail
