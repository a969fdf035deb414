#include <mutex>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <settings/database_changes.hpp>
#include <settings/statement_scope.hpp>

namespace settings {

class DatabaseChanges::Impl {
  public:
    explicit Impl(const Database& database)
        : database_(database.open_connection()),
          data_version_(database_.connection(), "PRAGMA data_version") {
        // A caller on an I/O thread must never sleep here: a busy lock is a miss.
        database_.connection().setBusyTimeout(0);
    }

    std::optional<std::int64_t> version() {
        const std::scoped_lock lock(mutex_);
        try {
            StatementScope query(data_version_);
            if (!query->executeStep()) {
                return std::nullopt;
            }
            return query->getColumn(0).getInt64();
        } catch (const SQLite::Exception&) {
            return std::nullopt;
        }
    }

  private:
    std::mutex mutex_;
    Database database_;
    SQLite::Statement data_version_;
};

DatabaseChanges::DatabaseChanges(const Database& database)
    : impl_(std::make_unique<Impl>(database)) {}

DatabaseChanges::~DatabaseChanges() = default;

std::optional<std::int64_t> DatabaseChanges::version() {
    return impl_->version();
}

}  // namespace settings
