#include "postgresql/pg_session_backend.hpp"

#include "postgresql/pg_values.hpp"

namespace settings::detail {

namespace {

const std::string session_columns =
    "github_user_id, github_username, github_avatar_url, access_token, refresh_token, " +
    pg_timestamp("token_expires_at") + ", selected_project_id, " + pg_timestamp("created_at") +
    ", " + pg_timestamp("updated_at");

const PgStatement insert_session{
    "insert_session",
    "INSERT INTO user_sessions (session_id, github_user_id, github_username, "
    "github_avatar_url, access_token, refresh_token, token_expires_at, selected_project_id, "
    "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"};

const PgStatement find_session{
    "find_session", "SELECT " + session_columns + " FROM user_sessions WHERE session_id = $1"};

// Plain UPDATEs only: a row that was deleted stays deleted.
const PgStatement touch_session{"touch_session",
                                "UPDATE user_sessions SET updated_at = $2 WHERE session_id = $1"};

const PgStatement select_project{
    "select_project",
    "UPDATE user_sessions SET selected_project_id = $2, updated_at = $3 "
    "WHERE session_id = $1 AND updated_at >= $4 AND created_at >= $5 RETURNING " +
        session_columns};

const PgStatement update_tokens{
    "update_tokens",
    "UPDATE user_sessions SET access_token = $2, refresh_token = $3, token_expires_at = $4, "
    "updated_at = $5 WHERE session_id = $1 AND updated_at >= $6 AND created_at >= $7 "
    "RETURNING " +
        session_columns};

const PgStatement delete_session{"delete_session",
                                 "DELETE FROM user_sessions WHERE session_id = $1"};

const PgStatement delete_if_expired{
    "delete_if_expired",
    "DELETE FROM user_sessions WHERE session_id = $1 AND (updated_at < $2 OR created_at < $3)"};

const PgStatement delete_user_sessions{"delete_user_sessions",
                                       "DELETE FROM user_sessions WHERE github_user_id = $1"};

// Rows another host is deleting right now are skipped, not waited for: two
// purges never block each other and never count a row twice.
const PgStatement purge_batch_statement{
    "purge_batch",
    "DELETE FROM user_sessions WHERE session_id IN (SELECT session_id FROM user_sessions "
    "WHERE updated_at < $1 OR created_at < $2 LIMIT $3 FOR UPDATE SKIP LOCKED)"};

const PgStatement all_sessions{"all_sessions", "SELECT " + session_columns +
                                                   ", session_id FROM user_sessions "
                                                   "ORDER BY session_id COLLATE \"C\""};

const PgStatement tokens_after_statement{
    "tokens_after",
    "SELECT session_id, access_token, refresh_token FROM user_sessions "
    "WHERE session_id COLLATE \"C\" > $1 ORDER BY session_id COLLATE \"C\" LIMIT $2"};

// Compare and set: a session whose tokens changed meanwhile is left alone.
const PgStatement rewrite_tokens_statement{
    "rewrite_tokens",
    "UPDATE user_sessions SET access_token = $2, refresh_token = $3 "
    "WHERE session_id = $1 AND access_token = $4 AND refresh_token IS NOT DISTINCT FROM $5"};

SessionRow read_row(const PgResult& result, int row = 0) {
    return {
        result.text(row, 0),          result.text(row, 1),          result.optional_text(row, 2),
        result.text(row, 3),          result.optional_text(row, 4), result.optional_text(row, 5),
        result.optional_text(row, 6), result.text(row, 7),          result.text(row, 8)};
}

std::optional<SessionRow> first_row(const PgResult& result) {
    if (result.rows() == 0) {
        return std::nullopt;
    }
    return read_row(result);
}

class PgSessionBackend final : public SessionBackend {
  public:
    explicit PgSessionBackend(PgPool& pool) : pool_(pool) {}

    void insert(const std::string& id, const SessionRow& row) override {
        run(insert_session, {id, row.github_user_id, row.github_username, row.github_avatar_url,
                             row.access_token, row.refresh_token, row.token_expires_at,
                             row.selected_project_id, row.created_at, row.updated_at});
    }

    std::optional<SessionRow> find(const std::string& id) override {
        return pool_.with([&](PgConnection& db) { return first_row(db.run(find_session, {id})); });
    }

    std::optional<bool> touch(const std::string& id, const std::string& updated_at) override {
        return run(touch_session, {id, updated_at}) > 0;
    }

    std::optional<bool> remove_if_expired(const std::string& id,
                                          const ExpiryCutoffs& cutoffs) override {
        return run(delete_if_expired, {id, cutoffs.inactive_before, cutoffs.created_before}) > 0;
    }

    std::optional<SessionRow> set_selected_project(const std::string& id,
                                                   const std::optional<std::string>& project_id,
                                                   const std::string& updated_at,
                                                   const ExpiryCutoffs& cutoffs) override {
        return pool_.with([&](PgConnection& db) {
            return first_row(db.run(
                select_project,
                {id, project_id, updated_at, cutoffs.inactive_before, cutoffs.created_before}));
        });
    }

    std::optional<SessionRow> set_tokens(const std::string& id, const std::string& access_token,
                                         const std::optional<std::string>& refresh_token,
                                         const std::optional<std::string>& expires_at,
                                         const std::string& updated_at,
                                         const ExpiryCutoffs& cutoffs) override {
        return pool_.with([&](PgConnection& db) {
            return first_row(
                db.run(update_tokens, {id, access_token, refresh_token, expires_at, updated_at,
                                       cutoffs.inactive_before, cutoffs.created_before}));
        });
    }

    bool remove(const std::string& id) override { return run(delete_session, {id}) > 0; }

    std::size_t remove_user(std::string_view github_user_id) override {
        return run(delete_user_sessions, {std::string(github_user_id)});
    }

    std::size_t purge_batch(const ExpiryCutoffs& cutoffs, std::size_t limit) override {
        return run(purge_batch_statement,
                   {cutoffs.inactive_before, cutoffs.created_before, std::to_string(limit)});
    }

    std::vector<std::pair<std::string, StoredTokens>> tokens_after(const std::string& after,
                                                                   std::size_t limit) override {
        return pool_.with([&](PgConnection& db) {
            const auto result = db.run(tokens_after_statement, {after, std::to_string(limit)});
            std::vector<std::pair<std::string, StoredTokens>> out;
            out.reserve(static_cast<std::size_t>(result.rows()));
            for (int row = 0; row < result.rows(); ++row) {
                out.emplace_back(result.text(row, 0),
                                 StoredTokens{result.text(row, 1), result.optional_text(row, 2)});
            }
            return out;
        });
    }

    std::size_t rewrite_tokens(const std::vector<TokenRewrite>& rewrites) override {
        return pool_.with([&](PgConnection& db) {
            return in_transaction(db, "BEGIN", [&] {
                std::size_t applied = 0;
                for (const auto& rewrite : rewrites) {
                    applied +=
                        db.run(rewrite_tokens_statement,
                               {rewrite.id, rewrite.to.access_token, rewrite.to.refresh_token,
                                rewrite.from.access_token, rewrite.from.refresh_token})
                            .affected();
                }
                return applied;
            });
        });
    }

    std::vector<std::pair<std::string, SessionRow>> all() override {
        return pool_.with([&](PgConnection& db) {
            const auto result = db.run(all_sessions);
            std::vector<std::pair<std::string, SessionRow>> out;
            out.reserve(static_cast<std::size_t>(result.rows()));
            for (int row = 0; row < result.rows(); ++row) {
                out.emplace_back(result.text(row, 9), read_row(result, row));
            }
            return out;
        });
    }

    void clear() override {
        pool_.with([](PgConnection& db) { return db.exec("DELETE FROM user_sessions"); });
    }

  private:
    std::size_t run(const PgStatement& statement, const PgParams& params) {
        return pool_.with([&](PgConnection& db) { return db.run(statement, params).affected(); });
    }

    PgPool& pool_;
};

}  // namespace

std::unique_ptr<SessionBackend> make_pg_session_backend(PgPool& pool) {
    return std::make_unique<PgSessionBackend>(pool);
}

}  // namespace settings::detail
