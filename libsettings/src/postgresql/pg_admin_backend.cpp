#include "postgresql/pg_admin_backend.hpp"

#include "postgresql/pg_values.hpp"

namespace settings::detail {

namespace {

const PgStatement contains_admin{"contains_admin",
                                 "SELECT 1 FROM admin_users WHERE github_user_id = $1"};

// Byte order, as on SQLite.
const PgStatement all_admins{"all_admins", "SELECT github_user_id, github_username, " +
                                               pg_timestamp("created_at") +
                                               " FROM admin_users "
                                               "ORDER BY github_user_id COLLATE \"C\""};

const PgStatement insert_admin{
    "insert_admin",
    "INSERT INTO admin_users (github_user_id, github_username, created_at) VALUES ($1, $2, $3) "
    "ON CONFLICT (github_user_id) DO NOTHING"};

const PgStatement count_admins{"count_admins", "SELECT count(*) FROM admin_users"};

const PgStatement delete_admin{"delete_admin", "DELETE FROM admin_users WHERE github_user_id = $1"};

const PgStatement set_admin_login{
    "set_admin_login",
    "UPDATE admin_users SET github_username = $2 WHERE github_user_id = $1 "
    "AND github_username IS DISTINCT FROM $2"};

// Conflicts with itself and with every INSERT, UPDATE and DELETE; reads go on.
constexpr auto lock_sql = "LOCK TABLE admin_users IN SHARE ROW EXCLUSIVE MODE";

class PgAdminBackend final : public AdminBackend {
  public:
    explicit PgAdminBackend(PgPool& pool) : pool_(pool) {}

    bool contains(std::string_view user_id) override {
        return pool_.with([&](PgConnection& db) {
            return db.run(contains_admin, {std::string(user_id)}).rows() > 0;
        });
    }

    std::vector<Admin> all() override {
        return pool_.with([](PgConnection& db) {
            const auto result = db.run(all_admins);
            std::vector<Admin> out;
            out.reserve(static_cast<std::size_t>(result.rows()));
            for (int row = 0; row < result.rows(); ++row) {
                out.push_back(
                    {result.text(row, 0), result.optional_text(row, 1), result.text(row, 2)});
            }
            return out;
        });
    }

    bool insert(const Admin& admin) override {
        return transaction([&](PgConnection& db) { return insert_row(db, admin); });
    }

    bool insert_if_none(const Admin& admin) override {
        return transaction(
            [&](PgConnection& db) { return count(db) == 0 && insert_row(db, admin); });
    }

    AdminRemoval remove(std::string_view user_id) override {
        return transaction([&](PgConnection& db) {
            if (db.run(contains_admin, {std::string(user_id)}).rows() == 0) {
                return AdminRemoval::not_an_admin;
            }
            if (count(db) <= 1) {
                return AdminRemoval::last_admin;
            }
            db.run(delete_admin, {std::string(user_id)});
            return AdminRemoval::removed;
        });
    }

    void set_login(std::string_view user_id, std::string_view login) override {
        pool_.with([&](PgConnection& db) {
            return db.run(set_admin_login, {std::string(user_id), std::string(login)}).affected();
        });
    }

    void clear() override {
        pool_.with([](PgConnection& db) { return db.exec("DELETE FROM admin_users"); });
    }

  private:
    template <typename Fn>
    auto transaction(Fn&& fn) -> decltype(fn(std::declval<PgConnection&>())) {
        return pool_.with([&](PgConnection& db) {
            return in_transaction(db, "BEGIN", [&] {
                db.exec(lock_sql);
                return fn(db);
            });
        });
    }

    static std::int64_t count(PgConnection& db) {
        return std::stoll(db.run(count_admins).text(0, 0));
    }

    static bool insert_row(PgConnection& db, const Admin& admin) {
        return db.run(insert_admin, {admin.user_id, admin.login, admin.created_at}).affected() == 1;
    }

    PgPool& pool_;
};

}  // namespace

std::unique_ptr<AdminBackend> make_pg_admin_backend(PgPool& pool) {
    return std::make_unique<PgAdminBackend>(pool);
}

}  // namespace settings::detail
