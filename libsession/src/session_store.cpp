#include <algorithm>
#include <mutex>
#include <stdexcept>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <sqlite3.h>

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

// A connection, the lock that serialises its use, and its statements.
struct Reader {
    explicit Reader(settings::Database database)
        : db(std::move(database)), select(db.connection(), select_sql) {}

    std::mutex mutex;
    settings::Database db;
    SQLite::Statement select;
};

struct Writer {
    explicit Writer(settings::Database database)
        : db(std::move(database)),
          select(db.connection(), select_sql),
          insert(db.connection(), insert_sql),
          touch(db.connection(), touch_sql),
          select_project(db.connection(), select_project_sql),
          update_tokens(db.connection(), update_tokens_sql),
          remove(db.connection(), delete_sql),
          remove_if_expired(db.connection(), delete_if_expired_sql),
          remove_user(db.connection(), delete_user_sql),
          purge_batch(db.connection(), purge_batch_sql) {}

    std::mutex mutex;
    settings::Database db;
    SQLite::Statement select;
    SQLite::Statement insert;
    SQLite::Statement touch;
    SQLite::Statement select_project;
    SQLite::Statement update_tokens;
    SQLite::Statement remove;
    SQLite::Statement remove_if_expired;
    SQLite::Statement remove_user;
    SQLite::Statement purge_batch;
};

}  // namespace

// Lookups read through their own connection, and the writes a lookup makes on
// the side (recording activity, deleting an expired row) are best effort: when
// the write lock is busy they are skipped, so sessions keep working while
// another process holds the database's write lock.
class SessionStore::Impl {
  public:
    Impl(settings::Database database, const SessionStoreOptions& options)
        : options_(options),
          cipher_(options_.token_key),
          writer_(std::move(database)),
          reader_(writer_.db.open_connection()) {
        if (options_.expire_after <= milliseconds::zero() ||
            options_.max_age <= milliseconds::zero() || options_.purge_batch_size == 0) {
            throw std::invalid_argument(
                "session expiry, maximum age and purge batch size must be positive");
        }
    }

    [[nodiscard]] milliseconds touch_interval() const {
        return std::min<milliseconds>(minutes(5), options_.expire_after / 10);
    }

    [[nodiscard]] system_clock::time_point quiet_until(const Session& s) const {
        const auto updated = settings::parse_timestamp(s.updated_at);
        const auto created = settings::parse_timestamp(s.created_at);
        if (!updated || !created) {
            return system_clock::time_point::min();
        }
        return std::min(*updated + touch_interval(), expiry(*created, *updated));
    }

    CreatedSession create(const SessionUser& user, const OAuthTokens& tokens) {
        const std::string cookie = detail::new_cookie_value();
        const std::string id = detail::session_id_of(cookie);
        const std::string at = settings::format_timestamp(now());
        const std::scoped_lock lock(writer_.mutex);
        writer_.db.ensure_file_in_place();
        StatementScope insert(writer_.insert);
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

    std::optional<Session> find(const std::string& id) {
        std::optional<Session> found;
        bool exists = false;
        {
            const std::scoped_lock lock(reader_.mutex);
            StatementScope row(reader_.select);
            row->bind(1, id);
            exists = row->executeStep();
            if (exists) {
                found = read_row(*row, id);
            }
        }
        if (!exists) {
            settings::log::debug(component, "lookup: no such session");
            return std::nullopt;
        }
        const auto at = now();
        if (!found || is_expired(*found, at)) {
            reject(id, found.has_value(), at);
            return std::nullopt;
        }
        if (at - *settings::parse_timestamp(found->updated_at) <= touch_interval()) {
            settings::log::debug(component, "lookup: session found");
            return found;
        }
        const std::string stamp = settings::format_timestamp(at);
        const auto touched = best_effort_write([&] {
            StatementScope update(writer_.touch);
            update->bind(1, stamp);
            update->bind(2, id);
            return update->exec();
        });
        if (touched == 0) {
            settings::log::debug(component, "lookup: session removed meanwhile");
            return std::nullopt;
        }
        if (touched) {
            found->updated_at = stamp;
            settings::log::debug(component, "lookup: activity recorded");
        }
        return found;
    }

    std::optional<Session> select_project(const std::string& id,
                                          const std::optional<std::string>& project_id) {
        const std::scoped_lock lock(writer_.mutex);
        writer_.db.ensure_file_in_place();
        auto found = live_for_write(id);
        if (!found) {
            return std::nullopt;
        }
        const std::string stamp = settings::format_timestamp(now());
        StatementScope update(writer_.select_project);
        bind_optional(*update, 1, project_id);
        update->bind(2, stamp);
        update->bind(3, id);
        update->exec();
        found->selected_project_id = project_id;
        found->updated_at = stamp;
        settings::log::debug(component, "selected project changed");
        return found;
    }

    bool update_tokens(const std::string& id, const OAuthTokens& tokens) {
        const std::scoped_lock lock(writer_.mutex);
        writer_.db.ensure_file_in_place();
        if (!live_for_write(id)) {
            return false;
        }
        StatementScope update(writer_.update_tokens);
        update->bind(1, cipher_.seal(tokens.access_token, token_context(id, "access_token")));
        bind_optional(*update, 2, sealed_refresh_token(id, tokens));
        bind_optional(*update, 3, tokens.expires_at);
        update->bind(4, settings::format_timestamp(now()));
        update->bind(5, id);
        update->exec();
        settings::log::debug(component, "tokens replaced");
        return true;
    }

    bool remove(const std::string& id) {
        const std::scoped_lock lock(writer_.mutex);
        writer_.db.ensure_file_in_place();
        StatementScope remove(writer_.remove);
        remove->bind(1, id);
        settings::log::debug(component, "session removed");
        return remove->exec() > 0;
    }

    std::size_t remove_all_for_user(std::string_view user_id) {
        const std::scoped_lock lock(writer_.mutex);
        writer_.db.ensure_file_in_place();
        StatementScope remove(writer_.remove_user);
        remove->bind(1, std::string(user_id));
        settings::log::debug(component, "sessions of a user removed");
        return static_cast<std::size_t>(remove->exec());
    }

    // One batch in its own (autocommit) transaction.
    std::size_t purge_batch() {
        const auto [inactive_before, created_before] = expiry_cutoffs(now());
        const std::scoped_lock lock(writer_.mutex);
        writer_.db.ensure_file_in_place();
        StatementScope purge(writer_.purge_batch);
        purge->bind(1, inactive_before);
        purge->bind(2, created_before);
        purge->bind(3, static_cast<int64_t>(options_.purge_batch_size));
        return static_cast<std::size_t>(purge->exec());
    }

    [[nodiscard]] std::size_t purge_batch_size() const { return options_.purge_batch_size; }

  private:
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

    // Runs `write` on the write connection unless another thread or process holds
    // the write lock right now; nothing when it was skipped.
    template <typename Fn>
    std::optional<int> best_effort_write(Fn&& write) {
        const std::unique_lock lock(writer_.mutex, std::try_to_lock);
        if (!lock.owns_lock()) {
            return std::nullopt;
        }
        auto& db = writer_.db.connection();
        db.setBusyTimeout(0);
        std::optional<int> result;
        try {
            result = write();
        } catch (const SQLite::Exception& e) {
            if (e.getErrorCode() != SQLITE_BUSY && e.getErrorCode() != SQLITE_LOCKED) {
                db.setBusyTimeout(static_cast<int>(writer_.db.busy_timeout().count()));
                throw;
            }
        }
        db.setBusyTimeout(static_cast<int>(writer_.db.busy_timeout().count()));
        return result;
    }

    // Deletes an expired or unreadable row, if it is still expired.
    void reject(const std::string& id, bool readable, system_clock::time_point at) {
        const auto cutoffs = expiry_cutoffs(at);
        best_effort_write([&] {
            StatementScope remove(writer_.remove_if_expired);
            remove->bind(1, id);
            remove->bind(2, cutoffs.first);
            remove->bind(3, cutoffs.second);
            return remove->exec();
        });
        settings::log::debug(component, readable ? "lookup: expired session rejected"
                                                 : "lookup: unreadable session rejected");
    }

    // The live session of `id`, read on the write connection (whose lock the
    // caller holds) right before a write to it.
    std::optional<Session> live_for_write(const std::string& id) {
        std::optional<Session> found;
        {
            StatementScope row(writer_.select);
            row->bind(1, id);
            if (!row->executeStep()) {
                return std::nullopt;
            }
            found = read_row(*row, id);
        }
        if (!found || is_expired(*found, now())) {
            return std::nullopt;
        }
        return found;
    }

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

    // The last moment a session created and last active at these times is live.
    [[nodiscard]] system_clock::time_point expiry(system_clock::time_point created,
                                                  system_clock::time_point updated) const {
        return std::min(updated + options_.expire_after, created + options_.max_age);
    }

    // `s` comes from read_row, which checked its timestamps.
    [[nodiscard]] bool is_expired(const Session& s, system_clock::time_point at) const {
        return at > expiry(*settings::parse_timestamp(s.created_at),
                           *settings::parse_timestamp(s.updated_at));
    }

    SessionStoreOptions options_;
    detail::TokenCipher cipher_;
    Writer writer_;
    Reader reader_;
};

SessionStore::SessionStore(settings::Database database, SessionStoreOptions options)
    : impl_(std::make_unique<Impl>(std::move(database), options)) {}

SessionStore::~SessionStore() = default;

std::chrono::milliseconds SessionStore::touch_interval() const {
    return impl_->touch_interval();
}

std::chrono::system_clock::time_point SessionStore::quiet_until(const Session& s) const {
    return impl_->quiet_until(s);
}

CreatedSession SessionStore::create(const SessionUser& user, const OAuthTokens& tokens) {
    auto created = settings::with_storage_errors("creating a session",
                                                 [&] { return impl_->create(user, tokens); });
    settings::log::debug(component, "session created");
    return created;
}

std::optional<Session> SessionStore::find(std::string_view cookie) {
    if (!detail::is_cookie_value(cookie)) {
        settings::log::debug(component, "lookup: malformed cookie rejected");
        return std::nullopt;
    }
    const auto id = detail::session_id_of(cookie);
    return settings::with_storage_errors("looking up a session", [&] { return impl_->find(id); });
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
    return settings::with_storage_errors("selecting a project",
                                         [&] { return impl_->select_project(id, project); });
}

bool SessionStore::update_tokens(std::string_view cookie, const OAuthTokens& tokens) {
    if (!detail::is_cookie_value(cookie)) {
        return false;
    }
    const auto id = detail::session_id_of(cookie);
    return settings::with_storage_errors("updating session tokens",
                                         [&] { return impl_->update_tokens(id, tokens); });
}

bool SessionStore::remove(std::string_view cookie) {
    if (!detail::is_cookie_value(cookie)) {
        return false;
    }
    const auto id = detail::session_id_of(cookie);
    return settings::with_storage_errors("removing a session", [&] { return impl_->remove(id); });
}

std::size_t SessionStore::remove_all_for_user(std::string_view github_user_id) {
    return settings::with_storage_errors(
        "removing a user's sessions", [&] { return impl_->remove_all_for_user(github_user_id); });
}

std::size_t SessionStore::purge_expired(const std::function<void(std::size_t)>& after_batch) {
    std::size_t total = 0;
    for (;;) {
        // Each batch takes the write lock for itself only, so requests go on between.
        const std::size_t removed = settings::with_storage_errors(
            "purging expired sessions", [&] { return impl_->purge_batch(); });
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
