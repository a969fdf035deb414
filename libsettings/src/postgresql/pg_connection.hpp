#pragma once

// Thin RAII types over libpq: a connection with its prepared statements, and a
// query result. Every parameter and column travels in libpq's text format.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <libpq-fe.h>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace settings::detail {

/// A statement prepared by name on each connection that runs it.
struct PgStatement {
    const char* name;
    std::string sql;
};

using PgParams = std::vector<std::optional<std::string>>;

/// A query's result rows; columns by index, NULL as nothing.
class PgResult {
  public:
    explicit PgResult(PGresult* result) : result_(result, &PQclear) {}

    [[nodiscard]] int rows() const { return PQntuples(result_.get()); }
    [[nodiscard]] bool is_null(int row, int column) const {
        return PQgetisnull(result_.get(), row, column) == 1;
    }
    [[nodiscard]] std::string text(int row, int column) const {
        return {PQgetvalue(result_.get(), row, column),
                static_cast<std::size_t>(PQgetlength(result_.get(), row, column))};
    }
    [[nodiscard]] std::optional<std::string> optional_text(int row, int column) const {
        if (is_null(row, column)) {
            return std::nullopt;
        }
        return text(row, column);
    }
    /// Rows an INSERT, UPDATE or DELETE changed.
    [[nodiscard]] std::size_t affected() const;

  private:
    std::unique_ptr<PGresult, decltype(&PQclear)> result_;
};

/// When a connection's wait for an answer ends without one; by default, never.
struct PgAnswerWait {
    /// Kept by whoever probes the server: every wait ends once it is false.
    const std::atomic<bool>* server_answers = nullptr;
    /// Each answer's own limit (the probe's).
    std::optional<std::chrono::milliseconds> limit;
};

/// One libpq connection. Not thread-safe: its owner serialises its use. Failures
/// throw StorageUnavailableError (connection lost, server shutting down, lock
/// wait timed out: a retry may succeed), TransactionConflict (deadlock or
/// serialization failure) or StorageError, with the SQLSTATE as the code.
///
/// A server that stops answering (frozen, or cut off without a reset) must not
/// hold a caller forever: a wait for an answer ends as its PgAnswerWait says. The
/// connection is then closed and the call throws StorageUnavailableError; a
/// statement that was sent may still run once the server answers again,
/// outside any transaction it was part of, which the closed connection rolls
/// back. A COMMIT is the exception (`commit`): its outcome would be unknown, so
/// it is waited for however long it takes.
class PgConnection {
  public:
    /// Connects with `url` (a libpq connection URI) and sets per-session options.
    /// Throws DatabaseOpenError with libpq's reason (never the password).
    PgConnection(const std::string& url, std::chrono::milliseconds lock_timeout,
                 PgAnswerWait answer_wait = {});

    /// Runs a statement without parameters: scripts, BEGIN, ROLLBACK.
    PgResult exec(std::string_view sql);
    /// COMMIT (after what `defer` queued), waiting for its answer without limit.
    PgResult commit();
    /// Runs a prepared statement, preparing it on this connection first if needed.
    PgResult run(const PgStatement& statement, const PgParams& params = {});
    /// Queues one statement without parameters (SAVEPOINT, SET LOCAL …) to be
    /// sent before the next statement, in the same round trip: by `run` in
    /// libpq's pipeline mode, by `exec` in front of its text. A failure of one
    /// of them is that statement's failure.
    void defer(std::string sql);
    /// Drops what `defer` queued and was not sent.
    void forget_deferred() { deferred_.clear(); }
    /// Runs a statement with parameters once, without keeping it prepared.
    PgResult run_once(const std::string& sql, const PgParams& params);

    /// False once the connection was lost; the owner replaces it.
    [[nodiscard]] bool healthy() const { return PQstatus(connection_.get()) == CONNECTION_OK; }
    /// Like `healthy`, but first reads what the server sent while the connection
    /// sat idle (without waiting), so that a connection the server closed (a
    /// restart, a failover) is found out before a statement is sent on it.
    [[nodiscard]] bool still_open();
    /// True outside a transaction: the state a pooled connection is handed out in.
    [[nodiscard]] bool idle() const {
        return PQtransactionStatus(connection_.get()) == PQTRANS_IDLE;
    }
    /// True once a wait for an answer was given up (and the connection closed):
    /// making a new connection to the same server is no better.
    [[nodiscard]] bool abandoned() const { return abandoned_; }

  private:
    enum class Wait { bounded, until_answered };

    PgResult exec_waiting(std::string_view sql, Wait wait);
    // The answers to what was sent, as PQexec gives them: the last result, or
    // the first failure.
    PgResult collect(std::string_view context, Wait wait = Wait::bounded);
    // Returns once PQgetResult would not block (see the class comment).
    void await_answer(Wait wait = Wait::bounded);
    [[noreturn]] void abandon(const std::string& why);
    PgResult check(PGresult* result, std::string_view context);
    PgResult run_pipelined(const PgStatement& statement, const std::vector<const char*>& values);

    std::unique_ptr<PGconn, decltype(&PQfinish)> connection_;
    PgAnswerWait answer_wait_;
    bool abandoned_ = false;
    std::unordered_set<const char*> prepared_;
    std::vector<std::string> deferred_;
};

/// Runs `fn()` between `begin` (a BEGIN statement) and COMMIT on `db`; on any
/// failure rolls back, so that the connection goes back to its pool idle.
template <typename Fn>
auto in_transaction(PgConnection& db, std::string_view begin, Fn&& fn) -> decltype(fn()) {
    db.exec(begin);
    try {
        auto result = fn();
        db.commit();
        return result;
    } catch (...) {
        if (db.healthy() && !db.idle()) {
            db.exec("ROLLBACK");
        }
        throw;
    }
}

/// `host:port/database` of a libpq URI, for logs: never the user or password.
std::string describe_postgresql_url(const std::string& url);

}  // namespace settings::detail
