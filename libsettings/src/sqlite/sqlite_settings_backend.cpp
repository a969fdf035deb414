#include "sqlite/sqlite_settings_backend.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <limits>
#include <mutex>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <sqlite3.h>

#include <settings/errors.hpp>
#include <settings/log.hpp>

#include "sqlite/sqlite_errors.hpp"
#include "sqlite/statement_scope.hpp"
#include "storage/columns.hpp"
#include "storage/group_commit.hpp"
#include "storage/stored_documents.hpp"

namespace settings::detail {

namespace {

std::string placeholders(std::size_t count) {
    std::string out;
    for (std::size_t i = 0; i < count; ++i) {
        out.append(i == 0 ? "?" : ", ?");
    }
    return out;
}

std::string assignments() {
    std::string out;
    for (const auto column : preference_columns) {
        out.append(column).append(" = ?, ");
    }
    return out;
}

std::string select_global_sql() {
    return "SELECT " + column_list() +
           ", allowed_models, updated_at, revision FROM global_settings WHERE id = 1";
}

// Effective views are read with one statement: a single statement sees one
// snapshot, so no explicit transaction is needed, and the hot path runs one
// prepared query instead of two. After the two layers: whether the user has a
// row, and the two revisions.
std::string select_user_layers_sql() {
    return "SELECT " + column_list("g.") + ", " + column_list("u.") +
           ", u.github_user_id IS NOT NULL, g.revision, coalesce(u.revision, 0)"
           " FROM global_settings AS g LEFT JOIN user_preferences AS u"
           " ON u.github_user_id = ?1 WHERE g.id = 1";
}

std::string select_project_layers_sql() {
    return "SELECT " + column_list("g.") + ", " + column_list("u.") +
           ", u.github_user_id IS NOT NULL, g.revision, coalesce(u.revision, 0),"
           " p.github_user_id IS NOT NULL, p.board_display_config, p.agent_pipeline_mappings,"
           " coalesce(p.revision, 0)"
           " FROM global_settings AS g LEFT JOIN user_preferences AS u"
           " ON u.github_user_id = ?1 LEFT JOIN project_settings AS p"
           " ON p.github_user_id = ?1 AND p.project_id = ?2 WHERE g.id = 1";
}

std::string select_user_sql() {
    return "SELECT " + column_list() +
           ", updated_at, revision FROM user_preferences WHERE github_user_id = ?";
}

std::string insert_user_sql() {
    return "INSERT INTO user_preferences (github_user_id, " + column_list() +
           ", updated_at) VALUES (" + placeholders(field_count + 2) +
           ") ON CONFLICT (github_user_id) DO NOTHING";
}

std::string update_user_sql() {
    return "UPDATE user_preferences SET " + assignments() +
           "updated_at = ?, revision = revision + 1 WHERE github_user_id = ?";
}

std::string update_global_sql() {
    return "UPDATE global_settings SET " + assignments() +
           "allowed_models = ?, updated_at = ?, revision = revision + 1 WHERE id = 1";
}

std::string select_all_users_sql() {
    return "SELECT " + column_list() +
           ", updated_at, github_user_id FROM user_preferences ORDER BY github_user_id";
}

constexpr auto count_global_sql = "SELECT count(*) FROM global_settings";

constexpr auto select_project_sql =
    "SELECT board_display_config, agent_pipeline_mappings, revision FROM project_settings "
    "WHERE github_user_id = ? AND project_id = ?";

constexpr auto insert_project_sql =
    "INSERT INTO project_settings (github_user_id, project_id, board_display_config, "
    "agent_pipeline_mappings, updated_at) VALUES (?, ?, ?, ?, ?) "
    "ON CONFLICT (github_user_id, project_id) DO NOTHING";

constexpr auto update_project_sql =
    "UPDATE project_settings SET board_display_config = ?, agent_pipeline_mappings = ?, "
    "updated_at = ?, revision = revision + 1 WHERE github_user_id = ? AND project_id = ?";

constexpr auto count_projects_sql =
    "SELECT count(*) FROM project_settings WHERE github_user_id = ?";

constexpr auto select_projects_sql =
    "SELECT project_id, updated_at FROM project_settings WHERE github_user_id = ? "
    "ORDER BY updated_at DESC, project_id";

constexpr auto select_all_projects_sql =
    "SELECT github_user_id, project_id, board_display_config, agent_pipeline_mappings "
    "FROM project_settings ORDER BY github_user_id, project_id";

// Ids come from the counter row, read once per transaction (BEGIN IMMEDIATE
// holds the file's write lock, so no other writer moves it meanwhile) and set
// by each job that appends.
constexpr auto select_history_counter_sql =
    "SELECT last_id FROM settings_history_counter WHERE id = 1";

constexpr auto insert_history_sql =
    "INSERT INTO settings_history (id, at, actor_user_id, actor_username, actor_tool, scope, "
    "github_user_id, project_id, field, old_value, new_value, revision) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

constexpr auto set_global_revision_sql = "UPDATE global_settings SET revision = ? WHERE id = 1";
constexpr auto set_user_revision_sql =
    "UPDATE user_preferences SET revision = ? WHERE github_user_id = ?";
constexpr auto set_project_revision_sql =
    "UPDATE project_settings SET revision = ? WHERE github_user_id = ? AND project_id = ?";
constexpr auto set_history_counter_sql =
    "UPDATE settings_history_counter SET last_id = ? WHERE id = 1";

constexpr auto select_revisions_sql =
    "SELECT * FROM (SELECT 0 AS rank, '' AS user_id, '' AS project_id, revision "
    "FROM global_settings "
    "UNION ALL SELECT 1, github_user_id, '', revision FROM user_preferences "
    "UNION ALL SELECT 2, github_user_id, project_id, revision FROM project_settings) AS r "
    "ORDER BY r.user_id, r.rank, r.project_id";

// Of the oldest `limit` entries, those older than the cutoff (see migration 005).
constexpr auto purge_history_sql =
    "DELETE FROM settings_history WHERE id IN (SELECT id FROM settings_history ORDER BY id "
    "LIMIT ?) AND at < ?";

std::string select_history_sql(std::string_view rest) {
    return "SELECT id, at, actor_user_id, actor_username, actor_tool, scope, github_user_id, "
           "project_id, field, old_value, new_value, revision FROM settings_history " +
           std::string(rest);
}

// ?2 is the scope, or 'all' for global and the user's own rows (every row when
// ?3, the user, is empty);
// ?4 a project id or NULL.
constexpr std::string_view history_page_filter =
    "WHERE id < ?1 AND ("
    "(?2 = 'all' AND (scope = 'global' OR github_user_id = ?3 OR ?3 = '')) OR "
    "(scope = ?2 AND (?2 = 'global' OR github_user_id = ?3) AND (?4 IS NULL OR project_id = ?4))"
    ") ORDER BY id DESC LIMIT ?5";

constexpr std::string_view history_after_filter = "WHERE id > ? ORDER BY id LIMIT ?";

constexpr auto select_history_bounds_sql =
    "SELECT coalesce((SELECT min(id) FROM settings_history), c.last_id + 1), c.last_id "
    "FROM settings_history_counter AS c WHERE c.id = 1";

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

void bind_optional_text(SQLite::Statement& statement, int index,
                        const std::optional<std::string>& text) {
    if (text) {
        statement.bind(index, *text);
    } else {
        statement.bind(index);
    }
}

// The two project documents at columns `first` and `first + 1`.
ProjectSettings read_project(SQLite::Statement& row, int first) {
    ProjectSettings project;
    if (const auto board = row.getColumn(first); !board.isNull()) {
        project.board_display_config = parse_board_display_config(board.getString());
    }
    if (const auto mappings = row.getColumn(first + 1); !mappings.isNull()) {
        project.agent_pipeline_mappings = parse_agent_pipeline_mappings(mappings.getString());
    }
    return project;
}

std::optional<std::string> optional_text(const SQLite::Column& column) {
    if (column.isNull()) {
        return std::nullopt;
    }
    return column.getString();
}

// An empty text is stored as NULL (the actor's unused half, a global row's user).
void bind_nonempty(SQLite::Statement& statement, int index, const std::string& text) {
    if (text.empty()) {
        statement.bind(index);
    } else {
        statement.bind(index, text);
    }
}

HistoryEntry read_history_entry(SQLite::Statement& row) {
    HistoryEntry entry;
    entry.id = row.getColumn(0).getInt64();
    entry.at = row.getColumn(1).getString();
    entry.actor = {optional_text(row.getColumn(2)).value_or(""),
                   optional_text(row.getColumn(3)).value_or(""),
                   optional_text(row.getColumn(4)).value_or("")};
    entry.scope = parse_scope(row.getColumn(5).getString()).value_or(Scope::global);
    entry.user_id = optional_text(row.getColumn(6)).value_or("");
    entry.project_id = optional_text(row.getColumn(7));
    entry.field = row.getColumn(8).getString();
    entry.old_value = optional_text(row.getColumn(9));
    entry.new_value = optional_text(row.getColumn(10));
    entry.revision = row.getColumn(11).getInt64();
    return entry;
}

// select_revisions' first column: 0 global, 1 user, 2 project.
Scope scope_of_rank(int rank) {
    return rank == 0 ? Scope::global : rank == 1 ? Scope::user : Scope::project;
}

[[noreturn]] void global_row_missing() {
    throw StorageError("the global settings row is missing");
}

// Group commit's transaction statements on the write connection.
class SqliteBatchConnection final : public BatchConnection {
  public:
    explicit SqliteBatchConnection(SQLite::Database& db)
        : db_(db),
          begin_(db, "BEGIN IMMEDIATE"),
          commit_(db, "COMMIT"),
          savepoint_(db, "SAVEPOINT job"),
          release_(db, "RELEASE job"),
          rollback_to_(db, "ROLLBACK TO job") {}

    /// Moves on at each transaction's start and end and at a job's rollback:
    /// whenever what the transaction wrote may have been undone.
    [[nodiscard]] std::uint64_t generation() const { return generation_; }

    void begin(Deadline deadline) override {
        ++generation_;
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        db_.setBusyTimeout(static_cast<int>(std::max<std::int64_t>(0, left.count())));
        try {
            run(begin_);
        } catch (const SQLite::Exception& e) {
            if (e.getErrorCode() != SQLITE_BUSY) {
                throw;
            }
            throw LockWaitTimeout(
                std::string("the database stayed locked by another writer: ") + e.what(),
                std::to_string(e.getExtendedErrorCode()));
        }
    }
    // BEGIN IMMEDIATE holds the write lock already: nothing in a job waits.
    void savepoint(Deadline /*deadline*/) override { run(savepoint_); }
    void release_savepoint() override { run(release_); }
    void rollback_to_savepoint() override {
        ++generation_;
        run(rollback_to_);
    }
    void commit() override {
        ++generation_;
        run(commit_);
    }
    void rollback() noexcept override {
        ++generation_;
        try {
            if (!db_.getHandle() || sqlite3_get_autocommit(db_.getHandle()) == 0) {
                db_.exec("ROLLBACK");
            }
        } catch (const SQLite::Exception&) {
            // SQLite rolled back already.
        }
    }

  private:
    static void run(SQLite::Statement& statement) {
        StatementScope scope(statement);
        scope->exec();
    }

    SQLite::Database& db_;
    SQLite::Statement begin_;
    SQLite::Statement commit_;
    SQLite::Statement savepoint_;
    SQLite::Statement release_;
    SQLite::Statement rollback_to_;
    std::uint64_t generation_ = 0;
};

// The statements every connection reads with.
class Reads {
  public:
    explicit Reads(SQLite::Database& db)
        : select_global_(db, select_global_sql()),
          select_user_(db, select_user_sql()),
          select_project_(db, select_project_sql) {}

    GlobalSettings global() {
        StatementScope row(select_global_);
        if (!row->executeStep()) {
            global_row_missing();
        }
        GlobalSettings global;
        global.preferences = read_preferences(*row);
        global.allowed_models = parse_allowed_models(row->getColumn(field_count).getString());
        global.updated_at = row->getColumn(field_count + 1).getString();
        global.revision = row->getColumn(field_count + 2).getInt64();
        return global;
    }

    std::optional<Revised<UserPreferences>> user(std::string_view user_id) {
        StatementScope row(select_user_);
        row->bind(1, std::string(user_id));
        if (!row->executeStep()) {
            return std::nullopt;
        }
        return Revised<UserPreferences>{
            {std::string(user_id), read_preferences(*row), row->getColumn(field_count).getString()},
            row->getColumn(field_count + 1).getInt64()};
    }

    std::optional<Revised<ProjectSettings>> project(std::string_view user_id,
                                                    std::string_view project_id) {
        StatementScope row(select_project_);
        row->bind(1, std::string(user_id));
        row->bind(2, std::string(project_id));
        if (!row->executeStep()) {
            return std::nullopt;
        }
        return Revised<ProjectSettings>{read_project(*row, 0), row->getColumn(2).getInt64()};
    }

  private:
    SQLite::Statement select_global_;
    SQLite::Statement select_user_;
    SQLite::Statement select_project_;
};

// The write connection and its statements; used only by the batch's leader.
class SqliteSettingsTransaction final : public SettingsTransaction {
  public:
    SqliteSettingsTransaction(SQLite::Database& db, const SqliteBatchConnection& batch)
        : db_(db),
          batch_(batch),
          reads_(db),
          insert_user_(db, insert_user_sql()),
          update_user_(db, update_user_sql()),
          update_global_(db, update_global_sql()),
          insert_project_(db, insert_project_sql),
          update_project_(db, update_project_sql),
          count_projects_(db, count_projects_sql),
          select_history_counter_(db, select_history_counter_sql),
          set_history_counter_(db, set_history_counter_sql),
          insert_history_(db, insert_history_sql),
          purge_history_(db, purge_history_sql) {}

    // BEGIN IMMEDIATE holds the file's write lock: every read here is already
    // safe from concurrent writers.
    GlobalSettings global() override { return reads_.global(); }
    GlobalSettings global_for_update() override { return reads_.global(); }

    void update_global(const GlobalSettings& global) override {
        StatementScope update(update_global_);
        bind_preferences(*update, 1, global.preferences);
        update->bind(static_cast<int>(field_count) + 1, allowed_models_text(global.allowed_models));
        update->bind(static_cast<int>(field_count) + 2, global.updated_at);
        update->exec();
    }

    std::optional<Revised<Preferences>> user_for_update(std::string_view user_id) override {
        auto user = reads_.user(user_id);
        if (!user) {
            return std::nullopt;
        }
        return Revised<Preferences>{std::move(user->value.overrides), user->revision};
    }

    bool insert_user(std::string_view user_id, const Preferences& overrides,
                     const std::string& updated_at,
                     const std::vector<HistoryEntry>& history) override {
        {
            StatementScope insert(insert_user_);
            insert->bind(1, std::string(user_id));
            bind_preferences(*insert, 2, overrides);
            insert->bind(static_cast<int>(field_count) + 2, updated_at);
            if (insert->exec() != 1) {
                return false;
            }
        }
        append_any(history);
        return true;
    }

    void update_user(std::string_view user_id, const Preferences& overrides,
                     const std::string& updated_at,
                     const std::vector<HistoryEntry>& history) override {
        {
            StatementScope update(update_user_);
            bind_preferences(*update, 1, overrides);
            update->bind(static_cast<int>(field_count) + 1, updated_at);
            update->bind(static_cast<int>(field_count) + 2, std::string(user_id));
            update->exec();
        }
        append_any(history);
    }

    std::optional<Revised<ProjectSettings>> project_for_update(
        std::string_view user_id, std::string_view project_id) override {
        return reads_.project(user_id, project_id);
    }

    bool insert_project(std::string_view user_id, std::string_view project_id,
                        const ProjectSettings& project, const std::string& updated_at,
                        const std::vector<HistoryEntry>& history) override {
        {
            StatementScope insert(insert_project_);
            insert->bind(1, std::string(user_id));
            insert->bind(2, std::string(project_id));
            bind_optional_text(*insert, 3, board_display_config_text(project));
            bind_optional_text(*insert, 4, agent_pipeline_mappings_text(project));
            insert->bind(5, updated_at);
            if (insert->exec() != 1) {
                return false;
            }
        }
        append_any(history);
        return true;
    }

    void update_project(std::string_view user_id, std::string_view project_id,
                        const ProjectSettings& project, const std::string& updated_at,
                        const std::vector<HistoryEntry>& history) override {
        {
            StatementScope update(update_project_);
            bind_optional_text(*update, 1, board_display_config_text(project));
            bind_optional_text(*update, 2, agent_pipeline_mappings_text(project));
            update->bind(3, updated_at);
            update->bind(4, std::string(user_id));
            update->bind(5, std::string(project_id));
            update->exec();
        }
        append_any(history);
    }

    // BEGIN IMMEDIATE already keeps every other writer out.
    std::size_t count_projects_locked(std::string_view user_id) override {
        StatementScope count(count_projects_);
        count->bind(1, std::string(user_id));
        count->executeStep();
        return static_cast<std::size_t>(count->getColumn(0).getInt64());
    }

    void delete_users_and_projects() override {
        db_.exec("DELETE FROM project_settings");
        db_.exec("DELETE FROM user_preferences");
    }

    std::int64_t append_history(const std::vector<HistoryEntry>& entries) override {
        std::int64_t last = history_counter();
        for (const auto& entry : entries) {
            insert_entry(++last, entry);
        }
        {
            StatementScope set(set_history_counter_);
            set->bind(1, last);
            set->exec();
        }
        counter_ = Counter{last, batch_.generation()};
        return last;
    }

    std::size_t purge_history(const std::string& before, std::size_t limit) override {
        StatementScope purge(purge_history_);
        purge->bind(1, static_cast<std::int64_t>(limit));
        purge->bind(2, before);
        return static_cast<std::size_t>(purge->exec());
    }

    void set_revision(const RowRevision& row) override {
        switch (row.scope) {
            case Scope::global:
                run_with(db_, set_global_revision_sql, {row.revision});
                break;
            case Scope::user: {
                SQLite::Statement update(db_, set_user_revision_sql);
                update.bind(1, row.revision);
                update.bind(2, row.user_id);
                update.exec();
                break;
            }
            case Scope::project: {
                SQLite::Statement update(db_, set_project_revision_sql);
                update.bind(1, row.revision);
                update.bind(2, row.user_id);
                update.bind(3, row.project_id);
                update.exec();
                break;
            }
        }
    }

    void replace_history(const std::vector<HistoryEntry>& entries, std::int64_t last_id) override {
        db_.exec("DELETE FROM settings_history");
        for (const auto& entry : entries) {
            insert_entry(entry.id, entry);
        }
        counter_.reset();
        StatementScope set(set_history_counter_);
        set->bind(1, last_id);
        set->exec();
    }

  private:
    // The counter row as this transaction last set it: the batch's later jobs
    // need not read it again. A seed written outside a batch leaves a value the
    // next batch's start makes old.
    struct Counter {
        std::int64_t last_id = 0;
        std::uint64_t generation = 0;
    };

    std::int64_t history_counter() {
        if (counter_ && counter_->generation == batch_.generation()) {
            return counter_->last_id;
        }
        StatementScope counter(select_history_counter_);
        if (!counter->executeStep()) {
            throw StorageError("the history counter row is missing");
        }
        return counter->getColumn(0).getInt64();
    }

    void append_any(const std::vector<HistoryEntry>& entries) {
        if (!entries.empty()) {
            append_history(entries);
        }
    }

    static void run_with(SQLite::Database& db, const char* sql,
                         std::initializer_list<std::int64_t> values) {
        SQLite::Statement statement(db, sql);
        int index = 0;
        for (const auto value : values) {
            statement.bind(++index, value);
        }
        statement.exec();
    }

    void insert_entry(std::int64_t id, const HistoryEntry& entry) {
        StatementScope insert(insert_history_);
        insert->bind(1, id);
        insert->bind(2, entry.at);
        bind_nonempty(*insert, 3, entry.actor.github_user_id);
        bind_nonempty(*insert, 4, entry.actor.github_username);
        bind_nonempty(*insert, 5, entry.actor.tool);
        insert->bind(6, std::string(to_string(entry.scope)));
        bind_nonempty(*insert, 7, entry.user_id);
        bind_optional_text(*insert, 8, entry.project_id);
        insert->bind(9, entry.field);
        bind_optional_text(*insert, 10, entry.old_value);
        bind_optional_text(*insert, 11, entry.new_value);
        insert->bind(12, entry.revision);
        insert->exec();
    }

    SQLite::Database& db_;
    const SqliteBatchConnection& batch_;
    Reads reads_;
    SQLite::Statement insert_user_;
    SQLite::Statement update_user_;
    SQLite::Statement update_global_;
    SQLite::Statement insert_project_;
    SQLite::Statement update_project_;
    SQLite::Statement count_projects_;
    SQLite::Statement select_history_counter_;
    SQLite::Statement set_history_counter_;
    SQLite::Statement insert_history_;
    SQLite::Statement purge_history_;
    std::optional<Counter> counter_;
};

class SqliteSettingsBackend final : public SettingsBackend {
  public:
    SqliteSettingsBackend(const SqliteDatabase& database, std::function<void(std::size_t)> on_batch)
        : writer_(database.open_connection()),
          reader_(database.open_connection()),
          batch_(writer_.connection()),
          transaction_(writer_.connection(), batch_),
          group_(
              batch_, writer_.busy_timeout(), [this] { writer_.ensure_file_in_place(); },
              std::move(on_batch)),
          reads_(reader_.connection()),
          select_user_layers_(reader_.connection(), select_user_layers_sql()),
          select_project_layers_(reader_.connection(), select_project_layers_sql()),
          select_projects_(reader_.connection(), select_projects_sql),
          select_history_(reader_.connection(), select_history_sql(history_page_filter)),
          select_history_after_(reader_.connection(), select_history_sql(history_after_filter)),
          select_history_bounds_(reader_.connection(), select_history_bounds_sql) {}

    bool seed_global(const PreferencesUpdate& seed, const std::string& updated_at,
                     const std::vector<HistoryEntry>& history) override {
        auto& db = writer_.connection();
        return writer_.run_write("seeding global settings", [&] {
            const std::scoped_lock lock(writer_mutex_);
            // Checked before taking the write lock: on every start but the first
            // the row is there, and another host may be writing.
            if (db.execAndGet(count_global_sql).getInt() > 0) {
                return false;
            }
            SQLite::Transaction transaction(db, SQLite::TransactionBehavior::IMMEDIATE);
            std::string columns = "id, updated_at";
            std::string values = "1, ?";
            for (const auto& field : field_table) {
                if (seed[field.field].has_value()) {
                    columns.append(", ").append(column_of(field.field));
                    values.append(", ?");
                }
            }
            SQLite::Statement insert(db, "INSERT OR IGNORE INTO global_settings (" + columns +
                                             ") VALUES (" + values + ")");
            insert.bind(1, updated_at);
            int index = 2;
            for (const auto& field : field_table) {
                if (seed[field.field].has_value()) {
                    bind_value(insert, index++, seed[field.field].value());
                }
            }
            const bool created = insert.exec() == 1;
            if (created && !history.empty()) {
                transaction_.append_history(history);
            }
            transaction.commit();
            return created;
        });
    }

    GlobalSettings global() override {
        return read("reading global settings", [&] { return reads_.global(); });
    }

    UserLayers user_layers(std::string_view user_id) override {
        return read("reading user settings", [&] {
            StatementScope row(select_user_layers_);
            row->bind(1, std::string(user_id));
            if (!row->executeStep()) {
                global_row_missing();
            }
            return read_user_layers(*row);
        });
    }

    ProjectLayers project_layers(std::string_view user_id, std::string_view project_id) override {
        return read("reading project settings", [&] {
            StatementScope row(select_project_layers_);
            row->bind(1, std::string(user_id));
            row->bind(2, std::string(project_id));
            if (!row->executeStep()) {
                global_row_missing();
            }
            ProjectLayers layers{read_user_layers(*row), std::nullopt};
            const int first = 2 * static_cast<int>(field_count) + 3;
            if (row->getColumn(first).getInt() != 0) {
                layers.project = read_project(*row, first + 1);
            }
            layers.project_revision = row->getColumn(first + 3).getInt64();
            return layers;
        });
    }

    std::optional<UserPreferences> user(std::string_view user_id) override {
        return read("reading user preferences", [&]() -> std::optional<UserPreferences> {
            auto user = reads_.user(user_id);
            if (!user) {
                return std::nullopt;
            }
            return std::move(user->value);
        });
    }

    std::vector<ProjectSummary> projects(std::string_view user_id) override {
        return read("listing projects", [&] {
            StatementScope rows(select_projects_);
            rows->bind(1, std::string(user_id));
            std::vector<ProjectSummary> out;
            while (rows->executeStep()) {
                out.push_back({rows->getColumn(0).getString(), rows->getColumn(1).getString()});
            }
            return out;
        });
    }

    // Every table in one read transaction, so the snapshot is consistent.
    SettingsSnapshot snapshot() override {
        return read("exporting settings", [&] {
            auto& db = reader_.connection();
            db.exec("BEGIN");
            try {
                SettingsSnapshot snapshot{reads_.global(), {}, {}};
                SQLite::Statement users(db, select_all_users_sql());
                while (users.executeStep()) {
                    snapshot.users.push_back({users.getColumn(field_count + 1).getString(),
                                              read_preferences(users),
                                              users.getColumn(field_count).getString()});
                }
                SQLite::Statement projects(db, select_all_projects_sql);
                while (projects.executeStep()) {
                    snapshot.projects.push_back({projects.getColumn(0).getString(),
                                                 projects.getColumn(1).getString(),
                                                 read_project(projects, 2)});
                }
                db.exec("COMMIT");
                return snapshot;
            } catch (...) {
                db.exec("ROLLBACK");
                throw;
            }
        });
    }

    std::vector<HistoryEntry> history(const HistoryQuery& query) override {
        return read("reading history", [&] {
            StatementScope rows(select_history_);
            rows->bind(1, query.before.value_or(std::numeric_limits<std::int64_t>::max()));
            rows->bind(2, query.scope ? std::string(to_string(*query.scope)) : std::string("all"));
            rows->bind(3, query.user_id);
            bind_optional_text(*rows, 4, query.project_id);
            rows->bind(5, static_cast<std::int64_t>(query.limit + 1));
            std::vector<HistoryEntry> out;
            while (rows->executeStep()) {
                out.push_back(read_history_entry(*rows));
            }
            return out;
        });
    }

    std::vector<HistoryEntry> history_after(std::int64_t after, std::size_t limit) override {
        return read("reading history", [&] {
            StatementScope rows(select_history_after_);
            rows->bind(1, after);
            rows->bind(2, static_cast<std::int64_t>(limit));
            std::vector<HistoryEntry> out;
            while (rows->executeStep()) {
                out.push_back(read_history_entry(*rows));
            }
            return out;
        });
    }

    std::vector<RowRevision> revisions() override {
        return read("reading revisions", [&] {
            SQLite::Statement rows(reader_.connection(), select_revisions_sql);
            std::vector<RowRevision> out;
            while (rows.executeStep()) {
                out.push_back({scope_of_rank(rows.getColumn(0).getInt()),
                               rows.getColumn(1).getString(), rows.getColumn(2).getString(),
                               rows.getColumn(3).getInt64()});
            }
            return out;
        });
    }

    HistoryBounds history_bounds() override {
        return read("reading history", [&] {
            StatementScope row(select_history_bounds_);
            if (!row->executeStep()) {
                throw StorageError("the history counter row is missing");
            }
            return HistoryBounds{row->getColumn(0).getInt64(), row->getColumn(1).getInt64()};
        });
    }

    void write(const std::function<void(SettingsTransaction&)>& job) override {
        writer_.run_write("writing settings", [&] {
            group_.run([&] { job(transaction_); });
            return 0;
        });
    }

  private:
    template <typename Fn>
    auto read(std::string_view context, Fn&& fn) -> decltype(fn()) {
        const std::scoped_lock lock(reader_mutex_);
        return reader_.run(context, std::forward<Fn>(fn));
    }

    static UserLayers read_user_layers(SQLite::Statement& row) {
        const int after = 2 * static_cast<int>(field_count);
        UserLayers layers{read_preferences(row), std::nullopt, row.getColumn(after + 1).getInt64(),
                          row.getColumn(after + 2).getInt64()};
        if (row.getColumn(after).getInt() != 0) {
            layers.user = read_preferences(row, static_cast<int>(field_count));
        }
        return layers;
    }

    std::mutex writer_mutex_;  // the seed only; group commit serialises the rest
    SqliteDatabase writer_;
    std::mutex reader_mutex_;
    SqliteDatabase reader_;
    SqliteBatchConnection batch_;
    SqliteSettingsTransaction transaction_;
    GroupCommit group_;
    Reads reads_;
    SQLite::Statement select_user_layers_;
    SQLite::Statement select_project_layers_;
    SQLite::Statement select_projects_;
    SQLite::Statement select_history_;
    SQLite::Statement select_history_after_;
    SQLite::Statement select_history_bounds_;
};

}  // namespace

std::unique_ptr<SettingsBackend> make_sqlite_settings_backend(
    const SqliteDatabase& database, std::function<void(std::size_t)> on_batch) {
    return std::make_unique<SqliteSettingsBackend>(database, std::move(on_batch));
}

}  // namespace settings::detail
