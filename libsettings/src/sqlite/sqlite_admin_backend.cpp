#include "sqlite/sqlite_admin_backend.hpp"

#include <mutex>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <sqlite3.h>

#include "sqlite/sqlite_errors.hpp"
#include "sqlite/statement_scope.hpp"

namespace settings::detail {

namespace {

constexpr auto contains_sql = "SELECT 1 FROM admin_users WHERE github_user_id = ?";

constexpr auto all_sql =
    "SELECT github_user_id, github_username, created_at FROM admin_users "
    "ORDER BY github_user_id";

constexpr auto insert_sql =
    "INSERT INTO admin_users (github_user_id, github_username, created_at) VALUES (?, ?, ?) "
    "ON CONFLICT (github_user_id) DO NOTHING";

constexpr auto count_sql = "SELECT count(*) FROM admin_users";

constexpr auto delete_sql = "DELETE FROM admin_users WHERE github_user_id = ?";

constexpr auto set_login_sql =
    "UPDATE admin_users SET github_username = ?2 WHERE github_user_id = ?1 "
    "AND github_username IS NOT ?2";

class SqliteAdminBackend final : public AdminBackend {
  public:
    explicit SqliteAdminBackend(const SqliteDatabase& database)
        : writer_(database.open_connection()),
          reader_(database.open_connection()),
          contains_(reader_.connection(), contains_sql),
          writer_contains_(writer_.connection(), contains_sql),
          insert_(writer_.connection(), insert_sql),
          count_(writer_.connection(), count_sql),
          delete_(writer_.connection(), delete_sql),
          set_login_(writer_.connection(), set_login_sql) {}

    bool contains(std::string_view user_id) override {
        const std::scoped_lock lock(reader_mutex_);
        return with_storage_errors("reading admins", [&] { return exists(contains_, user_id); });
    }

    std::vector<Admin> all() override {
        const std::scoped_lock lock(reader_mutex_);
        return with_storage_errors("listing admins", [&] {
            SQLite::Statement rows(reader_.connection(), all_sql);
            std::vector<Admin> out;
            while (rows.executeStep()) {
                const auto login = rows.getColumn(1);
                out.push_back({rows.getColumn(0).getString(),
                               login.isNull() ? std::nullopt : std::optional(login.getString()),
                               rows.getColumn(2).getString()});
            }
            return out;
        });
    }

    bool insert(const Admin& admin) override {
        return transaction("adding an admin", [&] { return insert_row(admin); });
    }

    bool insert_if_none(const Admin& admin) override {
        return transaction("claiming the first admin",
                           [&] { return count() == 0 && insert_row(admin); });
    }

    AdminRemoval remove(std::string_view user_id) override {
        return transaction("removing an admin", [&] {
            if (!exists(writer_contains_, user_id)) {
                return AdminRemoval::not_an_admin;
            }
            if (count() <= 1) {
                return AdminRemoval::last_admin;
            }
            StatementScope remove(delete_);
            remove->bind(1, std::string(user_id));
            remove->exec();
            return AdminRemoval::removed;
        });
    }

    void set_login(std::string_view user_id, std::string_view login) override {
        transaction("recording an admin's login", [&] {
            StatementScope update(set_login_);
            update->bind(1, std::string(user_id));
            update->bind(2, std::string(login));
            return update->exec();
        });
    }

    void clear() override {
        transaction("deleting every admin",
                    [&] { return writer_.connection().exec("DELETE FROM admin_users"); });
    }

  private:
    // Runs `fn` in a BEGIN IMMEDIATE transaction on the write connection.
    template <typename Fn>
    auto transaction(std::string_view context, Fn&& fn) -> decltype(fn()) {
        const std::scoped_lock lock(writer_mutex_);
        auto& db = writer_.connection();
        return with_storage_errors(context, [&] {
            writer_.ensure_file_in_place();
            db.exec("BEGIN IMMEDIATE");
            try {
                auto result = fn();
                db.exec("COMMIT");
                return result;
            } catch (...) {
                if (sqlite3_get_autocommit(db.getHandle()) == 0) {
                    db.exec("ROLLBACK");
                }
                throw;
            }
        });
    }

    static bool exists(SQLite::Statement& statement, std::string_view user_id) {
        StatementScope row(statement);
        row->bind(1, std::string(user_id));
        return row->executeStep();
    }

    std::int64_t count() {
        StatementScope row(count_);
        row->executeStep();
        return row->getColumn(0).getInt64();
    }

    bool insert_row(const Admin& admin) {
        StatementScope insert(insert_);
        insert->bind(1, admin.user_id);
        if (admin.login) {
            insert->bind(2, *admin.login);
        } else {
            insert->bind(2);
        }
        insert->bind(3, admin.created_at);
        return insert->exec() == 1;
    }

    std::mutex writer_mutex_;
    SqliteDatabase writer_;
    std::mutex reader_mutex_;
    SqliteDatabase reader_;
    SQLite::Statement contains_;
    SQLite::Statement writer_contains_;
    SQLite::Statement insert_;
    SQLite::Statement count_;
    SQLite::Statement delete_;
    SQLite::Statement set_login_;
};

}  // namespace

std::unique_ptr<AdminBackend> make_sqlite_admin_backend(const SqliteDatabase& database) {
    return std::make_unique<SqliteAdminBackend>(database);
}

}  // namespace settings::detail
