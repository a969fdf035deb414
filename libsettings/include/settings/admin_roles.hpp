#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <settings/clock.hpp>
#include <settings/storage.hpp>

namespace settings {

/// A user who may change the global settings.
struct Admin {
    std::string user_id;
    /// The login last seen at sign-in; nothing for an admin added by id who has
    /// not signed in since.
    std::optional<std::string> login;
    std::string created_at;

    friend bool operator==(const Admin&, const Admin&) = default;
};

enum class AdminRemoval {
    removed,
    not_an_admin,  // nothing stored for that user id
    last_admin,    // refused: the database would have no admin left
};

/// The admins stored in a database (security.md, "Who may change global
/// settings"). Users are named by their GitHub user id. Thread-safe; several
/// processes (hosts, on PostgreSQL) may share one database: `claim_first` makes
/// exactly one admin however many sign in at once, and `remove` never leaves the
/// database without an admin. Storage failures throw StorageError, or
/// StorageUnavailableError when a retry may succeed.
class AdminRoles {
  public:
    explicit AdminRoles(std::shared_ptr<Storage> storage,
                        const Clock& clock = SystemClock::instance());
    ~AdminRoles();
    AdminRoles(const AdminRoles&) = delete;
    AdminRoles& operator=(const AdminRoles&) = delete;

    [[nodiscard]] bool is_admin(std::string_view user_id);

    /// Every stored admin, by user id.
    [[nodiscard]] std::vector<Admin> list();

    /// Stores `user_id` as an admin; false (and nothing changed) when it is one
    /// already. Throws std::invalid_argument for an invalid user id.
    bool add(std::string_view user_id, std::optional<std::string_view> login = std::nullopt);

    /// Removes a stored admin unless it is the last one.
    AdminRemoval remove(std::string_view user_id);

    /// Makes `user_id` the admin when no admin is stored yet (the first user who
    /// signs in); true when this call did.
    bool claim_first(std::string_view user_id, std::string_view login);

    /// Records the login an admin signed in with; nothing for other users.
    void remember_login(std::string_view user_id, std::string_view login);

  private:
    class Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace settings
