#pragma once

// Thin RAII types over libpq: a connection with its prepared statements, and a
// query result. Every parameter and column travels in libpq's text format.

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

/// One libpq connection. Not thread-safe: its owner serialises its use. Failures
/// throw StorageUnavailableError (connection lost, server shutting down, lock
/// wait timed out: a retry may succeed), TransactionConflict (deadlock or
/// serialization failure) or StorageError, with the SQLSTATE as the code.
class PgConnection {
  public:
    /// Connects with `url` (a libpq connection URI) and sets per-session options.
    /// Throws DatabaseOpenError with libpq's reason (never the password).
    PgConnection(const std::string& url, std::chrono::milliseconds lock_timeout);

    /// Runs a statement without parameters: scripts, BEGIN, COMMIT.
    PgResult exec(std::string_view sql);
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

  private:
    PgResult check(PGresult* result, std::string_view context);
    PgResult run_pipelined(const PgStatement& statement, const std::vector<const char*>& values);

    std::unique_ptr<PGconn, decltype(&PQfinish)> connection_;
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
        db.exec("COMMIT");
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
