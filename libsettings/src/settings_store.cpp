#include <algorithm>
#include <functional>
#include <iterator>
#include <stdexcept>

#include <settings/log.hpp>
#include <settings/settings_store.hpp>
#include <settings/timestamp.hpp>
#include <settings/validation.hpp>

#include "change_history.hpp"
#include "storage/storage_engine.hpp"

namespace settings {

namespace {

using detail::SettingsTransaction;

bool allows_model(const std::vector<std::string>& allowed, const std::string& model) {
    return allowed.empty() || std::find(allowed.begin(), allowed.end(), model) != allowed.end();
}

FieldError model_not_allowed(const std::vector<std::string>& allowed) {
    return {.field = std::string(descriptor(Field::ai_model).path),
            .code = ErrorCode::not_allowed,
            .message = "must be one of the allowed models of the global settings",
            .allowed = allowed};
}

// A user row as the store reasons about it: values and revision, none if absent.
struct UserRow {
    std::optional<Preferences> stored;
    std::int64_t revision = 0;
};

// The user's overrides after `change`, written when they differ from the stored
// ones, with their history (`history_of` before, after and the new revision). A row another writer
// created meanwhile (insert refused) is read again and the change applied on top of it: concurrent
// updates of different fields both survive. `check` sees the row's revision first and may refuse (a
// conflict: false, nothing written). `row` is the row afterwards, or as found.
template <typename Check, typename Change>
bool change_user(SettingsTransaction& tx, std::string_view user_id, const std::string& now,
                 Check check, Change change,
                 const std::function<std::vector<HistoryEntry>(
                     const Preferences&, const Preferences&, std::int64_t)>& history_of,
                 UserRow& row) {
    for (;;) {
        auto current = tx.user_for_update(user_id);
        row = {current ? std::optional(current->value) : std::nullopt,
               current ? current->revision : 0};
        if (!check(row.revision)) {
            return false;
        }
        const Preferences before = row.stored.value_or(Preferences{});
        Preferences after = change(before);
        if (after == before) {
            return true;
        }
        const auto history = history_of(before, after, row.revision + 1);
        if (current) {
            tx.update_user(user_id, after, now, history);
        } else if (!tx.insert_user(user_id, after, now, history)) {
            continue;
        }
        row = {std::move(after), row.revision + 1};
        return true;
    }
}

FieldError project_quota_reached(std::size_t limit) {
    std::string message = "would be one project too many: a user may have at most ";
    message.append(std::to_string(limit)).append(" projects");
    return {.field = "project_id",
            .code = ErrorCode::quota,
            .message = std::move(message),
            .max = static_cast<double>(limit)};
}

// A project row as the store reasons about it.
struct ProjectRow {
    std::optional<ProjectSettings> stored;
    std::int64_t revision = 0;
};

enum class ProjectChange { done, conflict, over_quota };

// As change_user, for one project row. A new row is created only while the
// user has fewer than `max_projects` rows (0: no limit); otherwise nothing is
// written. `row` is the project row afterwards (or as found, on a conflict).
template <typename Check, typename Change>
ProjectChange change_project(
    SettingsTransaction& tx, std::string_view user_id, std::string_view project_id,
    const std::string& now, std::size_t max_projects, Check check, Change change, ProjectRow& row,
    const std::function<std::vector<HistoryEntry>(const ProjectSettings&, const ProjectSettings&,
                                                  std::int64_t)>& history_of) {
    for (;;) {
        auto current = tx.project_for_update(user_id, project_id);
        row = {current ? std::optional(current->value) : std::nullopt,
               current ? current->revision : 0};
        if (!check(row.revision)) {
            return ProjectChange::conflict;
        }
        const ProjectSettings before = row.stored.value_or(ProjectSettings{});
        ProjectSettings after = change(before);
        if (after == before) {
            return ProjectChange::done;
        }
        const auto history = history_of(before, after, row.revision + 1);
        if (current) {
            tx.update_project(user_id, project_id, after, now, history);
        } else if (max_projects > 0 && tx.count_projects_locked(user_id) >= max_projects) {
            return ProjectChange::over_quota;
        } else if (!tx.insert_project(user_id, project_id, after, now, history)) {
            continue;
        }
        row = {std::move(after), row.revision + 1};
        return ProjectChange::done;
    }
}

// Import: the row becomes exactly `overrides`, created when missing (also when
// it holds no value: the snapshot listed the user). Its history entries.
std::vector<HistoryEntry> replace_user(SettingsTransaction& tx, std::string_view user_id,
                                       const Preferences& overrides,
                                       detail::ChangeContext context) {
    for (;;) {
        if (const auto current = tx.user_for_update(user_id)) {
            if (current->value == overrides) {
                return {};
            }
            tx.update_user(user_id, overrides, context.at, {});
            context.revision = current->revision + 1;
            return detail::preference_changes(context, current->value, overrides);
        }
        if (tx.insert_user(user_id, overrides, context.at, {})) {
            context.revision = 1;
            return detail::preference_changes(context, Preferences{}, overrides);
        }
    }
}

std::vector<HistoryEntry> replace_project(SettingsTransaction& tx, std::string_view user_id,
                                          std::string_view project_id,
                                          const ProjectSettings& project,
                                          detail::ChangeContext context) {
    for (;;) {
        if (const auto current = tx.project_for_update(user_id, project_id)) {
            if (current->value == project) {
                return {};
            }
            tx.update_project(user_id, project_id, project, context.at, {});
            context.revision = current->revision + 1;
            return detail::project_changes(context, current->value, project);
        }
        if (tx.insert_project(user_id, project_id, project, context.at, {})) {
            context.revision = 1;
            return detail::project_changes(context, ProjectSettings{}, project);
        }
    }
}

// Whether a stored revision is the one an update expects (none expected: any).
bool expected(const std::optional<std::int64_t>& wanted, std::int64_t stored) {
    return !wanted || *wanted == stored;
}

FieldError history_limit_error() {
    return {.field = "limit",
            .code = ErrorCode::out_of_range,
            .message = "must be between 1 and 200",
            .min = 1,
            .max = 200};
}

}  // namespace

class SettingsStore::Impl {
  public:
    Impl(std::shared_ptr<Storage> storage, const SettingsStoreOptions& options)
        : storage_(std::move(storage)),
          clock_(*options.clock),
          max_projects_(options.max_projects_per_user),
          record_history_(options.record_history),
          backend_(storage_->internals().settings_backend()) {
        if (auto errors = validate(options.seed, Layer::global); !errors.empty()) {
            throw std::invalid_argument("invalid global settings seed: " + errors.front().field +
                                        " " + errors.front().message);
        }
        const auto at = now();
        seeded_ = backend_->seed_global(options.seed, at, seed_history(options.seed, at));
        if (seeded_) {
            log::info("settings", "seeded the global settings");
        }
    }

    [[nodiscard]] bool seeded() const { return seeded_; }
    [[nodiscard]] std::size_t max_projects() const { return max_projects_; }
    [[nodiscard]] detail::SettingsBackend& backend() { return *backend_; }
    [[nodiscard]] std::string now() const { return format_timestamp(clock_.now()); }
    [[nodiscard]] const Clock& clock() const { return clock_; }

    // Appends the entries in the write's own transaction.
    // The fields the seed sets, from "not set" to their value, as the seed's
    // own changes to a new row (revision 1); the schema's defaults are no one's.
    [[nodiscard]] std::vector<HistoryEntry> seed_history(const PreferencesUpdate& seed,
                                                         const std::string& at) const {
        if (!record_history_) {
            return {};
        }
        Preferences seeded;
        for (const auto& field : field_table) {
            if (seed[field.field].has_value()) {
                seeded[field.field] = seed[field.field].value();
            }
        }
        const detail::ChangeContext context{.at = at,
                                            .actor = Actor::named_tool("seed"),
                                            .scope = Scope::global,
                                            .user_id = {},
                                            .project_id = std::nullopt,
                                            .revision = 1};
        return detail::preference_changes(context, Preferences{}, seeded);
    }

    void record(SettingsTransaction& tx, const std::vector<HistoryEntry>& entries) const {
        if (record_history_ && !entries.empty()) {
            tx.append_history(entries);
        }
    }

    // The entries `changes()` makes, or none when the store records no history.
    template <typename Changes>
    [[nodiscard]] std::vector<HistoryEntry> history(Changes changes) const {
        return record_history_ ? changes() : std::vector<HistoryEntry>{};
    }

    // Runs `fn(tx)` in a group-committed transaction and returns its result once
    // that transaction committed.
    template <typename Fn>
    auto write(std::string_view context, Fn&& fn)
        -> decltype(fn(std::declval<SettingsTransaction&>())) {
        std::optional<decltype(fn(std::declval<SettingsTransaction&>()))> result;
        backend_->write([&](SettingsTransaction& tx) { result.emplace(fn(tx)); });
        log::debug("settings", std::string(context) + ": committed");
        return std::move(*result);
    }

  private:
    std::shared_ptr<Storage> storage_;
    const Clock& clock_;
    std::size_t max_projects_;
    bool record_history_;
    std::unique_ptr<detail::SettingsBackend> backend_;
    bool seeded_ = false;
};

SettingsStore::SettingsStore(std::shared_ptr<Storage> storage, const SettingsStoreOptions& options)
    : impl_(std::make_unique<Impl>(std::move(storage), options)) {}

SettingsStore::~SettingsStore() = default;

bool SettingsStore::seeded_global_settings() const {
    return impl_->seeded();
}

GlobalSettings SettingsStore::global_settings() {
    return impl_->backend().global();
}

EffectiveUserSettings SettingsStore::effective_user_settings(std::string_view user_id) {
    log::debug("settings", "read effective user settings");
    auto layers = impl_->backend().user_layers(user_id);
    auto effective = merge_layers(layers.global, layers.user);
    effective.global_revision = layers.global_revision;
    effective.user_revision = layers.user_revision;
    return effective;
}

Outcome<EffectiveProjectSettings> SettingsStore::effective_project_settings(
    std::string_view user_id, std::string_view project_id) {
    if (auto error = validate_project_id(project_id)) {
        return FieldErrors{*error};
    }
    log::debug("settings", "read effective project settings");
    auto layers = impl_->backend().project_layers(user_id, project_id);
    auto user = merge_layers(layers.layers.global, layers.layers.user);
    user.global_revision = layers.layers.global_revision;
    user.user_revision = layers.layers.user_revision;
    auto effective = merge_layers(std::move(user), project_id, std::move(layers.project));
    effective.project_revision = layers.project_revision;
    return effective;
}

std::optional<UserPreferences> SettingsStore::user_preferences(std::string_view user_id) {
    return impl_->backend().user(user_id);
}

std::vector<ProjectSummary> SettingsStore::projects(std::string_view user_id) {
    return impl_->backend().projects(user_id);
}

Outcome<EffectiveUserSettings> SettingsStore::update_user_settings(std::string_view user_id,
                                                                   const PreferencesUpdate& update,
                                                                   const UpdateOptions& options) {
    FieldErrors errors = validate(update, Layer::user);
    if (auto error = validate_user_id(user_id)) {
        errors.insert(errors.begin(), *error);
    }
    if (!errors.empty()) {
        return errors;
    }
    const auto now = impl_->now();
    const auto& wanted = options.expected;
    return impl_->write(
        "updating user settings", [&](SettingsTransaction& tx) -> Outcome<EffectiveUserSettings> {
            const auto global = tx.global();
            const auto view = [&](const UserRow& row) {
                auto effective = merge_layers(global.preferences, row.stored);
                effective.global_revision = global.revision;
                effective.user_revision = row.revision;
                return effective;
            };
            // 412 before 422 (revisions.md): the conflict is decided first.
            bool conflict = wanted && wanted->global != global.revision;
            const auto check = [&](std::int64_t revision) {
                conflict = conflict || (wanted && !expected(wanted->user, revision));
                return !conflict;
            };
            const auto& model = update[Field::ai_model];
            const bool model_refused =
                model.has_value() &&
                !allows_model(global.allowed_models, std::get<std::string>(model.value()));
            const auto history_of = [&](const Preferences& before, const Preferences& after,
                                        std::int64_t revision) {
                return impl_->history([&] {
                    return detail::preference_changes(
                        {now, options.actor, Scope::user, std::string(user_id), std::nullopt,
                         revision},
                        before, after);
                });
            };
            UserRow row;
            const auto done = change_user(
                tx, user_id, now, check,
                [&](const Preferences& current) {
                    return model_refused ? current : update.applied_to(current);
                },
                history_of, row);
            if (!done) {
                return Outcome<EffectiveUserSettings>::conflict(view(row));
            }
            if (model_refused) {
                return FieldErrors{model_not_allowed(global.allowed_models)};
            }
            return view(row);
        });
}

Outcome<GlobalSettings> SettingsStore::update_global_settings(const GlobalSettingsUpdate& update,
                                                              const UpdateOptions& options) {
    if (auto errors = validate(update); !errors.empty()) {
        return errors;
    }
    const auto now = impl_->now();
    return impl_->write(
        "updating global settings", [&](SettingsTransaction& tx) -> Outcome<GlobalSettings> {
            const auto current = tx.global_for_update();
            if (options.expected && options.expected->global != current.revision) {
                return Outcome<GlobalSettings>::conflict(current);
            }
            GlobalSettings next = current;
            next.preferences = update.preferences.applied_to(current.preferences);
            if (update.allowed_models) {
                next.allowed_models = *update.allowed_models;
            }
            if (!allows_model(next.allowed_models, next.preferences.text(Field::ai_model))) {
                return FieldErrors{model_not_allowed(next.allowed_models)};
            }
            if (next == current) {
                return current;
            }
            next.updated_at = now;
            next.revision = current.revision + 1;
            tx.update_global(next);
            impl_->record(tx,
                          detail::global_changes(
                              {now, options.actor, Scope::global, {}, std::nullopt, next.revision},
                              current, next));
            return next;
        });
}

Outcome<EffectiveProjectSettings> SettingsStore::update_project_settings(
    std::string_view user_id, std::string_view project_id, const ProjectSettingsUpdate& update,
    const UpdateOptions& options) {
    FieldErrors errors = validate(update);
    if (auto error = validate_project_id(project_id)) {
        errors.insert(errors.begin(), *error);
    }
    if (auto error = validate_user_id(user_id)) {
        errors.insert(errors.begin(), *error);
    }
    if (!errors.empty()) {
        return errors;
    }
    const auto now = impl_->now();
    const auto& wanted = options.expected;
    return impl_->write(
        "updating project settings",
        [&](SettingsTransaction& tx) -> Outcome<EffectiveProjectSettings> {
            const auto global = tx.global();
            const auto user = tx.user_for_update(user_id);
            const std::int64_t user_revision = user ? user->revision : 0;
            bool conflict = wanted && (wanted->global != global.revision ||
                                       !expected(wanted->user, user_revision));
            const auto check = [&](std::int64_t revision) {
                conflict = conflict || (wanted && !expected(wanted->project, revision));
                return !conflict;
            };
            const auto history_of = [&](const ProjectSettings& before, const ProjectSettings& after,
                                        std::int64_t revision) {
                return impl_->history([&] {
                    return detail::project_changes(
                        {now, options.actor, Scope::project, std::string(user_id),
                         std::string(project_id), revision},
                        before, after);
                });
            };
            ProjectRow row;
            const auto change = change_project(
                tx, user_id, project_id, now, impl_->max_projects(), check,
                [&](const ProjectSettings& current) {
                    return ProjectSettings{
                        update.board_display_config.applied_to(current.board_display_config),
                        update.agent_pipeline_mappings.applied_to(current.agent_pipeline_mappings)};
                },
                row, history_of);
            if (change == ProjectChange::over_quota) {
                return FieldErrors{project_quota_reached(impl_->max_projects())};
            }
            auto merged =
                merge_layers(global.preferences, user ? std::optional(user->value) : std::nullopt);
            merged.global_revision = global.revision;
            merged.user_revision = user_revision;
            auto effective = merge_layers(std::move(merged), project_id, std::move(row.stored));
            effective.project_revision = row.revision;
            if (change == ProjectChange::conflict) {
                return Outcome<EffectiveProjectSettings>::conflict(std::move(effective));
            }
            return effective;
        });
}

SettingsSnapshot SettingsStore::export_snapshot() {
    return impl_->backend().snapshot();
}

Outcome<ImportSummary> SettingsStore::import_snapshot(const SettingsSnapshot& snapshot,
                                                      const Actor& actor) {
    if (auto errors = validate(snapshot); !errors.empty()) {
        return errors;
    }
    const auto now = impl_->now();
    auto outcome =
        impl_->write("importing settings", [&](SettingsTransaction& tx) -> Outcome<ImportSummary> {
            const auto current = tx.global_for_update();
            GlobalSettings global = snapshot.global;
            global.updated_at = now;
            std::vector<HistoryEntry> changes;
            const auto keep = [&changes](std::vector<HistoryEntry> more) {
                changes.insert(changes.end(), std::make_move_iterator(more.begin()),
                               std::make_move_iterator(more.end()));
            };
            if (global.preferences != current.preferences ||
                global.allowed_models != current.allowed_models) {
                global.revision = current.revision + 1;
                tx.update_global(global);
                keep(detail::global_changes(
                    {now, actor, Scope::global, {}, std::nullopt, global.revision}, current,
                    global));
            }
            for (const auto& user : snapshot.users) {
                keep(replace_user(tx, user.user_id, user.overrides,
                                  {now, actor, Scope::user, user.user_id, std::nullopt, 0}));
            }
            for (const auto& project : snapshot.projects) {
                keep(replace_project(
                    tx, project.user_id, project.project_id, project.settings,
                    {now, actor, Scope::project, project.user_id, project.project_id, 0}));
            }
            impl_->record(tx, changes);
            return ImportSummary{snapshot.users.size(), snapshot.projects.size()};
        });
    log::info("settings", "imported " + std::to_string(snapshot.users.size()) + " users and " +
                              std::to_string(snapshot.projects.size()) + " project rows");
    return outcome;
}

Outcome<HistoryPage> SettingsStore::history(const HistoryQuery& query) {
    FieldErrors errors;
    if (query.limit < 1 || query.limit > 200) {
        errors.push_back(history_limit_error());
    }
    if (query.project_id) {
        if (query.scope != Scope::project) {
            errors.push_back({.field = "project_id",
                              .code = ErrorCode::not_allowed,
                              .message = "is only for the project scope"});
        } else if (auto error = validate_project_id(*query.project_id)) {
            errors.push_back(*error);
        }
    }
    if (!errors.empty()) {
        return errors;
    }
    auto entries = impl_->backend().history(query);
    HistoryPage page;
    if (entries.size() > query.limit) {
        entries.resize(query.limit);
        page.next_before = entries.back().id;
    }
    page.entries = std::move(entries);
    return page;
}

ChangesAfter SettingsStore::changes_after(std::int64_t after, std::size_t limit) {
    const auto bounds = impl_->backend().history_bounds();
    ChangesAfter changes;
    changes.last_id = bounds.last;
    // Something after `after` was purged: the entries left cannot tell the whole story.
    if (after + 1 < bounds.first && after < bounds.last) {
        changes.reset = true;
        return changes;
    }
    if (after < bounds.last) {
        changes.entries = impl_->backend().history_after(after, limit);
    }
    return changes;
}

std::int64_t SettingsStore::last_history_id() {
    return impl_->backend().history_bounds().last;
}

std::size_t SettingsStore::purge_history(std::chrono::system_clock::time_point cutoff,
                                         std::size_t batch) {
    const auto before = format_timestamp(cutoff);
    std::size_t total = 0;
    for (;;) {
        const auto purged = impl_->write("purging history", [&](SettingsTransaction& tx) {
            return tx.purge_history(before, batch);
        });
        total += purged;
        if (purged < batch) {
            return total;
        }
    }
}

}  // namespace settings
