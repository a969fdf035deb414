#include "postgresql/pg_settings_backend.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <limits>
#include <optional>
#include <utility>

#include <settings/errors.hpp>
#include <settings/log.hpp>

#include "postgresql/pg_values.hpp"
#include "storage/columns.hpp"
#include "storage/group_commit.hpp"
#include "storage/stored_documents.hpp"

namespace settings::detail {

namespace {

// "$3". (Built by appending: GCC 12's -O3 -Wrestrict misreads "$" + string.)
std::string placeholder(int index) {
    std::string out = "$";
    out.append(std::to_string(index));
    return out;
}

// "$first, $first+1, ..." for `count` parameters.
std::string parameters(int first, std::size_t count) {
    std::string out;
    for (std::size_t i = 0; i < count; ++i) {
        out.append(i == 0 ? "" : ", ").append(placeholder(first + static_cast<int>(i)));
    }
    return out;
}

// "ai_provider = $1, ..." for every preference column.
std::string assignments() {
    std::string out;
    int index = 1;
    for (const auto column : preference_columns) {
        out.append(column).append(" = ").append(placeholder(index++)).append(", ");
    }
    return out;
}

const int prefs = static_cast<int>(field_count);

const PgStatement select_global{
    "select_global", "SELECT " + column_list() + ", allowed_models, " + pg_timestamp("updated_at") +
                         ", revision FROM global_settings WHERE id = 1"};
const PgStatement select_global_for_update{"select_global_for_update",
                                           select_global.sql + " FOR UPDATE"};

const PgStatement select_user_layers{
    "select_user_layers", "SELECT " + column_list("g.") + ", " + column_list("u.") +
                              ", u.github_user_id IS NOT NULL, g.revision, coalesce(u.revision, 0)"
                              " FROM global_settings AS g LEFT JOIN user_preferences AS u"
                              " ON u.github_user_id = $1 WHERE g.id = 1"};

const PgStatement select_project_layers{
    "select_project_layers", "SELECT " + column_list("g.") + ", " + column_list("u.") +
                                 ", u.github_user_id IS NOT NULL, g.revision,"
                                 " coalesce(u.revision, 0), p.github_user_id IS NOT NULL,"
                                 " p.board_display_config, p.agent_pipeline_mappings,"
                                 " coalesce(p.revision, 0)"
                                 " FROM global_settings AS g LEFT JOIN user_preferences AS u"
                                 " ON u.github_user_id = $1 LEFT JOIN project_settings AS p"
                                 " ON p.github_user_id = $1 AND p.project_id = $2 WHERE g.id = 1"};

const PgStatement select_user{"select_user",
                              "SELECT " + column_list() + ", " + pg_timestamp("updated_at") +
                                  ", revision FROM user_preferences WHERE github_user_id = $1"};
const PgStatement select_user_for_update{"select_user_for_update", select_user.sql + " FOR UPDATE"};

const PgStatement insert_user_sql{"insert_user", "INSERT INTO user_preferences (github_user_id, " +
                                                     column_list() + ", updated_at) VALUES (" +
                                                     parameters(1, field_count + 2) +
                                                     ") ON CONFLICT (github_user_id) DO NOTHING"};

const PgStatement update_user_sql{
    "update_user",
    "UPDATE user_preferences SET " + assignments() + "updated_at = " + placeholder(prefs + 1) +
        ", revision = revision + 1 WHERE github_user_id = " + placeholder(prefs + 2)};

const PgStatement update_global_sql{
    "update_global",
    "UPDATE global_settings SET " + assignments() + "allowed_models = " + placeholder(prefs + 1) +
        ", updated_at = " + placeholder(prefs + 2) + ", revision = revision + 1 WHERE id = 1"};

const PgStatement select_project_for_update{
    "select_project_for_update",
    "SELECT board_display_config, agent_pipeline_mappings, revision FROM project_settings "
    "WHERE github_user_id = $1 AND project_id = $2 FOR UPDATE"};

const PgStatement insert_project_sql{
    "insert_project",
    "INSERT INTO project_settings (github_user_id, project_id, board_display_config, "
    "agent_pipeline_mappings, updated_at) VALUES ($1, $2, $3, $4, $5) "
    "ON CONFLICT (github_user_id, project_id) DO NOTHING"};

const PgStatement update_project_sql{
    "update_project",
    "UPDATE project_settings SET board_display_config = $3, agent_pipeline_mappings = $4, "
    "updated_at = $5, revision = revision + 1 WHERE github_user_id = $1 AND project_id = $2"};

// A transaction-scoped lock per user (the two-key space, apart from the
// migrator's): writers that may add a project row for the user queue here, so
// each counts the rows the ones before it committed.
const PgStatement lock_user_projects{"lock_user_projects",
                                     "SELECT pg_advisory_xact_lock(7243902, hashtext($1))"};

const PgStatement count_projects{"count_projects",
                                 "SELECT count(*) FROM project_settings WHERE github_user_id = $1"};

const PgStatement select_projects{"select_projects",
                                  "SELECT project_id, " + pg_timestamp("updated_at") +
                                      " FROM project_settings WHERE github_user_id = $1 "
                                      "ORDER BY updated_at DESC, project_id COLLATE \"C\""};

// Export order is byte order, as on SQLite, so both engines export alike.
const PgStatement select_all_users{"select_all_users", "SELECT " + column_list() + ", " +
                                                           pg_timestamp("updated_at") +
                                                           ", github_user_id FROM user_preferences "
                                                           "ORDER BY github_user_id COLLATE \"C\""};

const PgStatement select_all_projects{
    "select_all_projects",
    "SELECT github_user_id, project_id, board_display_config, agent_pipeline_mappings "
    "FROM project_settings ORDER BY github_user_id COLLATE \"C\", project_id COLLATE \"C\""};

// Appends the entries of parameter `rows` (pg_history_rows) with the next ids
// from the counter row, when `condition` holds. The counter row stays locked
// until the commit: ids are handed out in commit order across hosts
// (migration 004).
std::string append_history_rows(int rows, std::string_view condition) {
    const auto list = placeholder(rows) + "::json";
    return "reserved AS (UPDATE settings_history_counter SET last_id = last_id + "
           "json_array_length(" +
           list + ") WHERE id = 1" + std::string(condition) +
           " RETURNING last_id) "
           "INSERT INTO settings_history (id, at, actor_user_id, actor_username, actor_tool, "
           "scope, github_user_id, project_id, field, old_value, new_value, revision) "
           "SELECT r.last_id - json_array_length(" +
           list +
           ") + e.n, (e.v->>'at')::timestamptz, e.v->>'actor_user_id', e.v->>'actor_username', "
           "e.v->>'actor_tool', e.v->>'scope', e.v->>'github_user_id', e.v->>'project_id', "
           "e.v->>'field', e.v->>'old_value', e.v->>'new_value', (e.v->>'revision')::bigint "
           "FROM reserved AS r, json_array_elements(" +
           list + ") WITH ORDINALITY AS e(v, n) RETURNING id";
}

const PgStatement append_history_sql{"append_history", "WITH " + append_history_rows(1, "")};

// A row's write and its history in one round trip: the entries (last parameter)
// are appended only when the write changed a row.
PgStatement with_history(const char* name, const PgStatement& write, int parameters) {
    return {name, "WITH changed AS (" + write.sql + " RETURNING 1), " +
                      append_history_rows(parameters + 1, " AND EXISTS (SELECT 1 FROM changed)")};
}

const PgStatement insert_user_with_history =
    with_history("insert_user_with_history", insert_user_sql, prefs + 2);
const PgStatement update_user_with_history =
    with_history("update_user_with_history", update_user_sql, prefs + 2);
const PgStatement insert_project_with_history =
    with_history("insert_project_with_history", insert_project_sql, 5);
const PgStatement update_project_with_history =
    with_history("update_project_with_history", update_project_sql, 5);

const PgStatement insert_history{
    "insert_history",
    "INSERT INTO settings_history (id, at, actor_user_id, actor_username, actor_tool, scope, "
    "github_user_id, project_id, field, old_value, new_value, revision) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"};

const PgStatement set_global_revision{"set_global_revision",
                                      "UPDATE global_settings SET revision = $1 WHERE id = 1"};
const PgStatement set_user_revision{
    "set_user_revision", "UPDATE user_preferences SET revision = $1 WHERE github_user_id = $2"};
const PgStatement set_project_revision{
    "set_project_revision",
    "UPDATE project_settings SET revision = $1 WHERE github_user_id = $2 AND project_id = $3"};
const PgStatement set_history_counter{
    "set_history_counter", "UPDATE settings_history_counter SET last_id = $1 WHERE id = 1"};

// Byte order, as on SQLite.
const PgStatement select_revisions{
    "select_revisions",
    "SELECT * FROM (SELECT 0 AS rank, '' AS user_id, '' AS project_id, revision "
    "FROM global_settings "
    "UNION ALL SELECT 1, github_user_id, '', revision FROM user_preferences "
    "UNION ALL SELECT 2, github_user_id, project_id, revision FROM project_settings) AS r "
    "ORDER BY r.user_id COLLATE \"C\", r.rank, r.project_id COLLATE \"C\""};

// Of the oldest `limit` entries, those older than the cutoff (see migration 005).
const PgStatement purge_history_sql{
    "purge_history",
    "DELETE FROM settings_history WHERE id IN (SELECT id FROM settings_history ORDER BY id "
    "LIMIT $2) AND at < $1"};

const std::string history_columns =
    "id, " + pg_timestamp("at") +
    ", actor_user_id, actor_username, actor_tool, scope, github_user_id, project_id, field, "
    "old_value, new_value, revision FROM settings_history ";

// $2 is the scope, or 'all' for global and the user's own rows (every row when
// $3, the user, is empty);
// $4 a project id or NULL.
const PgStatement select_history{
    "select_history",
    "SELECT " + history_columns +
        "WHERE id < $1 AND ("
        "($2 = 'all' AND (scope = 'global' OR github_user_id = $3 OR $3 = '')) OR "
        "(scope = $2 AND ($2 = 'global' OR github_user_id = $3) AND "
        "($4::text IS NULL OR project_id = $4))) ORDER BY id DESC LIMIT $5"};

const PgStatement select_history_after{
    "select_history_after", "SELECT " + history_columns + "WHERE id > $1 ORDER BY id LIMIT $2"};

const PgStatement select_history_bounds{
    "select_history_bounds",
    "SELECT coalesce((SELECT min(id) FROM settings_history), c.last_id + 1), c.last_id "
    "FROM settings_history_counter AS c WHERE c.id = 1"};

std::optional<std::string> nonempty(const std::string& text) {
    return text.empty() ? std::nullopt : std::optional(text);
}

std::vector<HistoryEntry> read_history(const PgResult& result) {
    std::vector<HistoryEntry> out;
    out.reserve(static_cast<std::size_t>(result.rows()));
    for (int row = 0; row < result.rows(); ++row) {
        HistoryEntry entry;
        entry.id = std::stoll(result.text(row, 0));
        entry.at = result.text(row, 1);
        entry.actor = {result.optional_text(row, 2).value_or(""),
                       result.optional_text(row, 3).value_or(""),
                       result.optional_text(row, 4).value_or("")};
        entry.scope = parse_scope(result.text(row, 5)).value_or(Scope::global);
        entry.user_id = result.optional_text(row, 6).value_or("");
        entry.project_id = result.optional_text(row, 7);
        entry.field = result.text(row, 8);
        entry.old_value = result.optional_text(row, 9);
        entry.new_value = result.optional_text(row, 10);
        entry.revision = std::stoll(result.text(row, 11));
        out.push_back(std::move(entry));
    }
    return out;
}

// select_revisions' first column: 0 global, 1 user, 2 project.
void insert_history_entry(PgConnection& db, std::int64_t id, const HistoryEntry& entry) {
    db.run(insert_history,
           {std::to_string(id), entry.at, nonempty(entry.actor.github_user_id),
            nonempty(entry.actor.github_username), nonempty(entry.actor.tool),
            std::string(to_string(entry.scope)), nonempty(entry.user_id), entry.project_id,
            entry.field, entry.old_value, entry.new_value, std::to_string(entry.revision)});
}

// Takes the next ids from the counter row, whose lock orders writers: ids
// increase in commit order. Returns the last id.
std::int64_t append_history(PgConnection& db, const std::vector<HistoryEntry>& entries) {
    const auto appended = db.run(append_history_sql, {pg_history_rows(entries)});
    if (appended.rows() != static_cast<int>(entries.size())) {
        throw StorageError("the history counter row is missing");
    }
    std::int64_t last = 0;
    for (int row = 0; row < appended.rows(); ++row) {
        last = std::max<std::int64_t>(last, std::stoll(appended.text(row, 0)));
    }
    return last;
}

Scope scope_of_rank(int rank) {
    return rank == 0 ? Scope::global : rank == 1 ? Scope::user : Scope::project;
}

[[noreturn]] void global_row_missing() {
    throw StorageError("the global settings row is missing");
}

GlobalSettings read_global(const PgResult& result) {
    if (result.rows() == 0) {
        global_row_missing();
    }
    return {pg_preferences(result, 0, 0), parse_allowed_models(result.text(0, prefs)),
            result.text(0, prefs + 1), std::stoll(result.text(0, prefs + 2))};
}

ProjectSettings read_project(const PgResult& result, int row, int first) {
    ProjectSettings project;
    if (const auto board = result.optional_text(row, first)) {
        project.board_display_config = parse_board_display_config(*board);
    }
    if (const auto mappings = result.optional_text(row, first + 1)) {
        project.agent_pipeline_mappings = parse_agent_pipeline_mappings(*mappings);
    }
    return project;
}

UserLayers read_user_layers(const PgResult& result) {
    if (result.rows() == 0) {
        global_row_missing();
    }
    UserLayers layers{pg_preferences(result, 0, 0), std::nullopt,
                      std::stoll(result.text(0, 2 * prefs + 1)),
                      std::stoll(result.text(0, 2 * prefs + 2))};
    if (result.text(0, 2 * prefs) == "t") {
        layers.user = pg_preferences(result, 0, prefs);
    }
    return layers;
}

PgParams project_params(std::string_view user_id, std::string_view project_id,
                        const ProjectSettings& project, const std::string& updated_at) {
    return {std::string(user_id), std::string(project_id), board_display_config_text(project),
            agent_pipeline_mappings_text(project), updated_at};
}

// The write connection, replaced by a new one when it was lost, so writes
// recover by themselves once the server is back. Only the batch's leader uses it.
class PgWriteConnection final : public BatchConnection {
  public:
    explicit PgWriteConnection(PgPool& pool) : pool_(pool) {}

    PgConnection& get() { return *connection_; }
    /// Moves on whenever what the transaction read may have been undone or
    /// become old: at each transaction's start and end, and at a job's rollback.
    [[nodiscard]] std::uint64_t generation() const { return generation_; }

    void begin(Deadline /*deadline*/) override {
        ++generation_;
        // BEGIN takes no lock: the jobs' statements wait, bounded by savepoint().
        if (!connection_ || !connection_->still_open()) {
            connection_ = pool_.connect();
        }
        try {
            connection_->exec("BEGIN");
        } catch (const StorageUnavailableError&) {
            if (connection_->healthy() || connection_->abandoned()) {
                throw;
            }
            // Closed by the server while idle: nothing but BEGIN was lost.
            connection_ = pool_.connect();
            connection_->exec("BEGIN");
        }
    }
    // SAVEPOINT, its lock timeout and the RELEASE after the job go out with the
    // statement that follows them (PgConnection::defer): a job costs no round
    // trip of its own beyond its statements.
    void savepoint(Deadline deadline) override {
        // The lock timeout is rolled back with the savepoint and kept by its
        // release: each job sets its own. Zero would mean no limit, so at least
        // 1 ms.
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        connection_->defer("SAVEPOINT job");
        connection_->defer("SET LOCAL lock_timeout = " +
                           std::to_string(std::max<std::int64_t>(1, left.count())));
    }
    void release_savepoint() override { connection_->defer("RELEASE SAVEPOINT job"); }
    void rollback_to_savepoint() override {
        ++generation_;
        connection_->exec("ROLLBACK TO SAVEPOINT job");
    }
    void commit() override {
        ++generation_;
        connection_->commit();
    }
    void rollback() noexcept override {
        ++generation_;
        if (connection_) {
            connection_->forget_deferred();
        }
        try {
            if (connection_ && connection_->healthy() && !connection_->idle()) {
                connection_->exec("ROLLBACK");
            }
        } catch (const std::exception&) {
            connection_.reset();  // unusable: the next batch connects anew
        }
    }

  private:
    PgPool& pool_;
    std::unique_ptr<PgConnection> connection_;
    std::uint64_t generation_ = 0;
};

class PgSettingsTransaction final : public SettingsTransaction {
  public:
    explicit PgSettingsTransaction(PgWriteConnection& connection) : connection_(connection) {}

    // Read once per batch: every job of a batch was queued before the batch
    // began, so a global change acknowledged before any of them is in that
    // first read (read-your-writes across hosts holds).
    GlobalSettings global() override {
        if (!global_ || global_generation_ != connection_.generation()) {
            return remember(read_global(db().run(select_global)));
        }
        return *global_;
    }
    GlobalSettings global_for_update() override {
        return remember(read_global(db().run(select_global_for_update)));
    }

    void update_global(const GlobalSettings& global) override {
        global_.reset();
        PgParams params;
        append_preferences(params, global.preferences);
        params.emplace_back(allowed_models_text(global.allowed_models));
        params.emplace_back(global.updated_at);
        db().run(update_global_sql, params);
    }

    // A row this transaction has locked and written stays as written until the
    // transaction ends or a rollback to a savepoint (which may release the
    // lock): the next job of the batch on the same user reads it from memory,
    // so its write is the job's only round trip.
    std::optional<Revised<Preferences>> user_for_update(std::string_view user_id) override {
        if (locked_user_ && locked_user_->generation == connection_.generation() &&
            locked_user_->user_id == user_id) {
            return locked_user_->row;
        }
        locked_user_.reset();
        const auto result = db().run(select_user_for_update, {std::string(user_id)});
        if (result.rows() == 0) {
            return std::nullopt;
        }
        Revised<Preferences> row{pg_preferences(result, 0, 0),
                                 std::stoll(result.text(0, prefs + 1))};
        locked_user_ = LockedUser{std::string(user_id), row, connection_.generation()};
        return row;
    }

    bool insert_user(std::string_view user_id, const Preferences& overrides,
                     const std::string& updated_at,
                     const std::vector<HistoryEntry>& history) override {
        PgParams params{std::string(user_id)};
        append_preferences(params, overrides);
        params.emplace_back(updated_at);
        return write(insert_user_sql, insert_user_with_history, std::move(params), history) > 0;
    }

    void update_user(std::string_view user_id, const Preferences& overrides,
                     const std::string& updated_at,
                     const std::vector<HistoryEntry>& history) override {
        PgParams params;
        append_preferences(params, overrides);
        params.emplace_back(updated_at);
        params.emplace_back(std::string(user_id));
        write(update_user_sql, update_user_with_history, std::move(params), history);
        if (locked_user_ && locked_user_->generation == connection_.generation() &&
            locked_user_->user_id == user_id) {
            locked_user_->row = {overrides, locked_user_->row.revision + 1};
        } else {
            locked_user_.reset();
        }
    }

    std::optional<Revised<ProjectSettings>> project_for_update(
        std::string_view user_id, std::string_view project_id) override {
        const auto result =
            db().run(select_project_for_update, {std::string(user_id), std::string(project_id)});
        if (result.rows() == 0) {
            return std::nullopt;
        }
        return Revised<ProjectSettings>{read_project(result, 0, 0), std::stoll(result.text(0, 2))};
    }

    bool insert_project(std::string_view user_id, std::string_view project_id,
                        const ProjectSettings& project, const std::string& updated_at,
                        const std::vector<HistoryEntry>& history) override {
        return write(insert_project_sql, insert_project_with_history,
                     project_params(user_id, project_id, project, updated_at), history) > 0;
    }

    void update_project(std::string_view user_id, std::string_view project_id,
                        const ProjectSettings& project, const std::string& updated_at,
                        const std::vector<HistoryEntry>& history) override {
        write(update_project_sql, update_project_with_history,
              project_params(user_id, project_id, project, updated_at), history);
    }

    // Two statements: under READ COMMITTED the count's snapshot is taken after
    // the lock was granted, so it sees every row added by an earlier holder.
    std::size_t count_projects_locked(std::string_view user_id) override {
        db().run(lock_user_projects, {std::string(user_id)});
        return std::stoull(db().run(count_projects, {std::string(user_id)}).text(0, 0));
    }

    void delete_users_and_projects() override {
        locked_user_.reset();
        db().exec("DELETE FROM project_settings");
        db().exec("DELETE FROM user_preferences");
    }

    std::int64_t append_history(const std::vector<HistoryEntry>& entries) override {
        return detail::append_history(db(), entries);
    }

    void set_revision(const RowRevision& row) override {
        const auto revision = std::to_string(row.revision);
        switch (row.scope) {
            case Scope::global:
                db().run(set_global_revision, {revision});
                break;
            case Scope::user:
                locked_user_.reset();
                db().run(set_user_revision, {revision, row.user_id});
                break;
            case Scope::project:
                db().run(set_project_revision, {revision, row.user_id, row.project_id});
                break;
        }
    }

    void replace_history(const std::vector<HistoryEntry>& entries, std::int64_t last_id) override {
        db().exec("DELETE FROM settings_history");
        for (const auto& entry : entries) {
            insert_history_entry(db(), entry.id, entry);
        }
        db().run(set_history_counter, {std::to_string(last_id)});
    }

    std::size_t purge_history(const std::string& before, std::size_t limit) override {
        return static_cast<std::size_t>(
            db().run(purge_history_sql, {before, std::to_string(limit)}).affected());
    }

  private:
    PgConnection& db() { return connection_.get(); }

    const GlobalSettings& remember(GlobalSettings global) {
        global_ = std::move(global);
        global_generation_ = connection_.generation();
        return *global_;
    }

    // Runs `plain`, or `with_history` when there are entries to append (the
    // last parameter); the rows changed (with history: the entries appended).
    std::size_t write(const PgStatement& plain, const PgStatement& with_history, PgParams params,
                      const std::vector<HistoryEntry>& history) {
        if (history.empty()) {
            return db().run(plain, params).affected();
        }
        params.emplace_back(pg_history_rows(history));
        return db().run(with_history, params).affected();
    }

    struct LockedUser {
        std::string user_id;
        Revised<Preferences> row;
        std::uint64_t generation = 0;
    };

    PgWriteConnection& connection_;
    std::optional<GlobalSettings> global_;
    std::uint64_t global_generation_ = 0;
    std::optional<LockedUser> locked_user_;
};

class PgSettingsBackend final : public SettingsBackend {
  public:
    PgSettingsBackend(PgPool& pool, std::function<void(std::size_t)> on_batch)
        : pool_(pool),
          writer_(pool),
          transaction_(writer_),
          group_(writer_, pool.lock_timeout(), {}, std::move(on_batch)) {}

    bool seed_global(const PreferencesUpdate& seed, const std::string& updated_at,
                     const std::vector<HistoryEntry>& history) override {
        std::string columns = "id, updated_at";
        std::string values = "1, $1";
        PgParams params{updated_at};
        for (const auto& field : field_table) {
            if (seed[field.field].has_value()) {
                columns.append(", ").append(column_of(field.field));
                params.push_back(pg_text(seed[field.field].value()));
                values.append(", $" + std::to_string(params.size()));
            }
        }
        // Of several hosts starting together exactly one inserts, and only it
        // records the seed's history.
        return pool_.with([&](PgConnection& db) {
            return in_transaction(db, "BEGIN", [&] {
                const bool created =
                    db.run_once("INSERT INTO global_settings (" + columns + ") VALUES (" + values +
                                    ") ON CONFLICT (id) DO NOTHING",
                                params)
                        .affected() == 1;
                if (created && !history.empty()) {
                    append_history(db, history);
                }
                return created;
            });
        });
    }

    GlobalSettings global() override {
        return pool_.with([](PgConnection& db) { return read_global(db.run(select_global)); });
    }

    UserLayers user_layers(std::string_view user_id) override {
        return pool_.with([&](PgConnection& db) {
            return read_user_layers(db.run(select_user_layers, {std::string(user_id)}));
        });
    }

    ProjectLayers project_layers(std::string_view user_id, std::string_view project_id) override {
        return pool_.with([&](PgConnection& db) {
            const auto result =
                db.run(select_project_layers, {std::string(user_id), std::string(project_id)});
            ProjectLayers layers{read_user_layers(result), std::nullopt};
            if (result.text(0, 2 * prefs + 3) == "t") {
                layers.project = read_project(result, 0, 2 * prefs + 4);
            }
            layers.project_revision = std::stoll(result.text(0, 2 * prefs + 6));
            return layers;
        });
    }

    std::optional<UserPreferences> user(std::string_view user_id) override {
        return pool_.with([&](PgConnection& db) -> std::optional<UserPreferences> {
            const auto result = db.run(select_user, {std::string(user_id)});
            if (result.rows() == 0) {
                return std::nullopt;
            }
            return UserPreferences{std::string(user_id), pg_preferences(result, 0, 0),
                                   result.text(0, prefs)};
        });
    }

    std::vector<ProjectSummary> projects(std::string_view user_id) override {
        return pool_.with([&](PgConnection& db) {
            const auto result = db.run(select_projects, {std::string(user_id)});
            std::vector<ProjectSummary> out;
            out.reserve(static_cast<std::size_t>(result.rows()));
            for (int row = 0; row < result.rows(); ++row) {
                out.push_back({result.text(row, 0), result.text(row, 1)});
            }
            return out;
        });
    }

    // Every table in one REPEATABLE READ transaction: one consistent snapshot.
    SettingsSnapshot snapshot() override {
        return pool_.with([&](PgConnection& db) {
            return in_transaction(db, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", [&] {
                SettingsSnapshot snapshot{read_global(db.run(select_global)), {}, {}};
                const auto users = db.run(select_all_users);
                for (int row = 0; row < users.rows(); ++row) {
                    snapshot.users.push_back({users.text(row, prefs + 1),
                                              pg_preferences(users, row, 0),
                                              users.text(row, prefs)});
                }
                const auto projects = db.run(select_all_projects);
                for (int row = 0; row < projects.rows(); ++row) {
                    snapshot.projects.push_back({projects.text(row, 0), projects.text(row, 1),
                                                 read_project(projects, row, 2)});
                }
                return snapshot;
            });
        });
    }

    std::vector<HistoryEntry> history(const HistoryQuery& query) override {
        return pool_.with([&](PgConnection& db) {
            return read_history(db.run(
                select_history,
                {std::to_string(query.before.value_or(std::numeric_limits<std::int64_t>::max())),
                 query.scope ? std::string(to_string(*query.scope)) : std::string("all"),
                 query.user_id, query.project_id, std::to_string(query.limit + 1)}));
        });
    }

    std::vector<HistoryEntry> history_after(std::int64_t after, std::size_t limit) override {
        return pool_.with([&](PgConnection& db) {
            return read_history(
                db.run(select_history_after, {std::to_string(after), std::to_string(limit)}));
        });
    }

    std::vector<RowRevision> revisions() override {
        return pool_.with([](PgConnection& db) {
            const auto result = db.run(select_revisions);
            std::vector<RowRevision> out;
            out.reserve(static_cast<std::size_t>(result.rows()));
            for (int row = 0; row < result.rows(); ++row) {
                out.push_back({scope_of_rank(std::stoi(result.text(row, 0))), result.text(row, 1),
                               result.text(row, 2), std::stoll(result.text(row, 3))});
            }
            return out;
        });
    }

    HistoryBounds history_bounds() override {
        return pool_.with([](PgConnection& db) {
            const auto result = db.run(select_history_bounds);
            if (result.rows() == 0) {
                throw StorageError("the history counter row is missing");
            }
            return HistoryBounds{std::stoll(result.text(0, 0)), std::stoll(result.text(0, 1))};
        });
    }

    void write(const std::function<void(SettingsTransaction&)>& job) override {
        try {
            group_.run([&] { job(transaction_); });
        } catch (const TransactionConflict& e) {
            throw StorageUnavailableError(e.what(), "40001");
        }
    }

  private:
    PgPool& pool_;
    PgWriteConnection writer_;
    PgSettingsTransaction transaction_;
    GroupCommit group_;
};

}  // namespace

std::unique_ptr<SettingsBackend> make_pg_settings_backend(
    PgPool& pool, std::function<void(std::size_t)> on_batch) {
    return std::make_unique<PgSettingsBackend>(pool, std::move(on_batch));
}

}  // namespace settings::detail
