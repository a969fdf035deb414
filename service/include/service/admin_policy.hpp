#pragma once

#include <string>
#include <vector>

#include <session/session.hpp>
#include <settings/admin_roles.hpp>

namespace service {

/// Who is an admin (security.md): the users ADMIN_USERS names (by user id, or by
/// login in any case), in addition to the admins stored in the database. With
/// ADMIN_USERS unset, the first user who signs in while no admin is stored
/// becomes one. Thread-safe; may block on the database.
class AdminPolicy {
  public:
    /// `configured`: the entries of ADMIN_USERS, empty when it is unset.
    AdminPolicy(std::vector<std::string> configured, settings::AdminRoles& roles);

    [[nodiscard]] bool is_admin(const session::SessionUser& user);

    /// Called for every sign-in, before its session is handed out.
    void signed_in(const session::SessionUser& user);

  private:
    [[nodiscard]] bool configured_admin(const session::SessionUser& user) const;

    std::vector<std::string> configured_;
    settings::AdminRoles& roles_;
};

}  // namespace service
