#include <algorithm>
#include <cctype>

#include <service/admin_policy.hpp>
#include <settings/log.hpp>

namespace service {

namespace {

// GitHub logins are ASCII and case-insensitive.
std::string lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

}  // namespace

AdminPolicy::AdminPolicy(std::vector<std::string> configured, settings::AdminRoles& roles)
    : configured_(std::move(configured)), roles_(roles) {}

bool AdminPolicy::configured_admin(const session::SessionUser& user) const {
    const auto login = lower(user.github_username);
    return std::any_of(configured_.begin(), configured_.end(), [&](const std::string& entry) {
        return entry == user.github_user_id || lower(entry) == login;
    });
}

bool AdminPolicy::is_admin(const session::SessionUser& user) {
    return configured_admin(user) || roles_.is_admin(user.github_user_id);
}

void AdminPolicy::signed_in(const session::SessionUser& user) {
    if (configured_.empty() && roles_.claim_first(user.github_user_id, user.github_username)) {
        settings::log::warn("admins", "ADMIN_USERS is not set: " + user.github_username +
                                          ", the first user to sign in, is now the admin");
        return;
    }
    // Read first: most sign-ins are not admins', and a read takes no write lock.
    if (roles_.is_admin(user.github_user_id)) {
        roles_.remember_login(user.github_user_id, user.github_username);
    }
}

}  // namespace service
