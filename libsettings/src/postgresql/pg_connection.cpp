#include "postgresql/pg_connection.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <exception>
#include <optional>
#include <poll.h>
#include <utility>

#include <settings/errors.hpp>

#include "storage/group_commit.hpp"

namespace settings::detail {

namespace {

// How often a wait for an answer looks whether the server still answers.
constexpr auto answer_watch_interval = std::chrono::milliseconds(100);

// Ours come first: values in the URL override them.
constexpr std::array<const char*, 4> connect_keywords{"connect_timeout", "application_name",
                                                      "dbname", nullptr};

std::string first_line(const char* message) {
    std::string text = message != nullptr ? message : "";
    const auto end = text.find('\n');
    return end == std::string::npos ? text : text.substr(0, end);
}

// SQLSTATE classes where the operation may succeed later: connection exceptions
// (08), insufficient resources (53), operator intervention such as a shutdown
// or a cancelled statement (57), a lock wait that timed out (55P03).
bool is_transient(std::string_view state) {
    return state.starts_with("08") || state.starts_with("53") || state.starts_with("57") ||
           state == "55P03";
}

}  // namespace

std::size_t PgResult::affected() const {
    const char* count = PQcmdTuples(result_.get());
    return count != nullptr && *count != '\0' ? std::strtoull(count, nullptr, 10) : 0;
}

PgConnection::PgConnection(const std::string& url, std::chrono::milliseconds lock_timeout,
                           PgAnswerWait answer_wait)
    : connection_(nullptr, &PQfinish), answer_wait_(answer_wait) {
    const std::array<const char*, 4> values{"2", "settings-sessions", url.c_str(), nullptr};
    connection_.reset(PQconnectdbParams(connect_keywords.data(), values.data(), 1));
    if (!connection_ || PQstatus(connection_.get()) != CONNECTION_OK) {
        throw DatabaseOpenError("cannot connect to PostgreSQL at " + describe_postgresql_url(url) +
                                ": " + first_line(PQerrorMessage(connection_.get())));
    }
    // Replies are read as UTC text in the formats the libraries write.
    exec("SET TIME ZONE 'UTC'");
    exec("SET lock_timeout = " + std::to_string(lock_timeout.count()));
}

bool PgConnection::still_open() {
    return PQconsumeInput(connection_.get()) == 1 && healthy();
}

PgResult PgConnection::exec(std::string_view sql) {
    return exec_waiting(sql, Wait::bounded);
}

PgResult PgConnection::commit() {
    return exec_waiting("COMMIT", Wait::until_answered);
}

PgResult PgConnection::exec_waiting(std::string_view sql, Wait wait) {
    std::string text;
    for (auto& statement : std::exchange(deferred_, {})) {
        text.append(statement).append("; ");
    }
    text.append(sql);
    if (PQsendQuery(connection_.get(), text.c_str()) == 0) {
        return check(nullptr, text);
    }
    return collect(text, wait);
}

PgResult PgConnection::collect(std::string_view context, Wait wait) {
    std::unique_ptr<PGresult, decltype(&PQclear)> kept(nullptr, &PQclear);
    bool failed = false;
    for (;;) {
        await_answer(wait);
        PGresult* next = PQgetResult(connection_.get());
        if (next == nullptr) {
            break;
        }
        if (failed) {
            PQclear(next);
            continue;
        }
        failed = PQresultStatus(next) == PGRES_FATAL_ERROR;
        kept.reset(next);
    }
    return check(kept.release(), context);
}

void PgConnection::await_answer(Wait wait) {
    const auto* answers = answer_wait_.server_answers;
    if (wait == Wait::until_answered || (answers == nullptr && !answer_wait_.limit)) {
        return;  // PQgetResult blocks until the answer is there
    }
    std::optional<std::chrono::steady_clock::time_point> deadline;
    if (answer_wait_.limit) {
        deadline = std::chrono::steady_clock::now() + *answer_wait_.limit;
    }
    auto* db = connection_.get();
    while (PQisBusy(db) == 1) {
        auto slice = answer_watch_interval;
        if (deadline) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                *deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0) {
                abandon("PostgreSQL did not answer in time");
            }
            slice = std::min(slice, left);
        }
        pollfd socket{PQsocket(db), POLLIN, 0};
        const int ready = poll(&socket, 1, static_cast<int>(slice.count()));
        if (ready < 0 && errno != EINTR) {
            return;  // PQgetResult finds the same trouble and reports it
        }
        // Only after a slice without an answer: a probe that was merely slow
        // once cuts off nothing that the server answers at once.
        if (ready == 0 && answers != nullptr && !answers->load(std::memory_order_relaxed)) {
            abandon("PostgreSQL does not answer");
        }
        if (ready > 0 && PQconsumeInput(db) == 0) {
            return;
        }
    }
}

void PgConnection::abandon(const std::string& why) {
    connection_.reset();
    abandoned_ = true;
    throw StorageUnavailableError(why);
}

void PgConnection::defer(std::string sql) {
    deferred_.push_back(std::move(sql));
}

PgResult PgConnection::run(const PgStatement& statement, const PgParams& params) {
    std::vector<const char*> values;
    values.reserve(params.size());
    for (const auto& p : params) {
        values.push_back(p ? p->c_str() : nullptr);
    }
    if (!deferred_.empty()) {
        return run_pipelined(statement, values);
    }
    if (!prepared_.contains(statement.name)) {
        if (PQsendPrepare(connection_.get(), statement.name, statement.sql.c_str(), 0, nullptr) ==
            0) {
            return check(nullptr, statement.name);
        }
        collect(statement.name);
        prepared_.insert(statement.name);
    }
    if (PQsendQueryPrepared(connection_.get(), statement.name, static_cast<int>(values.size()),
                            values.data(), nullptr, nullptr, 0) == 0) {
        return check(nullptr, statement.name);
    }
    return collect(statement.name);
}

// The deferred statements, the statement's PREPARE when it is new here, and the
// statement itself, sent at once and answered in order. After a failure the
// server skips the rest (PGRES_PIPELINE_ABORTED) up to the sync; every answer
// is read before the first failure is thrown, so the connection stays usable.
PgResult PgConnection::run_pipelined(const PgStatement& statement,
                                     const std::vector<const char*>& values) {
    auto* db = connection_.get();
    const auto deferred = std::exchange(deferred_, {});
    const bool prepare = !prepared_.contains(statement.name);
    std::vector<std::string_view> contexts(deferred.begin(), deferred.end());
    bool sent = PQenterPipelineMode(db) == 1;
    for (const auto& sql : deferred) {
        sent = sent &&
               PQsendQueryParams(db, sql.c_str(), 0, nullptr, nullptr, nullptr, nullptr, 0) == 1;
    }
    if (prepare) {
        sent = sent && PQsendPrepare(db, statement.name, statement.sql.c_str(), 0, nullptr) == 1;
        contexts.emplace_back(statement.name);
    }
    sent = sent && PQsendQueryPrepared(db, statement.name, static_cast<int>(values.size()),
                                       values.data(), nullptr, nullptr, 0) == 1;
    contexts.emplace_back(statement.name);
    sent = sent && PQpipelineSync(db) == 1;
    std::exception_ptr failure;
    std::optional<PgResult> last;
    for (const auto context : contexts) {
        if (sent) {
            await_answer();
        }
        PGresult* raw = sent ? PQgetResult(db) : nullptr;
        const bool answered = raw != nullptr;
        if (answered && PQresultStatus(raw) == PGRES_PIPELINE_ABORTED) {
            PQclear(raw);
        } else {
            try {
                last.emplace(check(raw, context));
            } catch (...) {
                if (!failure) {
                    failure = std::current_exception();
                }
            }
        }
        while (answered) {  // up to the NULL that closes each answer
            await_answer();
            PGresult* more = PQgetResult(db);
            if (more == nullptr) {
                break;
            }
            PQclear(more);
        }
    }
    if (sent) {
        // The sync's own answer, then out of pipeline mode.
        await_answer();
        while (PGresult* sync = PQgetResult(db)) {
            const bool done = PQresultStatus(sync) == PGRES_PIPELINE_SYNC;
            PQclear(sync);
            if (done) {
                break;
            }
        }
    }
    PQexitPipelineMode(db);
    if (failure) {
        std::rethrow_exception(failure);
    }
    if (!sent || !last) {
        return check(nullptr, statement.name);
    }
    if (prepare) {
        prepared_.insert(statement.name);
    }
    return std::move(*last);
}

PgResult PgConnection::run_once(const std::string& sql, const PgParams& params) {
    std::vector<const char*> values;
    values.reserve(params.size());
    for (const auto& p : params) {
        values.push_back(p ? p->c_str() : nullptr);
    }
    if (PQsendQueryParams(connection_.get(), sql.c_str(), static_cast<int>(values.size()), nullptr,
                          values.data(), nullptr, nullptr, 0) == 0) {
        return check(nullptr, sql);
    }
    return collect(sql);
}

PgResult PgConnection::check(PGresult* raw, std::string_view context) {
    PgResult result(raw);
    const auto status = raw != nullptr ? PQresultStatus(raw) : PGRES_FATAL_ERROR;
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
        return result;
    }
    const char* state_field = raw != nullptr ? PQresultErrorField(raw, PG_DIAG_SQLSTATE) : nullptr;
    const std::string state = state_field != nullptr ? state_field : "";
    const std::string message =
        "PostgreSQL (" + std::string(context.substr(0, 60)) + "): " +
        first_line(raw != nullptr ? PQresultErrorMessage(raw) : PQerrorMessage(connection_.get()));
    if (state == "55P03" && healthy()) {
        throw LockWaitTimeout(message, state);
    }
    if (!healthy() || state.empty() || is_transient(state)) {
        throw StorageUnavailableError(message, state);
    }
    if (state == "40001" || state == "40P01") {
        throw TransactionConflict(message);
    }
    throw StorageError(message, state);
}

std::string describe_postgresql_url(const std::string& url) {
    char* error = nullptr;
    PQconninfoOption* options = PQconninfoParse(url.c_str(), &error);
    if (options == nullptr) {
        PQfreemem(error);
        return "(an unparsable URL)";
    }
    std::string host = "localhost";
    std::string port = "5432";
    std::string database;
    for (auto* o = options; o->keyword != nullptr; ++o) {
        if (o->val == nullptr) {
            continue;
        }
        const std::string_view keyword = o->keyword;
        if (keyword == "host" || keyword == "hostaddr") {
            host = o->val;
        } else if (keyword == "port") {
            port = o->val;
        } else if (keyword == "dbname") {
            database = o->val;
        }
    }
    PQconninfoFree(options);
    return host + ":" + port + "/" + database;
}

}  // namespace settings::detail
