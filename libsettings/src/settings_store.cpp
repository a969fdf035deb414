#include <algorithm>
#include <stdexcept>

#include <settings/log.hpp>
#include <settings/settings_store.hpp>
#include <settings/timestamp.hpp>
#include <settings/validation.hpp>

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

// The user's overrides after `change`, written when they differ from the stored
// ones. A row another writer created meanwhile (insert refused) is read again
// and the change applied on top of it: concurrent updates of different fields
// both survive. Returns the stored overrides afterwards (nothing: no row).
template <typename Change>
std::optional<Preferences> change_user(SettingsTransaction& tx, std::string_view user_id,
                                       const std::string& now, Change change) {
    for (;;) {
        auto current = tx.user_for_update(user_id);
        const Preferences before = current.value_or(Preferences{});
        Preferences after = change(before);
        if (after == before) {
            return current;
        }
        if (current) {
            tx.update_user(user_id, after, now);
            return after;
        }
        if (tx.insert_user(user_id, after, now)) {
            return after;
        }
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

// As change_user, for one project row. A new row is created only while the
// user has fewer than `max_projects` rows (0: no limit); otherwise nothing is
// written and the result is nothing.
template <typename Change>
std::optional<ProjectSettings> change_project(SettingsTransaction& tx, std::string_view user_id,
                                              std::string_view project_id, const std::string& now,
                                              std::size_t max_projects, Change change) {
    for (;;) {
        const auto current = tx.project_for_update(user_id, project_id);
        ProjectSettings before = current.value_or(ProjectSettings{});
        ProjectSettings after = change(before);
        if (after == before) {
            return before;
        }
        if (current) {
            tx.update_project(user_id, project_id, after, now);
            return after;
        }
        if (max_projects > 0 && tx.count_projects_locked(user_id) >= max_projects) {
            return std::nullopt;
        }
        if (tx.insert_project(user_id, project_id, after, now)) {
            return after;
        }
    }
}

// Import: the row becomes exactly `overrides`, created when missing (also when
// it holds no value: the snapshot listed the user).
void replace_user(SettingsTransaction& tx, std::string_view user_id, const Preferences& overrides,
                  const std::string& now) {
    while (!tx.insert_user(user_id, overrides, now)) {
        if (tx.user_for_update(user_id)) {
            tx.update_user(user_id, overrides, now);
            return;
        }
    }
}

void replace_project(SettingsTransaction& tx, std::string_view user_id, std::string_view project_id,
                     const ProjectSettings& project, const std::string& now) {
    while (!tx.insert_project(user_id, project_id, project, now)) {
        if (tx.project_for_update(user_id, project_id)) {
            tx.update_project(user_id, project_id, project, now);
            return;
        }
    }
}

}  // namespace

class SettingsStore::Impl {
  public:
    Impl(std::shared_ptr<Storage> storage, const SettingsStoreOptions& options)
        : storage_(std::move(storage)),
          clock_(*options.clock),
          max_projects_(options.max_projects_per_user),
          backend_(storage_->internals().settings_backend()) {
        if (auto errors = validate(options.seed, Layer::global); !errors.empty()) {
            throw std::invalid_argument("invalid global settings seed: " + errors.front().field +
                                        " " + errors.front().message);
        }
        seeded_ = backend_->seed_global(options.seed, now());
        if (seeded_) {
            log::info("settings", "seeded the global settings");
        }
    }

    [[nodiscard]] bool seeded() const { return seeded_; }
    [[nodiscard]] std::size_t max_projects() const { return max_projects_; }
    [[nodiscard]] detail::SettingsBackend& backend() { return *backend_; }
    [[nodiscard]] std::string now() const { return format_timestamp(clock_.now()); }

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
    return merge_layers(layers.global, layers.user);
}

Outcome<EffectiveProjectSettings> SettingsStore::effective_project_settings(
    std::string_view user_id, std::string_view project_id) {
    if (auto error = validate_project_id(project_id)) {
        return FieldErrors{*error};
    }
    log::debug("settings", "read effective project settings");
    auto layers = impl_->backend().project_layers(user_id, project_id);
    return merge_layers(merge_layers(layers.layers.global, layers.layers.user), project_id,
                        std::move(layers.project));
}

std::optional<UserPreferences> SettingsStore::user_preferences(std::string_view user_id) {
    return impl_->backend().user(user_id);
}

std::vector<ProjectSummary> SettingsStore::projects(std::string_view user_id) {
    return impl_->backend().projects(user_id);
}

Outcome<EffectiveUserSettings> SettingsStore::update_user_settings(
    std::string_view user_id, const PreferencesUpdate& update) {
    FieldErrors errors = validate(update, Layer::user);
    if (auto error = validate_user_id(user_id)) {
        errors.insert(errors.begin(), *error);
    }
    if (!errors.empty()) {
        return errors;
    }
    const auto now = impl_->now();
    return impl_->write(
        "updating user settings", [&](SettingsTransaction& tx) -> Outcome<EffectiveUserSettings> {
            const auto global = tx.global();
            const auto& model = update[Field::ai_model];
            if (model.has_value() &&
                !allows_model(global.allowed_models, std::get<std::string>(model.value()))) {
                return FieldErrors{model_not_allowed(global.allowed_models)};
            }
            const auto stored = change_user(tx, user_id, now, [&](const Preferences& current) {
                return update.applied_to(current);
            });
            return merge_layers(global.preferences, stored);
        });
}

Outcome<GlobalSettings> SettingsStore::update_global_settings(const GlobalSettingsUpdate& update) {
    if (auto errors = validate(update); !errors.empty()) {
        return errors;
    }
    const auto now = impl_->now();
    return impl_->write(
        "updating global settings", [&](SettingsTransaction& tx) -> Outcome<GlobalSettings> {
            const auto current = tx.global_for_update();
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
            tx.update_global(next);
            return next;
        });
}

Outcome<EffectiveProjectSettings> SettingsStore::update_project_settings(
    std::string_view user_id, std::string_view project_id, const ProjectSettingsUpdate& update) {
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
    return impl_->write(
        "updating project settings",
        [&](SettingsTransaction& tx) -> Outcome<EffectiveProjectSettings> {
            const auto global = tx.global();
            const auto user = tx.user_for_update(user_id);
            auto project = change_project(
                tx, user_id, project_id, now, impl_->max_projects(),
                [&](const ProjectSettings& current) {
                    return ProjectSettings{
                        update.board_display_config.applied_to(current.board_display_config),
                        update.agent_pipeline_mappings.applied_to(current.agent_pipeline_mappings)};
                });
            if (!project) {
                return FieldErrors{project_quota_reached(impl_->max_projects())};
            }
            return merge_layers(merge_layers(global.preferences, user), project_id,
                                std::move(project));
        });
}

SettingsSnapshot SettingsStore::export_snapshot() {
    return impl_->backend().snapshot();
}

Outcome<ImportSummary> SettingsStore::import_snapshot(const SettingsSnapshot& snapshot) {
    if (auto errors = validate(snapshot); !errors.empty()) {
        return errors;
    }
    const auto now = impl_->now();
    auto outcome =
        impl_->write("importing settings", [&](SettingsTransaction& tx) -> Outcome<ImportSummary> {
            GlobalSettings global = snapshot.global;
            global.updated_at = now;
            tx.update_global(global);
            for (const auto& user : snapshot.users) {
                replace_user(tx, user.user_id, user.overrides, now);
            }
            for (const auto& project : snapshot.projects) {
                replace_project(tx, project.user_id, project.project_id, project.settings, now);
            }
            return ImportSummary{snapshot.users.size(), snapshot.projects.size()};
        });
    log::info("settings", "imported " + std::to_string(snapshot.users.size()) + " users and " +
                              std::to_string(snapshot.projects.size()) + " project rows");
    return outcome;
}

}  // namespace settings
