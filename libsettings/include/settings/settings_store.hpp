#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include <settings/clock.hpp>
#include <settings/effective_settings.hpp>
#include <settings/field_error.hpp>
#include <settings/global_settings.hpp>
#include <settings/history.hpp>
#include <settings/project_settings.hpp>
#include <settings/settings_snapshot.hpp>
#include <settings/settings_update.hpp>
#include <settings/storage.hpp>
#include <settings/user_preferences.hpp>

namespace settings {

struct SettingsStoreOptions {
    /// Values for the global row when the store creates it (first start), over the
    /// defaults of data-model.md. Must pass `validate(seed, Layer::global)`.
    PreferencesUpdate seed{};
    const Clock* clock = &SystemClock::instance();
    /// Project rows one user may have; an update that would create one more is
    /// refused on `project_id`. 0: no limit. Holds across every process sharing
    /// the database, however many updates race.
    std::size_t max_projects_per_user = 1000;
    /// Appends a history entry per changed field to every write (revisions.md).
    /// Off only to measure what history costs.
    bool record_history = true;
};

/// Who writes, and what they expect to overwrite.
struct UpdateOptions {
    /// Recorded in the history entries of the write.
    Actor actor = Actor::named_tool("library");
    /// When set, the update proceeds only while the stored layers of the view are
    /// at these revisions (`*` in HTTP: leave it unset); otherwise it writes nothing
    /// and the outcome is a conflict holding the current view.
    std::optional<Revisions> expected;
};

/// The changes after a known history id, for a change feed.
struct ChangesAfter {
    /// Oldest first; at most the limit asked for.
    std::vector<HistoryEntry> entries;
    /// Entries after the id asked for were purged already: the caller must start
    /// over from the current state (an event stream's `reset`).
    bool reset = false;
    /// The last id handed out so far.
    std::int64_t last_id = 0;
};

/// The three settings layers of one database and their merge:
/// effective(user) = global ⊕ user, effective(user, project) = effective(user) ⊕ project.
///
/// Thread-safe: every method may be called from any thread. Updates are partial
/// (absent fields stay as they are), validated completely before anything is
/// written, and acknowledged only after their transaction committed. Concurrent
/// updates are last-write-wins per field: an update never rewrites a field it
/// does not change with an older value.
///
/// The same on every storage engine; several processes (hosts, on PostgreSQL) may
/// share one database, and concurrent updates of different fields of one row
/// from any of them all survive.
///
/// Expected outcomes (validation errors) are returned as `Outcome` errors; storage
/// failures throw StorageError, or StorageUnavailableError when a retry may succeed.
class SettingsStore {
  public:
    /// Works on `storage`. When the global row does not exist yet it is created from
    /// the defaults of data-model.md overridden by `options.seed` (exactly once, also
    /// when several processes start together); an existing row is never changed.
    /// Throws std::invalid_argument for a seed that does not pass
    /// `validate(seed, Layer::global)`.
    explicit SettingsStore(std::shared_ptr<Storage> storage,
                           const SettingsStoreOptions& options = {});
    ~SettingsStore();
    SettingsStore(const SettingsStore&) = delete;
    SettingsStore& operator=(const SettingsStore&) = delete;

    /// True when this store created the global row (first start).
    [[nodiscard]] bool seeded_global_settings() const;

    [[nodiscard]] GlobalSettings global_settings();

    /// global ⊕ the user's overrides. A user without stored overrides gets the
    /// global values. Never writes.
    [[nodiscard]] EffectiveUserSettings effective_user_settings(std::string_view user_id);

    /// global ⊕ user ⊕ project. Fails only for an invalid project id (`project_id`).
    [[nodiscard]] Outcome<EffectiveProjectSettings> effective_project_settings(
        std::string_view user_id, std::string_view project_id);

    /// The user's stored overrides, or nothing when the user never saved any.
    [[nodiscard]] std::optional<UserPreferences> user_preferences(std::string_view user_id);

    /// The projects with stored settings of the user, most recently updated first.
    [[nodiscard]] std::vector<ProjectSummary> projects(std::string_view user_id);

    /// Applies a partial update to the user's overrides and returns the new effective
    /// settings. An update that changes no stored value writes nothing (and creates no
    /// row). When `allowed_models` is non-empty, `ai.model` must be one of them.
    Outcome<EffectiveUserSettings> update_user_settings(std::string_view user_id,
                                                        const PreferencesUpdate& update,
                                                        const UpdateOptions& options = {});

    /// Applies a partial update to the global row and returns it. The resulting
    /// `ai.model` must be in a non-empty `allowed_models`.
    Outcome<GlobalSettings> update_global_settings(const GlobalSettingsUpdate& update,
                                                   const UpdateOptions& options = {});

    /// Applies a partial update to one project layer (each field replaced whole) and
    /// returns the new effective project settings. Creating the row fails on
    /// `project_id` when the user has `max_projects_per_user` rows already.
    Outcome<EffectiveProjectSettings> update_project_settings(std::string_view user_id,
                                                              std::string_view project_id,
                                                              const ProjectSettingsUpdate& update,
                                                              const UpdateOptions& options = {});

    /// Every layer: the global row, every user's overrides and every project row.
    [[nodiscard]] SettingsSnapshot export_snapshot();

    /// Writes a snapshot in one transaction: the global row becomes the snapshot's,
    /// each listed user's overrides and each listed project row are replaced as a
    /// whole; rows the snapshot does not list are left alone (and the project quota
    /// does not apply: an import restores what was exported). Everything is
    /// validated first (paths like `users[2].ai.temperature`); on any error
    /// nothing is written.
    /// Its changes are recorded as made by `actor`.
    Outcome<ImportSummary> import_snapshot(const SettingsSnapshot& snapshot,
                                           const Actor& actor = Actor::named_tool("library"));

    /// A page of the change history, newest first. Fails on `limit` (1–200) and
    /// `project_id` (invalid, or given without the project scope).
    [[nodiscard]] Outcome<HistoryPage> history(const HistoryQuery& query);

    /// At most `limit` changes with ids after `after`, oldest first, of every user
    /// (a host filters them per subscriber).
    [[nodiscard]] ChangesAfter changes_after(std::int64_t after, std::size_t limit);
    /// The last history id handed out (0 before the first change).
    [[nodiscard]] std::int64_t last_history_id();

    /// Deletes the history entries made before `cutoff`, in short transactions of
    /// at most `batch` entries each; how many.
    std::size_t purge_history(std::chrono::system_clock::time_point cutoff,
                              std::size_t batch = 500);

  private:
    class Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace settings
