#include "sqlite/sqlite_session_backend.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <mutex>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <sqlite3.h>

#include <settings/errors.hpp>
#include <settings/wait_deadline.hpp>

#include "sqlite/sqlite_errors.hpp"
#include "sqlite/statement_scope.hpp"
#include "storage/deadline_mutex.hpp"

namespace settings::detail {

namespace {

constexpr auto session_columns =
    "github_user_id, github_username, github_avatar_url, access_token, refresh_token, "
    "token_expires_at, selected_project_id, created_at, updated_at";

constexpr auto insert_sql =
    "INSERT INTO user_sessions (session_id, github_user_id, github_username, "
    "github_avatar_url, access_token, refresh_token, token_expires_at, selected_project_id, "
    "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

const std::string select_sql =
    std::string("SELECT ") + session_columns + " FROM user_sessions WHERE session_id = ?";

// Plain UPDATEs only: a row that was deleted stays deleted.
constexpr auto touch_sql = "UPDATE user_sessions SET updated_at = ? WHERE session_id = ?";

const std::string select_project_sql =
    std::string(
        "UPDATE user_sessions SET selected_project_id = ?, updated_at = ? "
        "WHERE session_id = ? AND updated_at >= ? AND created_at >= ? RETURNING ") +
    session_columns;

const std::string update_tokens_sql =
    std::string(
        "UPDATE user_sessions SET access_token = ?, refresh_token = ?, "
        "token_expires_at = ?, updated_at = ? "
        "WHERE session_id = ? AND updated_at >= ? AND created_at >= ? RETURNING ") +
    session_columns;

constexpr auto delete_sql = "DELETE FROM user_sessions WHERE session_id = ?";

constexpr auto delete_if_expired_sql =
    "DELETE FROM user_sessions WHERE session_id = ? AND (updated_at < ? OR created_at < ?)";

constexpr auto delete_user_sql = "DELETE FROM user_sessions WHERE github_user_id = ?";

constexpr auto purge_batch_sql =
    "DELETE FROM user_sessions WHERE session_id IN (SELECT session_id FROM user_sessions "
    "WHERE updated_at < ? OR created_at < ? LIMIT ?)";

constexpr auto tokens_after_sql =
    "SELECT session_id, access_token, refresh_token FROM user_sessions WHERE session_id > ? "
    "ORDER BY session_id LIMIT ?";

// Compare and set: `IS` so that a NULL refresh token matches a NULL.
constexpr auto rewrite_tokens_sql =
    "UPDATE user_sessions SET access_token = ?, refresh_token = ? "
    "WHERE session_id = ? AND access_token = ? AND refresh_token IS ?";

std::optional<std::string> optional_text(const SQLite::Column& column) {
    if (column.isNull()) {
        return std::nullopt;
    }
    return column.getString();
}

void bind_optional(SQLite::Statement& statement, int index, const std::optional<std::string>& v) {
    if (v) {
        statement.bind(index, *v);
    } else {
        statement.bind(index);
    }
}

SessionRow read_row(SQLite::Statement& row) {
    return {row.getColumn(0).getString(),    row.getColumn(1).getString(),
            optional_text(row.getColumn(2)), row.getColumn(3).getString(),
            optional_text(row.getColumn(4)), optional_text(row.getColumn(5)),
            optional_text(row.getColumn(6)), row.getColumn(7).getString(),
            row.getColumn(8).getString()};
}

class SqliteSessionBackend final : public SessionBackend {
  public:
    explicit SqliteSessionBackend(const SqliteDatabase& database)
        : writer_(database.open_connection()),
          reader_(database.open_connection()),
          find_(reader_.connection(), select_sql),
          insert_(writer_.connection(), insert_sql),
          touch_(writer_.connection(), touch_sql),
          select_project_(writer_.connection(), select_project_sql),
          update_tokens_(writer_.connection(), update_tokens_sql),
          remove_(writer_.connection(), delete_sql),
          remove_if_expired_(writer_.connection(), delete_if_expired_sql),
          remove_user_(writer_.connection(), delete_user_sql),
          purge_batch_(writer_.connection(), purge_batch_sql),
          tokens_after_(reader_.connection(), tokens_after_sql),
          rewrite_tokens_(writer_.connection(), rewrite_tokens_sql) {}

    void insert(const std::string& id, const SessionRow& row) override {
        write("creating a session", [&] {
            StatementScope insert(insert_);
            insert->bind(1, id);
            insert->bind(2, row.github_user_id);
            insert->bind(3, row.github_username);
            bind_optional(*insert, 4, row.github_avatar_url);
            insert->bind(5, row.access_token);
            bind_optional(*insert, 6, row.refresh_token);
            bind_optional(*insert, 7, row.token_expires_at);
            bind_optional(*insert, 8, row.selected_project_id);
            insert->bind(9, row.created_at);
            insert->bind(10, row.updated_at);
            return insert->exec();
        });
    }

    std::optional<SessionRow> find(const std::string& id) override {
        const std::scoped_lock lock(reader_mutex_);
        return reader_.run("looking up a session", [&]() -> std::optional<SessionRow> {
            StatementScope row(find_);
            row->bind(1, id);
            if (!row->executeStep()) {
                return std::nullopt;
            }
            return read_row(*row);
        });
    }

    std::optional<bool> touch(const std::string& id, const std::string& updated_at) override {
        return best_effort_write("recording session activity", [&] {
            StatementScope update(touch_);
            update->bind(1, updated_at);
            update->bind(2, id);
            return update->exec() > 0;
        });
    }

    std::optional<bool> remove_if_expired(const std::string& id,
                                          const ExpiryCutoffs& cutoffs) override {
        return best_effort_write("deleting an expired session", [&] {
            StatementScope remove(remove_if_expired_);
            remove->bind(1, id);
            remove->bind(2, cutoffs.inactive_before);
            remove->bind(3, cutoffs.created_before);
            return remove->exec() > 0;
        });
    }

    std::optional<SessionRow> set_selected_project(const std::string& id,
                                                   const std::optional<std::string>& project_id,
                                                   const std::string& updated_at,
                                                   const ExpiryCutoffs& cutoffs) override {
        return write("selecting a project", [&]() -> std::optional<SessionRow> {
            StatementScope update(select_project_);
            bind_optional(*update, 1, project_id);
            update->bind(2, updated_at);
            update->bind(3, id);
            update->bind(4, cutoffs.inactive_before);
            update->bind(5, cutoffs.created_before);
            if (!update->executeStep()) {
                return std::nullopt;
            }
            return read_row(*update);
        });
    }

    std::optional<SessionRow> set_tokens(const std::string& id, const std::string& access_token,
                                         const std::optional<std::string>& refresh_token,
                                         const std::optional<std::string>& expires_at,
                                         const std::string& updated_at,
                                         const ExpiryCutoffs& cutoffs) override {
        return write("updating session tokens", [&]() -> std::optional<SessionRow> {
            StatementScope update(update_tokens_);
            update->bind(1, access_token);
            bind_optional(*update, 2, refresh_token);
            bind_optional(*update, 3, expires_at);
            update->bind(4, updated_at);
            update->bind(5, id);
            update->bind(6, cutoffs.inactive_before);
            update->bind(7, cutoffs.created_before);
            if (!update->executeStep()) {
                return std::nullopt;
            }
            return read_row(*update);
        });
    }

    bool remove(const std::string& id) override {
        return write("removing a session", [&] {
            StatementScope remove(remove_);
            remove->bind(1, id);
            return remove->exec() > 0;
        });
    }

    std::size_t remove_user(std::string_view github_user_id) override {
        return write("removing a user's sessions", [&] {
            StatementScope remove(remove_user_);
            remove->bind(1, std::string(github_user_id));
            return static_cast<std::size_t>(remove->exec());
        });
    }

    std::size_t purge_batch(const ExpiryCutoffs& cutoffs, std::size_t limit) override {
        return write("purging expired sessions", [&] {
            StatementScope purge(purge_batch_);
            purge->bind(1, cutoffs.inactive_before);
            purge->bind(2, cutoffs.created_before);
            purge->bind(3, static_cast<int64_t>(limit));
            return static_cast<std::size_t>(purge->exec());
        });
    }

    std::vector<std::pair<std::string, StoredTokens>> tokens_after(const std::string& after,
                                                                   std::size_t limit) override {
        const std::scoped_lock lock(reader_mutex_);
        return with_storage_errors("reading session tokens", [&] {
            StatementScope rows(tokens_after_);
            rows->bind(1, after);
            rows->bind(2, static_cast<int64_t>(limit));
            std::vector<std::pair<std::string, StoredTokens>> out;
            while (rows->executeStep()) {
                out.emplace_back(rows->getColumn(0).getString(),
                                 StoredTokens{rows->getColumn(1).getString(),
                                              optional_text(rows->getColumn(2))});
            }
            return out;
        });
    }

    std::size_t rewrite_tokens(const std::vector<TokenRewrite>& rewrites) override {
        return write("rewriting session tokens", [&] {
            SQLite::Transaction transaction(writer_.connection(),
                                            SQLite::TransactionBehavior::IMMEDIATE);
            std::size_t applied = 0;
            for (const auto& rewrite : rewrites) {
                StatementScope update(rewrite_tokens_);
                update->bind(1, rewrite.to.access_token);
                bind_optional(*update, 2, rewrite.to.refresh_token);
                update->bind(3, rewrite.id);
                update->bind(4, rewrite.from.access_token);
                bind_optional(*update, 5, rewrite.from.refresh_token);
                applied += static_cast<std::size_t>(update->exec());
            }
            transaction.commit();
            return applied;
        });
    }

    std::vector<std::pair<std::string, SessionRow>> all() override {
        const std::scoped_lock lock(reader_mutex_);
        return reader_.run("reading every session", [&] {
            SQLite::Statement rows(reader_.connection(),
                                   std::string("SELECT ") + session_columns +
                                       ", session_id FROM user_sessions ORDER BY session_id");
            std::vector<std::pair<std::string, SessionRow>> out;
            while (rows.executeStep()) {
                out.emplace_back(rows.getColumn(9).getString(), read_row(rows));
            }
            return out;
        });
    }

    void clear() override {
        write("deleting every session",
              [&] { return writer_.connection().exec("DELETE FROM user_sessions"); });
    }

  private:
    // Waits for the other writes of this process and then for the file's write
    // lock, both only until the thread's deadline (WaitDeadline, else the busy
    // timeout from now).
    template <typename Fn>
    auto write(std::string_view context, Fn&& fn) -> decltype(fn()) {
        const auto deadline = WaitDeadline::current().value_or(std::chrono::steady_clock::now() +
                                                               writer_.busy_timeout());
        const std::unique_lock lock(writer_mutex_, deadline);
        if (!lock.owns_lock()) {
            throw StorageUnavailableError(std::string(context) +
                                          ": other writes of this process kept the database busy");
        }
        auto& db = writer_.connection();
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        db.setBusyTimeout(static_cast<int>(std::max<std::int64_t>(0, left.count())));
        struct RestoreBusyTimeout {
            SqliteDatabase& db;
            ~RestoreBusyTimeout() {
                db.connection().setBusyTimeout(static_cast<int>(db.busy_timeout().count()));
            }
        } restore{writer_};
        return writer_.run_write(context, std::forward<Fn>(fn));
    }

    // Runs `fn` on the write connection unless another thread or process holds
    // the write lock right now; nothing when it was skipped.
    template <typename Fn>
    std::optional<bool> best_effort_write(std::string_view context, Fn&& fn) {
        const std::unique_lock lock(writer_mutex_, std::try_to_lock);
        if (!lock.owns_lock()) {
            return std::nullopt;
        }
        auto& db = writer_.connection();
        db.setBusyTimeout(0);
        std::optional<bool> result;
        try {
            writer_.ensure_file_in_place();
            result = fn();
        } catch (const SQLite::Exception& e) {
            db.setBusyTimeout(static_cast<int>(writer_.busy_timeout().count()));
            writer_.note_failure(e);
            if (e.getErrorCode() != SQLITE_BUSY && e.getErrorCode() != SQLITE_LOCKED) {
                throw_storage_error(e, context);
            }
            return std::nullopt;
        } catch (...) {
            db.setBusyTimeout(static_cast<int>(writer_.busy_timeout().count()));
            throw;
        }
        db.setBusyTimeout(static_cast<int>(writer_.busy_timeout().count()));
        return result;
    }

    DeadlineMutex writer_mutex_;
    SqliteDatabase writer_;
    std::mutex reader_mutex_;
    SqliteDatabase reader_;
    SQLite::Statement find_;
    SQLite::Statement insert_;
    SQLite::Statement touch_;
    SQLite::Statement select_project_;
    SQLite::Statement update_tokens_;
    SQLite::Statement remove_;
    SQLite::Statement remove_if_expired_;
    SQLite::Statement remove_user_;
    SQLite::Statement purge_batch_;
    SQLite::Statement tokens_after_;
    SQLite::Statement rewrite_tokens_;
};

}  // namespace

std::unique_ptr<SessionBackend> make_sqlite_session_backend(const SqliteDatabase& database) {
    return std::make_unique<SqliteSessionBackend>(database);
}

}  // namespace settings::detail
