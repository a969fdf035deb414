#include <iterator>
#include <map>
#include <stdexcept>

#include <settings/errors.hpp>
#include <settings/log.hpp>
#include <settings/maintenance.hpp>
#include <settings/timestamp.hpp>

#include "storage/storage_engine.hpp"

namespace settings {

namespace {

using detail::SettingsBackend;

// user id -> project id -> updated_at, which the snapshot does not carry.
std::map<std::string, std::map<std::string, std::string>> project_times(
    SettingsBackend& settings, const SettingsSnapshot& snapshot) {
    std::map<std::string, std::map<std::string, std::string>> times;
    for (const auto& project : snapshot.projects) {
        if (times.contains(project.user_id)) {
            continue;
        }
        for (const auto& summary : settings.projects(project.user_id)) {
            times[project.user_id][summary.project_id] = summary.updated_at;
        }
    }
    return times;
}

std::vector<HistoryEntry> all_history(SettingsBackend& settings) {
    constexpr std::size_t page = 1000;
    std::vector<HistoryEntry> all;
    for (;;) {
        auto more = settings.history_after(all.empty() ? 0 : all.back().id, page);
        const bool last = more.size() < page;
        all.insert(all.end(), std::make_move_iterator(more.begin()),
                   std::make_move_iterator(more.end()));
        if (last) {
            return all;
        }
    }
}

bool holds_rows(const RowCounts& counts) {
    for (const auto& [table, rows] : counts) {
        if (rows > 0) {
            return true;
        }
    }
    return false;
}

}  // namespace

RowCounts copy_database(Storage& from, Storage& to, bool replace) {
    if (!replace && holds_rows(to.internals().row_counts())) {
        throw std::invalid_argument("the target " + to.description() +
                                    " holds rows; copy only into an empty database, or "
                                    "replace its rows with --replace");
    }
    const auto source_settings = from.internals().settings_backend();
    const auto source_sessions = from.internals().session_backend();
    const auto target_settings = to.internals().settings_backend();
    const auto target_sessions = to.internals().session_backend();
    const auto source_admins = from.internals().admin_backend();
    const auto target_admins = to.internals().admin_backend();

    const auto snapshot = source_settings->snapshot();
    const auto times = project_times(*source_settings, snapshot);
    const auto sessions = source_sessions->all();
    // Admins travel too: a copy without them would hand the role to whoever
    // signs in first.
    const auto admins = source_admins->all();
    // Revisions and history too: clients' ETags and event ids stay valid.
    const auto revisions = source_settings->revisions();
    const auto bounds = source_settings->history_bounds();
    const auto history = all_history(*source_settings);

    target_settings->seed_global({}, format_timestamp(std::chrono::system_clock::now()), {});
    target_settings->write([&](detail::SettingsTransaction& tx) {
        if (replace) {
            tx.delete_users_and_projects();
        }
        tx.update_global(snapshot.global);
        for (const auto& user : snapshot.users) {
            tx.insert_user(user.user_id, user.overrides, user.updated_at, {});
        }
        for (const auto& project : snapshot.projects) {
            tx.insert_project(project.user_id, project.project_id, project.settings,
                              times.at(project.user_id).at(project.project_id), {});
        }
        for (const auto& row : revisions) {
            tx.set_revision(row);
        }
        tx.replace_history(history, bounds.last);
    });
    if (replace) {
        target_sessions->clear();
    }
    for (const auto& [id, row] : sessions) {
        target_sessions->insert(id, row);
    }
    if (replace) {
        target_admins->clear();
    }
    for (const auto& admin : admins) {
        target_admins->insert(admin);
    }

    // Read back: the same layers, the same project times, the same sessions.
    bool same = target_settings->snapshot() == snapshot && target_sessions->all() == sessions &&
                target_admins->all() == admins && target_settings->revisions() == revisions &&
                all_history(*target_settings) == history &&
                target_settings->history_bounds().last == bounds.last;
    for (const auto& [user, projects] : times) {
        for (const auto& summary : target_settings->projects(user)) {
            same = same && projects.contains(summary.project_id) &&
                   projects.at(summary.project_id) == summary.updated_at;
        }
    }
    auto copied = to.internals().row_counts();
    if (!same || copied != from.internals().row_counts()) {
        throw StorageError("the copy in " + to.description() +
                           " does not read back equal to its source");
    }
    log::info("maintenance", "copied " + from.description() + " to " + to.description());
    return copied;
}

}  // namespace settings
