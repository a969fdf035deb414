#include <stdexcept>

#include <settings/admin_roles.hpp>
#include <settings/log.hpp>
#include <settings/timestamp.hpp>
#include <settings/validation.hpp>

#include "storage/storage_engine.hpp"

namespace settings {

class AdminRoles::Impl {
  public:
    Impl(std::shared_ptr<Storage> storage, const Clock& clock)
        : storage_(std::move(storage)),
          clock_(clock),
          backend_(storage_->internals().admin_backend()) {}

    [[nodiscard]] detail::AdminBackend& backend() { return *backend_; }

    [[nodiscard]] Admin admin(std::string_view user_id,
                              std::optional<std::string_view> login) const {
        return {std::string(user_id), login ? std::optional<std::string>(*login) : std::nullopt,
                format_timestamp(clock_.now())};
    }

  private:
    std::shared_ptr<Storage> storage_;
    const Clock& clock_;
    std::unique_ptr<detail::AdminBackend> backend_;
};

AdminRoles::AdminRoles(std::shared_ptr<Storage> storage, const Clock& clock)
    : impl_(std::make_unique<Impl>(std::move(storage), clock)) {}

AdminRoles::~AdminRoles() = default;

bool AdminRoles::is_admin(std::string_view user_id) {
    return impl_->backend().contains(user_id);
}

std::vector<Admin> AdminRoles::list() {
    return impl_->backend().all();
}

bool AdminRoles::add(std::string_view user_id, std::optional<std::string_view> login) {
    if (auto error = validate_user_id(user_id)) {
        throw std::invalid_argument("invalid user id: " + error->message);
    }
    const bool added = impl_->backend().insert(impl_->admin(user_id, login));
    if (added) {
        log::info("admins", "added admin " + std::string(user_id));
    }
    return added;
}

AdminRemoval AdminRoles::remove(std::string_view user_id) {
    const auto outcome = impl_->backend().remove(user_id);
    if (outcome == AdminRemoval::removed) {
        log::info("admins", "removed admin " + std::string(user_id));
    }
    return outcome;
}

bool AdminRoles::claim_first(std::string_view user_id, std::string_view login) {
    return impl_->backend().insert_if_none(impl_->admin(user_id, login));
}

void AdminRoles::remember_login(std::string_view user_id, std::string_view login) {
    impl_->backend().set_login(user_id, login);
}

}  // namespace settings
