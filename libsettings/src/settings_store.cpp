#include <algorithm>
#include <mutex>
#include <stdexcept>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <boost/json/parse.hpp>

#include <settings/errors.hpp>
#include <settings/json_text.hpp>
#include <settings/log.hpp>
#include <settings/settings_json.hpp>
#include <settings/settings_store.hpp>
#include <settings/statement_scope.hpp>
#include <settings/storage_errors.hpp>
#include <settings/timestamp.hpp>
#include <settings/validation.hpp>

#include "group_commit.hpp"

namespace settings {

namespace {

// "ai_provider, ai_model, ..." in field_table order, optionally with a prefix per column.
std::string column_list(std::string_view format_prefix = "") {
    std::string out;
    for (const auto& field : field_table) {
        out.append(out.empty() ? "" : ", ").append(format_prefix).append(field.column);
    }
    return out;
}

std::string placeholders(std::size_t count) {
    std::string out;
    for (std::size_t i = 0; i < count; ++i) {
        out.append(i == 0 ? "?" : ", ?");
    }
    return out;
}

std::string select_global_sql() {
    return "SELECT " + column_list() +
           ", allowed_models, updated_at FROM global_settings WHERE id = 1";
}

// Effective views are read with one statement: a single statement sees one
// snapshot, so no explicit transaction is needed, and the hot path runs one
// prepared query instead of two.
std::string select_effective_sql() {
    return "SELECT " + column_list("g.") + ", " + column_list("u.") +
           " FROM global_settings AS g LEFT JOIN user_preferences AS u"
           " ON u.github_user_id = ?1 WHERE g.id = 1";
}

std::string select_effective_project_sql() {
    return "SELECT " + column_list("g.") + ", " + column_list("u.") +
           ", p.board_display_config, p.agent_pipeline_mappings"
           " FROM global_settings AS g LEFT JOIN user_preferences AS u"
           " ON u.github_user_id = ?1 LEFT JOIN project_settings AS p"
           " ON p.github_user_id = ?1 AND p.project_id = ?2 WHERE g.id = 1";
}

std::string select_user_sql() {
    return "SELECT " + column_list() +
           ", updated_at FROM user_preferences WHERE github_user_id = ?";
}

std::string upsert_user_sql() {
    std::string set;
    for (const auto& field : field_table) {
        set.append(field.column).append(" = excluded.").append(field.column).append(", ");
    }
    return "INSERT INTO user_preferences (github_user_id, " + column_list() +
           ", updated_at) VALUES (" + placeholders(field_count + 2) +
           ") ON CONFLICT (github_user_id) DO UPDATE SET " + set +
           "updated_at = excluded.updated_at";
}

std::string update_global_sql() {
    std::string set;
    for (const auto& field : field_table) {
        set.append(field.column).append(" = ?, ");
    }
    return "UPDATE global_settings SET " + set + "allowed_models = ?, updated_at = ? WHERE id = 1";
}

constexpr auto count_global_sql = "SELECT count(*) FROM global_settings";

constexpr auto select_project_sql =
    "SELECT board_display_config, agent_pipeline_mappings FROM project_settings "
    "WHERE github_user_id = ? AND project_id = ?";

constexpr auto upsert_project_sql =
    "INSERT INTO project_settings (github_user_id, project_id, board_display_config, "
    "agent_pipeline_mappings, updated_at) VALUES (?, ?, ?, ?, ?) "
    "ON CONFLICT (github_user_id, project_id) DO UPDATE SET "
    "board_display_config = excluded.board_display_config, "
    "agent_pipeline_mappings = excluded.agent_pipeline_mappings, "
    "updated_at = excluded.updated_at";

constexpr auto select_projects_sql =
    "SELECT project_id, updated_at FROM project_settings WHERE github_user_id = ? "
    "ORDER BY updated_at DESC, project_id";

// Reads the preference columns that start at column `first` of the current row.
Preferences read_preferences(SQLite::Statement& row, int first = 0) {
    Preferences values;
    for (const auto& field : field_table) {
        const auto column = row.getColumn(first + static_cast<int>(index_of(field.field)));
        if (column.isNull()) {
            continue;
        }
        switch (field.kind) {
            case FieldKind::boolean:
                values[field.field] = column.getInt() != 0;
                break;
            case FieldKind::integer:
                values[field.field] = static_cast<std::int64_t>(column.getInt64());
                break;
            case FieldKind::real:
                values[field.field] = column.getDouble();
                break;
            case FieldKind::choice:
            case FieldKind::text:
            case FieldKind::repository:
            case FieldKind::login:
                values[field.field] = column.getString();
                break;
        }
    }
    return values;
}

void bind_value(SQLite::Statement& statement, int index, const std::optional<FieldValue>& value) {
    if (!value) {
        statement.bind(index);
        return;
    }
    std::visit(
        [&](const auto& v) {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, bool>) {
                statement.bind(index, v ? 1 : 0);
            } else if constexpr (std::is_same_v<T, std::int64_t>) {
                statement.bind(index, static_cast<int64_t>(v));
            } else {
                statement.bind(index, v);
            }
        },
        *value);
}

// Binds every preference column, starting at parameter `first`.
void bind_preferences(SQLite::Statement& statement, int first, const Preferences& values) {
    for (const auto& field : field_table) {
        bind_value(statement, first + static_cast<int>(index_of(field.field)), values[field.field]);
    }
}

std::vector<std::string> parse_allowed_models(const std::string& text) {
    boost::json::error_code ec;
    const auto value = boost::json::parse(text, ec);
    if (ec || !value.is_array()) {
        throw StorageError("global_settings.allowed_models is not a JSON array", 0);
    }
    std::vector<std::string> models;
    for (const auto& item : value.get_array()) {
        if (item.is_string()) {
            models.emplace_back(item.get_string());
        }
    }
    return models;
}

std::string allowed_models_text(const std::vector<std::string>& models) {
    boost::json::array array;
    for (const auto& model : models) {
        array.emplace_back(model);
    }
    return to_json_text(array);
}

// A stored project document; the store wrote it after validation, so a failure
// here means the file was changed behind our back.
template <typename T, typename Reader>
std::optional<T> read_document(const SQLite::Column& column, const char* name, Reader reader) {
    if (column.isNull()) {
        return std::nullopt;
    }
    boost::json::error_code ec;
    const auto value = boost::json::parse(column.getString(), ec);
    FieldErrors errors;
    std::optional<T> document = ec ? std::nullopt : reader(value, name, errors);
    if (!document) {
        throw StorageError(std::string("stored project_settings.") + name + " is not valid", 0);
    }
    return document;
}

bool allows_model(const std::vector<std::string>& allowed, const std::string& model) {
    return allowed.empty() || std::find(allowed.begin(), allowed.end(), model) != allowed.end();
}

FieldError model_not_allowed() {
    return {std::string(descriptor(Field::ai_model).path),
            "must be one of the allowed models of the global settings"};
}

// The read statements, prepared once on one connection.
class Queries {
  public:
    explicit Queries(SQLite::Database& db)
        : db_(db),
          select_effective_(db, select_effective_sql()),
          select_effective_project_(db, select_effective_project_sql()),
          select_global_(db, select_global_sql()),
          select_user_(db, select_user_sql()),
          select_project_(db, select_project_sql),
          select_projects_(db, select_projects_sql) {}

    GlobalSettings global() {
        StatementScope row(select_global_);
        if (!row->executeStep()) {
            throw StorageError("the global settings row is missing", 0);
        }
        GlobalSettings global;
        global.preferences = read_preferences(*row);
        global.allowed_models = parse_allowed_models(row->getColumn(field_count).getString());
        global.updated_at = row->getColumn(field_count + 1).getString();
        return global;
    }

    std::optional<UserPreferences> user(std::string_view user_id) {
        StatementScope row(select_user_);
        row->bind(1, std::string(user_id));
        if (!row->executeStep()) {
            return std::nullopt;
        }
        return UserPreferences{std::string(user_id), read_preferences(*row),
                               row->getColumn(field_count).getString()};
    }

    std::optional<ProjectSettings> project(std::string_view user_id, std::string_view project_id) {
        StatementScope row(select_project_);
        row->bind(1, std::string(user_id));
        row->bind(2, std::string(project_id));
        if (!row->executeStep()) {
            return std::nullopt;
        }
        ProjectSettings project;
        project.board_display_config = read_document<BoardDisplayConfig>(
            row->getColumn(0), "board_display_config", read_board_display_config);
        project.agent_pipeline_mappings = read_document<AgentPipelineMappings>(
            row->getColumn(1), "agent_pipeline_mappings", read_agent_pipeline_mappings);
        return project;
    }

    std::vector<ProjectSummary> projects(std::string_view user_id) {
        StatementScope rows(select_projects_);
        rows->bind(1, std::string(user_id));
        std::vector<ProjectSummary> out;
        while (rows->executeStep()) {
            out.push_back({rows->getColumn(0).getString(), rows->getColumn(1).getString()});
        }
        return out;
    }

    // Export reads every row once; these statements are prepared when used.
    std::vector<UserPreferences> all_users() {
        SQLite::Statement rows(db_, "SELECT " + column_list() +
                                        ", updated_at, github_user_id FROM user_preferences "
                                        "ORDER BY github_user_id");
        std::vector<UserPreferences> out;
        while (rows.executeStep()) {
            out.push_back({rows.getColumn(field_count + 1).getString(), read_preferences(rows),
                           rows.getColumn(field_count).getString()});
        }
        return out;
    }

    std::vector<ProjectRecord> all_projects() {
        SQLite::Statement rows(db_,
                               "SELECT github_user_id, project_id FROM project_settings "
                               "ORDER BY github_user_id, project_id");
        std::vector<ProjectRecord> out;
        while (rows.executeStep()) {
            const auto user = rows.getColumn(0).getString();
            const auto project_id = rows.getColumn(1).getString();
            out.push_back(
                {user, project_id, project(user, project_id).value_or(ProjectSettings{})});
        }
        return out;
    }

    EffectiveUserSettings effective_user(std::string_view user_id) {
        StatementScope row(select_effective_);
        row->bind(1, std::string(user_id));
        if (!row->executeStep()) {
            throw StorageError("the global settings row is missing", 0);
        }
        return merged_row(*row);
    }

    EffectiveProjectSettings effective_project(std::string_view user_id,
                                               std::string_view project_id) {
        StatementScope row(select_effective_project_);
        row->bind(1, std::string(user_id));
        row->bind(2, std::string(project_id));
        if (!row->executeStep()) {
            throw StorageError("the global settings row is missing", 0);
        }
        const int first = 2 * static_cast<int>(field_count);
        return {merged_row(*row),
                std::string(project_id),
                {read_document<BoardDisplayConfig>(row->getColumn(first), "board_display_config",
                                                   read_board_display_config),
                 read_document<AgentPipelineMappings>(row->getColumn(first + 1),
                                                      "agent_pipeline_mappings",
                                                      read_agent_pipeline_mappings)}};
    }

  private:
    // global ⊕ user from a row of global columns followed by user columns.
    static EffectiveUserSettings merged_row(SQLite::Statement& row) {
        EffectiveUserSettings effective;
        effective.values = read_preferences(row);
        const auto overrides = read_preferences(row, static_cast<int>(field_count));
        for (const auto& field : field_table) {
            if (overrides[field.field]) {
                effective.values[field.field] = overrides[field.field];
                effective.sources[index_of(field.field)] = Source::user;
            }
        }
        return effective;
    }

    SQLite::Database& db_;
    SQLite::Statement select_effective_;
    SQLite::Statement select_effective_project_;
    SQLite::Statement select_global_;
    SQLite::Statement select_user_;
    SQLite::Statement select_project_;
    SQLite::Statement select_projects_;
};

// A connection with its statements and the lock that serialises its use.
struct Reader {
    explicit Reader(Database database) : db(std::move(database)), queries(db.connection()) {}

    std::mutex mutex;
    Database db;
    Queries queries;
};

struct Writer {
    explicit Writer(Database database)
        : db(std::move(database)),
          queries(db.connection()),
          upsert_user(db.connection(), upsert_user_sql()),
          update_global(db.connection(), update_global_sql()),
          upsert_project(db.connection(), upsert_project_sql) {}

    std::mutex mutex;
    Database db;
    Queries queries;
    SQLite::Statement upsert_user;
    SQLite::Statement update_global;
    SQLite::Statement upsert_project;
};

EffectiveUserSettings merge(const GlobalSettings& global,
                            const std::optional<UserPreferences>& user) {
    EffectiveUserSettings effective;
    effective.values = global.preferences;
    if (user) {
        for (const auto& field : field_table) {
            if (const auto& value = user->overrides[field.field]) {
                effective.values[field.field] = value;
                effective.sources[index_of(field.field)] = Source::user;
            }
        }
    }
    return effective;
}

}  // namespace

// Reads go through their own connection, so they are served while a write waits
// for the database's write lock (held by this or another process).
class SettingsStore::Impl {
  public:
    Impl(Database database, const PreferencesUpdate& seed, const Clock& clock)
        : clock_(clock),
          writer_(std::move(database)),
          reader_(writer_.db.open_connection()),
          group_(writer_.db.connection(), [this] { writer_.db.ensure_file_in_place(); }) {
        seeded_ = seed_global(seed);
    }

    [[nodiscard]] bool seeded() const { return seeded_; }

    // Runs `fn(queries)` in one read transaction on the read connection.
    template <typename Fn>
    auto read(std::string_view context, Fn&& fn) -> decltype(fn(std::declval<Queries&>())) {
        const std::scoped_lock lock(reader_.mutex);
        return with_storage_errors(context, [&] {
            SQLite::Transaction tx(reader_.db.connection(), SQLite::TransactionBehavior::DEFERRED);
            auto result = fn(reader_.queries);
            tx.commit();
            return result;
        });
    }

    // Runs `fn(queries)`, which must run a single statement, on the read
    // connection: one statement reads one snapshot without a transaction.
    template <typename Fn>
    auto read_one(std::string_view context, Fn&& fn) -> decltype(fn(std::declval<Queries&>())) {
        const std::scoped_lock lock(reader_.mutex);
        return with_storage_errors(context, [&] { return fn(reader_.queries); });
    }

    // Runs `fn(writer)` inside a shared BEGIN IMMEDIATE transaction (group commit)
    // and returns its result once that transaction committed. The write lock is
    // taken before anything is read, so a read-modify-write cannot race another
    // writer; only the batch's leader thread touches the write connection.
    template <typename Fn>
    auto write(std::string_view context, Fn&& fn) -> decltype(fn(std::declval<Writer&>())) {
        std::optional<decltype(fn(std::declval<Writer&>()))> result;
        with_storage_errors(context, [&] {
            group_.run([&] { result.emplace(fn(writer_)); });
            return 0;
        });
        log::debug("settings", std::string(context) + ": committed");
        return std::move(*result);
    }

    void write_user(std::string_view user_id, const Preferences& overrides) {
        StatementScope upsert(writer_.upsert_user);
        upsert->bind(1, std::string(user_id));
        bind_preferences(*upsert, 2, overrides);
        upsert->bind(static_cast<int>(field_count) + 2, now());
        upsert->exec();
    }

    void write_global(const GlobalSettings& global) {
        StatementScope update(writer_.update_global);
        bind_preferences(*update, 1, global.preferences);
        update->bind(static_cast<int>(field_count) + 1, allowed_models_text(global.allowed_models));
        update->bind(static_cast<int>(field_count) + 2, global.updated_at);
        update->exec();
    }

    void write_project(std::string_view user_id, std::string_view project_id,
                       const ProjectSettings& project) {
        StatementScope upsert(writer_.upsert_project);
        upsert->bind(1, std::string(user_id));
        upsert->bind(2, std::string(project_id));
        if (project.board_display_config) {
            upsert->bind(3, to_json_text(to_json(*project.board_display_config)));
        } else {
            upsert->bind(3);
        }
        if (project.agent_pipeline_mappings) {
            upsert->bind(4, to_json_text(to_json(*project.agent_pipeline_mappings)));
        } else {
            upsert->bind(4);
        }
        upsert->bind(5, now());
        upsert->exec();
    }

    [[nodiscard]] std::string now() const { return format_timestamp(clock_.now()); }

  private:
    bool seed_global(const PreferencesUpdate& seed) {
        if (auto errors = validate(seed, Layer::global); !errors.empty()) {
            throw std::invalid_argument("invalid global settings seed: " + errors.front().field +
                                        " " + errors.front().message);
        }
        auto& db = writer_.db.connection();
        return with_storage_errors("seeding global settings", [&] {
            if (db.execAndGet(count_global_sql).getInt() > 0) {
                return false;
            }
            std::string columns = "id, updated_at";
            std::string values = "1, ?";
            for (const auto& field : field_table) {
                if (seed[field.field].has_value()) {
                    columns.append(", ").append(field.column);
                    values.append(", ?");
                }
            }
            SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
            SQLite::Statement insert(db, "INSERT OR IGNORE INTO global_settings (" + columns +
                                             ") VALUES (" + values + ")");
            insert.bind(1, now());
            int index = 2;
            for (const auto& field : field_table) {
                if (seed[field.field].has_value()) {
                    bind_value(insert, index++, seed[field.field].value());
                }
            }
            const bool created = insert.exec() == 1;
            tx.commit();
            if (created) {
                log::info("settings", "seeded the global settings");
            }
            return created;
        });
    }

    const Clock& clock_;
    bool seeded_ = false;
    Writer writer_;
    Reader reader_;
    detail::GroupCommit group_;
};

SettingsStore::SettingsStore(Database database, const PreferencesUpdate& seed, const Clock& clock)
    : impl_(std::make_unique<Impl>(std::move(database), seed, clock)) {}

SettingsStore::~SettingsStore() = default;

bool SettingsStore::seeded_global_settings() const {
    return impl_->seeded();
}

GlobalSettings SettingsStore::global_settings() {
    return impl_->read("reading global settings", [](Queries& q) { return q.global(); });
}

EffectiveUserSettings SettingsStore::effective_user_settings(std::string_view user_id) {
    log::debug("settings", "read effective user settings");
    return impl_->read_one("reading user settings",
                           [&](Queries& q) { return q.effective_user(user_id); });
}

Outcome<EffectiveProjectSettings> SettingsStore::effective_project_settings(
    std::string_view user_id, std::string_view project_id) {
    if (auto error = validate_project_id(project_id)) {
        return FieldErrors{*error};
    }
    log::debug("settings", "read effective project settings");
    return impl_->read_one("reading project settings", [&](Queries& q) {
        return Outcome<EffectiveProjectSettings>(q.effective_project(user_id, project_id));
    });
}

std::optional<UserPreferences> SettingsStore::user_preferences(std::string_view user_id) {
    return impl_->read("reading user preferences", [&](Queries& q) { return q.user(user_id); });
}

std::vector<ProjectSummary> SettingsStore::projects(std::string_view user_id) {
    return impl_->read("listing projects", [&](Queries& q) { return q.projects(user_id); });
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
    return impl_->write("updating user settings", [&](Writer& w) -> Outcome<EffectiveUserSettings> {
        const auto global = w.queries.global();
        const auto& model = update[Field::ai_model];
        if (model.has_value() &&
            !allows_model(global.allowed_models, std::get<std::string>(model.value()))) {
            return FieldErrors{model_not_allowed()};
        }
        auto stored = w.queries.user(user_id);
        const Preferences current = stored ? stored->overrides : Preferences{};
        const Preferences next = update.applied_to(current);
        if (next != current) {
            impl_->write_user(user_id, next);
            stored = UserPreferences{std::string(user_id), next, {}};
        }
        return merge(global, stored);
    });
}

Outcome<GlobalSettings> SettingsStore::update_global_settings(const GlobalSettingsUpdate& update) {
    if (auto errors = validate(update); !errors.empty()) {
        return errors;
    }
    return impl_->write("updating global settings", [&](Writer& w) -> Outcome<GlobalSettings> {
        const auto current = w.queries.global();
        GlobalSettings next = current;
        next.preferences = update.preferences.applied_to(current.preferences);
        if (update.allowed_models) {
            next.allowed_models = *update.allowed_models;
        }
        if (!allows_model(next.allowed_models, next.preferences.text(Field::ai_model))) {
            return FieldErrors{model_not_allowed()};
        }
        if (next == current) {
            return current;
        }
        next.updated_at = impl_->now();
        impl_->write_global(next);
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
    return impl_->write(
        "updating project settings", [&](Writer& w) -> Outcome<EffectiveProjectSettings> {
            const auto global = w.queries.global();
            const auto user = w.queries.user(user_id);
            const ProjectSettings current =
                w.queries.project(user_id, project_id).value_or(ProjectSettings{});
            ProjectSettings next{
                update.board_display_config.applied_to(current.board_display_config),
                update.agent_pipeline_mappings.applied_to(current.agent_pipeline_mappings)};
            if (next != current) {
                impl_->write_project(user_id, project_id, next);
            }
            return EffectiveProjectSettings{merge(global, user), std::string(project_id),
                                            std::move(next)};
        });
}

SettingsSnapshot SettingsStore::export_snapshot() {
    return impl_->read("exporting settings", [](Queries& q) {
        return SettingsSnapshot{q.global(), q.all_users(), q.all_projects()};
    });
}

Outcome<ImportSummary> SettingsStore::import_snapshot(const SettingsSnapshot& snapshot) {
    if (auto errors = validate(snapshot); !errors.empty()) {
        return errors;
    }
    auto outcome = impl_->write("importing settings", [&](Writer&) -> Outcome<ImportSummary> {
        GlobalSettings global = snapshot.global;
        global.updated_at = impl_->now();
        impl_->write_global(global);
        for (const auto& user : snapshot.users) {
            impl_->write_user(user.user_id, user.overrides);
        }
        for (const auto& project : snapshot.projects) {
            impl_->write_project(project.user_id, project.project_id, project.settings);
        }
        return ImportSummary{snapshot.users.size(), snapshot.projects.size()};
    });
    log::info("settings", "imported " + std::to_string(snapshot.users.size()) + " users and " +
                              std::to_string(snapshot.projects.size()) + " project rows");
    return outcome;
}

}  // namespace settings
