#include <algorithm>
#include <atomic>
#include <stdexcept>

#include <session/session_store.hpp>
#include <settings/log.hpp>
#include <settings/timestamp.hpp>
#include <settings/validation.hpp>

#include "session_cookie.hpp"
#include "storage/storage_engine.hpp"
#include "token_cipher.hpp"

namespace session {

namespace {

using namespace std::chrono;
using settings::detail::ExpiryCutoffs;
using settings::detail::SessionRow;

constexpr auto component = "sessions";
// Sessions read and rewritten per transaction by reseal_tokens.
constexpr std::size_t reseal_batch_size = 500;

}  // namespace

class SessionStore::Impl {
  public:
    Impl(std::shared_ptr<settings::Storage> storage, const SessionStoreOptions& options)
        : options_(options),
          cipher_(options_.token_key),
          storage_(std::move(storage)),
          backend_(storage_->internals().session_backend()) {
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
        backend_->insert(
            id,
            SessionRow{user.github_user_id, user.github_username, user.github_avatar_url,
                       cipher_.seal(tokens.access_token, token_context(id, "access_token")),
                       sealed_refresh_token(id, tokens), tokens.expires_at, std::nullopt, at, at});
        created_.fetch_add(1, std::memory_order_relaxed);
        return {Session{user, tokens, std::nullopt, at, at}, cookie};
    }

    std::optional<Session> find(const std::string& id) {
        const auto row = backend_->find(id);
        if (!row) {
            settings::log::debug(component, "lookup: no such session");
            return std::nullopt;
        }
        auto found = open_row(*row, id);
        const auto at = now();
        if (!found || is_expired(*found, at)) {
            backend_->remove_if_expired(id, expiry_cutoffs(at));
            if (found) {
                expired_.fetch_add(1, std::memory_order_relaxed);
            }
            settings::log::debug(component, found ? "lookup: expired session rejected"
                                                  : "lookup: unreadable session rejected");
            return std::nullopt;
        }
        if (at - *settings::parse_timestamp(found->updated_at) <= touch_interval()) {
            settings::log::debug(component, "lookup: session found");
            return found;
        }
        const std::string stamp = settings::format_timestamp(at);
        const auto touched = backend_->touch(id, stamp);
        if (touched == false) {
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
        const auto at = now();
        if (!is_live(id, at)) {
            return std::nullopt;
        }
        const auto row = backend_->set_selected_project(
            id, project_id, settings::format_timestamp(at), expiry_cutoffs(at));
        if (!row) {
            return std::nullopt;
        }
        settings::log::debug(component, "selected project changed");
        return open_row(*row, id);
    }

    bool update_tokens(const std::string& id, const OAuthTokens& tokens) {
        const auto at = now();
        if (!is_live(id, at)) {
            return false;
        }
        const auto row = backend_->set_tokens(
            id, cipher_.seal(tokens.access_token, token_context(id, "access_token")),
            sealed_refresh_token(id, tokens), tokens.expires_at, settings::format_timestamp(at),
            expiry_cutoffs(at));
        if (row) {
            settings::log::debug(component, "tokens replaced");
        }
        return row.has_value();
    }

    bool remove(const std::string& id) {
        settings::log::debug(component, "session removed");
        return backend_->remove(id);
    }

    std::size_t remove_all_for_user(std::string_view user_id) {
        settings::log::debug(component, "sessions of a user removed");
        return backend_->remove_user(user_id);
    }

    std::size_t purge_batch() {
        const auto removed =
            backend_->purge_batch(expiry_cutoffs(now()), options_.purge_batch_size);
        purged_.fetch_add(removed, std::memory_order_relaxed);
        return removed;
    }

    [[nodiscard]] SessionCounts counts() const {
        return {created_.load(std::memory_order_relaxed), expired_.load(std::memory_order_relaxed),
                purged_.load(std::memory_order_relaxed)};
    }

    [[nodiscard]] std::size_t purge_batch_size() const { return options_.purge_batch_size; }

    TokenPass reseal_tokens(const std::optional<TokenKey>& previous_key) {
        const std::optional<detail::TokenCipher> previous =
            previous_key ? std::optional(detail::TokenCipher(previous_key)) : std::nullopt;
        TokenPass pass;
        std::string after;
        for (;;) {
            const auto batch = backend_->tokens_after(after, reseal_batch_size);
            std::vector<settings::detail::TokenRewrite> rewrites;
            for (const auto& [id, tokens] : batch) {
                auto access =
                    resealed(tokens.access_token, token_context(id, "access_token"), previous);
                auto refresh = tokens.refresh_token
                                   ? resealed(*tokens.refresh_token,
                                              token_context(id, "refresh_token"), previous)
                                   : std::optional<std::string>();
                if (!access || (tokens.refresh_token && !refresh)) {
                    ++pass.unreadable;
                    continue;
                }
                settings::detail::StoredTokens sealed{std::move(*access), std::move(refresh)};
                if (sealed != tokens) {
                    rewrites.push_back({id, tokens, std::move(sealed)});
                }
            }
            if (!rewrites.empty()) {
                pass.sealed += backend_->rewrite_tokens(rewrites);
            }
            if (batch.size() < reseal_batch_size) {
                return pass;
            }
            after = batch.back().first;
        }
    }

  private:
    // Whether `find` would return the session (without recording activity). The
    // write that follows checks expiry again in its own statement, so a session
    // deleted or expired in between is never changed.
    bool is_live(const std::string& id, system_clock::time_point at) {
        const auto row = backend_->find(id);
        if (!row) {
            return false;
        }
        const auto session = open_row(*row, id);
        return session && !is_expired(*session, at);
    }

    [[nodiscard]] system_clock::time_point now() const {
        return floor<milliseconds>(options_.clock->now());
    }

    [[nodiscard]] ExpiryCutoffs expiry_cutoffs(system_clock::time_point at) const {
        return {settings::format_timestamp(at - options_.expire_after),
                settings::format_timestamp(at - options_.max_age)};
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

    // A stored token as it should be stored under the current key: unchanged when
    // it is so already, nothing when no key we have opens it.
    std::optional<std::string> resealed(const std::string& stored, const std::string& context,
                                        const std::optional<detail::TokenCipher>& previous) const {
        if (!detail::TokenCipher::is_sealed(stored)) {
            return cipher_.seal(stored, context);  // the same text when there is no key
        }
        if (cipher_.open(stored, context)) {
            return stored;
        }
        if (previous && cipher_.has_key()) {
            if (auto token = previous->open(stored, context)) {
                return cipher_.seal(*token, context);
            }
        }
        return std::nullopt;
    }

    // Nothing when the row cannot be trusted: bad timestamps or tokens that do not
    // open with our key. The ciphertext never leaves this function.
    std::optional<Session> open_row(const SessionRow& row, const std::string& id) const {
        Session s;
        s.user = {row.github_user_id, row.github_username, row.github_avatar_url};
        auto access = cipher_.open(row.access_token, token_context(id, "access_token"));
        if (!access) {
            return std::nullopt;
        }
        s.tokens.access_token = std::move(*access);
        if (row.refresh_token) {
            s.tokens.refresh_token =
                cipher_.open(*row.refresh_token, token_context(id, "refresh_token"));
            if (!s.tokens.refresh_token) {
                return std::nullopt;
            }
        }
        s.tokens.expires_at = row.token_expires_at;
        s.selected_project_id = row.selected_project_id;
        s.created_at = row.created_at;
        s.updated_at = row.updated_at;
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

    // `s` comes from open_row, which checked its timestamps.
    [[nodiscard]] bool is_expired(const Session& s, system_clock::time_point at) const {
        return at > expiry(*settings::parse_timestamp(s.created_at),
                           *settings::parse_timestamp(s.updated_at));
    }

    SessionStoreOptions options_;
    detail::TokenCipher cipher_;
    std::shared_ptr<settings::Storage> storage_;
    std::unique_ptr<settings::detail::SessionBackend> backend_;
    std::atomic<std::uint64_t> created_{0};
    std::atomic<std::uint64_t> expired_{0};
    std::atomic<std::uint64_t> purged_{0};
};

SessionStore::SessionStore(std::shared_ptr<settings::Storage> storage, SessionStoreOptions options)
    : impl_(std::make_unique<Impl>(std::move(storage), options)) {}

SessionStore::~SessionStore() = default;

SessionCounts SessionStore::counts() const {
    return impl_->counts();
}

std::chrono::milliseconds SessionStore::touch_interval() const {
    return impl_->touch_interval();
}

std::chrono::system_clock::time_point SessionStore::quiet_until(const Session& s) const {
    return impl_->quiet_until(s);
}

CreatedSession SessionStore::create(const SessionUser& user, const OAuthTokens& tokens) {
    auto created = impl_->create(user, tokens);
    settings::log::debug(component, "session created");
    return created;
}

std::optional<Session> SessionStore::find(std::string_view cookie) {
    if (!detail::is_cookie_value(cookie)) {
        settings::log::debug(component, "lookup: malformed cookie rejected");
        return std::nullopt;
    }
    return impl_->find(detail::session_id_of(cookie));
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
    const std::optional<std::string> project =
        project_id ? std::optional<std::string>(*project_id) : std::nullopt;
    return impl_->select_project(detail::session_id_of(cookie), project);
}

bool SessionStore::update_tokens(std::string_view cookie, const OAuthTokens& tokens) {
    if (!detail::is_cookie_value(cookie)) {
        return false;
    }
    return impl_->update_tokens(detail::session_id_of(cookie), tokens);
}

bool SessionStore::remove(std::string_view cookie) {
    if (!detail::is_cookie_value(cookie)) {
        return false;
    }
    return impl_->remove(detail::session_id_of(cookie));
}

std::size_t SessionStore::remove_all_for_user(std::string_view github_user_id) {
    return impl_->remove_all_for_user(github_user_id);
}

TokenPass SessionStore::reseal_tokens(const std::optional<TokenKey>& previous_key) {
    return impl_->reseal_tokens(previous_key);
}

std::size_t SessionStore::purge_expired(const std::function<void(std::size_t)>& after_batch) {
    std::size_t total = 0;
    for (;;) {
        // Each batch takes the write lock for itself only, so requests go on between.
        const std::size_t removed = impl_->purge_batch();
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
