#include <algorithm>
#include <mutex>
#include <stdexcept>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <session/session_store.hpp>
#include <settings/errors.hpp>
#include <settings/log.hpp>
#include <settings/statement_scope.hpp>
#include <settings/storage_errors.hpp>
#include <settings/timestamp.hpp>
#include <settings/validation.hpp>

#include "session_cookie.hpp"
#include "token_cipher.hpp"

namespace session {

namespace {

using namespace std::chrono;
using settings::StatementScope;

constexpr auto insert_sql =
    "INSERT INTO user_sessions (session_id, github_user_id, github_username, "
    "github_avatar_url, access_token, refresh_token, token_expires_at, selected_project_id, "
    "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?, ?)";

constexpr auto select_sql =
    "SELECT github_user_id, github_username, github_avatar_url, access_token, refresh_token, "
    "token_expires_at, selected_project_id, created_at, updated_at FROM user_sessions "
    "WHERE session_id = ?";

// Plain UPDATEs only: a row that was deleted stays deleted.
constexpr auto touch_sql = "UPDATE user_sessions SET updated_at = ? WHERE session_id = ?";

constexpr auto select_project_sql =
    "UPDATE user_sessions SET selected_project_id = ?, updated_at = ? WHERE session_id = ?";

constexpr auto update_tokens_sql =
    "UPDATE user_sessions SET access_token = ?, refresh_token = ?, token_expires_at = ?, "
    "updated_at = ? WHERE session_id = ?";

constexpr auto delete_sql = "DELETE FROM user_sessions WHERE session_id = ?";

constexpr auto delete_if_expired_sql =
    "DELETE FROM user_sessions WHERE session_id = ? AND (updated_at < ? OR created_at < ?)";

constexpr auto delete_user_sql = "DELETE FROM user_sessions WHERE github_user_id = ?";

constexpr auto purge_batch_sql =
    "DELETE FROM user_sessions WHERE rowid IN (SELECT rowid FROM user_sessions "
    "WHERE updated_at < ? OR created_at < ? LIMIT ?)";

constexpr auto component = "sessions";

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

template <typename Fn>
auto guarded(std::string_view context, Fn&& fn) -> decltype(fn()) {
    try {
        return fn();
    } catch (const SQLite::Exception& e) {
        settings::throw_storage_error(e, context);
    }
}

}  // namespace

class SessionStore::Impl {
  public:
    Impl(settings::Database database, SessionStoreOptions options)
        : options_(std::move(options)),
          cipher_(options_.token_key),
          db_(std::move(database)),
          insert_(db_.connection(), insert_sql),
          select_(db_.connection(), select_sql),
          touch_(db_.connection(), touch_sql),
          select_project_(db_.connection(), select_project_sql),
          update_tokens_(db_.connection(), update_tokens_sql),
          delete_(db_.connection(), delete_sql),
          delete_if_expired_(db_.connection(), delete_if_expired_sql),
          delete_user_(db_.connection(), delete_user_sql),
          purge_batch_(db_.connection(), purge_batch_sql) {
        if (options_.expire_after <= milliseconds::zero() ||
            options_.max_age <= milliseconds::zero() || options_.purge_batch_size == 0) {
            throw std::invalid_argument(
                "session expiry, maximum age and purge batch size must be positive");
        }
    }

    std::mutex mutex;

    [[nodiscard]] milliseconds touch_interval() const {
        return std::min<milliseconds>(minutes(5), options_.expire_after / 10);
    }

    [[nodiscard]] system_clock::time_point now() const {
        return floor<milliseconds>(options_.clock->now());
    }

    // Sessions whose updated_at is before the first, or created_at before the
    // second, are expired.
    [[nodiscard]] std::pair<std::string, std::string> expiry_cutoffs(
        system_clock::time_point at) const {
        return {settings::format_timestamp(at - options_.expire_after),
                settings::format_timestamp(at - options_.max_age)};
    }

    CreatedSession create(const SessionUser& user, const OAuthTokens& tokens) {
        const std::string cookie = detail::new_cookie_value();
        const std::string id = detail::session_id_of(cookie);
        const std::string at = settings::format_timestamp(now());
        StatementScope insert(insert_);
        insert->bind(1, id);
        insert->bind(2, user.github_user_id);
        insert->bind(3, user.github_username);
        bind_optional(*insert, 4, user.github_avatar_url);
        insert->bind(5, cipher_.seal(tokens.access_token, token_context(id, "access_token")));
        bind_optional(*insert, 6, sealed_refresh_token(id, tokens));
        bind_optional(*insert, 7, tokens.expires_at);
        insert->bind(8, at);
        insert->bind(9, at);
        insert->exec();
        return {Session{user, tokens, std::nullopt, at, at}, cookie};
    }

    // The live session of `id`, expired rows deleted; `touch` records activity.
    std::optional<Session> live(const std::string& id, bool touch) {
        std::optional<Session> found;
        {
            StatementScope row(select_);
            row->bind(1, id);
            if (!row->executeStep()) {
                settings::log::debug(component, "lookup: no such session");
                return std::nullopt;
            }
            found = read_row(*row, id);
        }
        const auto at = now();
        if (!found || is_expired(*found, at)) {
            const auto [inactive_before, created_before] = expiry_cutoffs(at);
            StatementScope remove(delete_if_expired_);
            remove->bind(1, id);
            remove->bind(2, inactive_before);
            remove->bind(3, created_before);
            remove->exec();
            settings::log::debug(component, found ? "lookup: expired session deleted"
                                                  : "lookup: unreadable session rejected");
            return std::nullopt;
        }
        const auto last = settings::parse_timestamp(found->updated_at);
        if (touch && at - *last > touch_interval()) {
            const std::string stamp = settings::format_timestamp(at);
            StatementScope update(touch_);
            update->bind(1, stamp);
            update->bind(2, id);
            if (update->exec() == 0) {
                return std::nullopt;  // removed while we looked
            }
            found->updated_at = stamp;
            settings::log::debug(component, "lookup: activity recorded");
        } else {
            settings::log::debug(component, "lookup: session found");
        }
        return found;
    }

    std::optional<Session> select_project(const std::string& id,
                                          const std::optional<std::string>& project_id) {
        auto found = live(id, false);
        if (!found) {
            return std::nullopt;
        }
        const std::string stamp = settings::format_timestamp(now());
        StatementScope update(select_project_);
        bind_optional(*update, 1, project_id);
        update->bind(2, stamp);
        update->bind(3, id);
        if (update->exec() == 0) {
            return std::nullopt;
        }
        found->selected_project_id = project_id;
        found->updated_at = stamp;
        settings::log::debug(component, "selected project changed");
        return found;
    }

    bool update_tokens(const std::string& id, const OAuthTokens& tokens) {
        if (!live(id, false)) {
            return false;
        }
        StatementScope update(update_tokens_);
        update->bind(1, cipher_.seal(tokens.access_token, token_context(id, "access_token")));
        bind_optional(*update, 2, sealed_refresh_token(id, tokens));
        bind_optional(*update, 3, tokens.expires_at);
        update->bind(4, settings::format_timestamp(now()));
        update->bind(5, id);
        const bool updated = update->exec() > 0;
        settings::log::debug(component, "tokens replaced");
        return updated;
    }

    bool remove(const std::string& id) {
        StatementScope remove(delete_);
        remove->bind(1, id);
        settings::log::debug(component, "session removed");
        return remove->exec() > 0;
    }

    std::size_t remove_all_for_user(std::string_view user_id) {
        StatementScope remove(delete_user_);
        remove->bind(1, std::string(user_id));
        settings::log::debug(component, "sessions of a user removed");
        return static_cast<std::size_t>(remove->exec());
    }

    // One batch in its own (autocommit) transaction.
    std::size_t purge_batch() {
        const auto [inactive_before, created_before] = expiry_cutoffs(now());
        StatementScope purge(purge_batch_);
        purge->bind(1, inactive_before);
        purge->bind(2, created_before);
        purge->bind(3, static_cast<int64_t>(options_.purge_batch_size));
        return static_cast<std::size_t>(purge->exec());
    }

    [[nodiscard]] std::size_t purge_batch_size() const { return options_.purge_batch_size; }

  private:
    static std::string token_context(const std::string& id, std::string_view column) {
        return id + ":" + std::string(column);
    }

    std::optional<std::string> sealed_refresh_token(const std::string& id,
                                                    const OAuthTokens& tokens) const {
        if (!tokens.refresh_token) {
            return std::nullopt;
        }
        return cipher_.seal(*tokens.refresh_token, token_context(id, "refresh_token"));
    }

    // Nothing when the row cannot be trusted: bad timestamps or tokens that do not
    // open with our key. The ciphertext never leaves this function.
    std::optional<Session> read_row(SQLite::Statement& row, const std::string& id) const {
        Session s;
        s.user.github_user_id = row.getColumn(0).getString();
        s.user.github_username = row.getColumn(1).getString();
        s.user.github_avatar_url = optional_text(row.getColumn(2));
        auto access = cipher_.open(row.getColumn(3).getString(), token_context(id, "access_token"));
        if (!access) {
            return std::nullopt;
        }
        s.tokens.access_token = std::move(*access);
        if (const auto refresh = optional_text(row.getColumn(4))) {
            s.tokens.refresh_token = cipher_.open(*refresh, token_context(id, "refresh_token"));
            if (!s.tokens.refresh_token) {
                return std::nullopt;
            }
        }
        s.tokens.expires_at = optional_text(row.getColumn(5));
        s.selected_project_id = optional_text(row.getColumn(6));
        s.created_at = row.getColumn(7).getString();
        s.updated_at = row.getColumn(8).getString();
        if (!settings::parse_timestamp(s.created_at) || !settings::parse_timestamp(s.updated_at)) {
            return std::nullopt;
        }
        return s;
    }

    [[nodiscard]] bool is_expired(const Session& s, system_clock::time_point at) const {
        const auto updated = *settings::parse_timestamp(s.updated_at);
        const auto created = *settings::parse_timestamp(s.created_at);
        return at - updated > options_.expire_after || at - created > options_.max_age;
    }

    SessionStoreOptions options_;
    detail::TokenCipher cipher_;
    settings::Database db_;
    SQLite::Statement insert_;
    SQLite::Statement select_;
    SQLite::Statement touch_;
    SQLite::Statement select_project_;
    SQLite::Statement update_tokens_;
    SQLite::Statement delete_;
    SQLite::Statement delete_if_expired_;
    SQLite::Statement delete_user_;
    SQLite::Statement purge_batch_;
};

SessionStore::SessionStore(settings::Database database, SessionStoreOptions options)
    : impl_(std::make_unique<Impl>(std::move(database), std::move(options))) {}

SessionStore::~SessionStore() = default;

std::chrono::milliseconds SessionStore::touch_interval() const {
    return impl_->touch_interval();
}

CreatedSession SessionStore::create(const SessionUser& user, const OAuthTokens& tokens) {
    const std::scoped_lock lock(impl_->mutex);
    auto created = guarded("creating a session", [&] { return impl_->create(user, tokens); });
    settings::log::debug(component, "session created");
    return created;
}

std::optional<Session> SessionStore::find(std::string_view cookie) {
    if (!detail::is_cookie_value(cookie)) {
        settings::log::debug(component, "lookup: malformed cookie rejected");
        return std::nullopt;
    }
    const auto id = detail::session_id_of(cookie);
    const std::scoped_lock lock(impl_->mutex);
    return guarded("looking up a session", [&] { return impl_->live(id, true); });
}

std::optional<Session> SessionStore::select_project(std::string_view cookie,
                                                    std::optional<std::string_view> project_id) {
    if (project_id) {
        if (auto error = settings::validate_project_id(*project_id)) {
            throw std::invalid_argument("project_id " + error->message);
        }
    }
    if (!detail::is_cookie_value(cookie)) {
        return std::nullopt;
    }
    const auto id = detail::session_id_of(cookie);
    const std::optional<std::string> project =
        project_id ? std::optional<std::string>(*project_id) : std::nullopt;
    const std::scoped_lock lock(impl_->mutex);
    return guarded("selecting a project", [&] { return impl_->select_project(id, project); });
}

bool SessionStore::update_tokens(std::string_view cookie, const OAuthTokens& tokens) {
    if (!detail::is_cookie_value(cookie)) {
        return false;
    }
    const auto id = detail::session_id_of(cookie);
    const std::scoped_lock lock(impl_->mutex);
    return guarded("updating session tokens", [&] { return impl_->update_tokens(id, tokens); });
}

bool SessionStore::remove(std::string_view cookie) {
    if (!detail::is_cookie_value(cookie)) {
        return false;
    }
    const auto id = detail::session_id_of(cookie);
    const std::scoped_lock lock(impl_->mutex);
    return guarded("removing a session", [&] { return impl_->remove(id); });
}

std::size_t SessionStore::remove_all_for_user(std::string_view github_user_id) {
    const std::scoped_lock lock(impl_->mutex);
    return guarded("removing a user's sessions",
                   [&] { return impl_->remove_all_for_user(github_user_id); });
}

std::size_t SessionStore::purge_expired(const std::function<void(std::size_t)>& after_batch) {
    std::size_t total = 0;
    for (;;) {
        std::size_t removed = 0;
        {
            // The lock is released between batches so that requests go on.
            const std::scoped_lock lock(impl_->mutex);
            removed = guarded("purging expired sessions", [&] { return impl_->purge_batch(); });
        }
        total += removed;
        if (removed > 0 && after_batch) {
            after_batch(total);
        }
        if (removed < impl_->purge_batch_size()) {
            break;
        }
    }
    settings::log::info(component, "purged " + std::to_string(total) + " expired sessions");
    return total;
}

}  // namespace session
