#include <stdexcept>

#include <settings/storage.hpp>

#include "postgresql/pg_engine.hpp"
#include "sqlite/sqlite_engine.hpp"
#include "storage/storage_engine.hpp"

namespace settings {

std::string_view to_string(StorageEngine engine) {
    switch (engine) {
        case StorageEngine::sqlite:
            return "sqlite";
        case StorageEngine::postgresql:
            return "postgresql";
    }
    return "sqlite";
}

std::string_view to_string(StorageState state) {
    switch (state) {
        case StorageState::ok:
            return "ok";
        case StorageState::unavailable:
            return "unavailable";
        case StorageState::replaced:
            return "replaced";
        case StorageState::corrupt:
            return "corrupt";
    }
    return "unavailable";
}

std::shared_ptr<Storage> Storage::open(std::string_view location, const StorageOptions& options) {
    int schema_version = 0;
    if (location.starts_with("postgresql://") || location.starts_with("postgres://")) {
        std::string description;
        auto engine =
            detail::open_postgresql_engine(location, options, schema_version, description);
        return std::shared_ptr<Storage>(new Storage(std::move(engine), StorageEngine::postgresql,
                                                    schema_version, std::move(description),
                                                    options.busy_timeout));
    }
    std::string_view path = location;
    if (location.starts_with("sqlite:")) {
        path.remove_prefix(std::string_view("sqlite:").size());
    } else if (const auto colon = location.find(':');
               colon != std::string_view::npos && location.find('/') > colon && colon > 1) {
        // `mysql://…`, `redis:…`: a scheme we do not speak, not a file name.
        throw std::invalid_argument("unsupported database URL scheme '" +
                                    std::string(location.substr(0, colon)) +
                                    "' (use postgresql://, postgres:// or sqlite:PATH)");
    }
    if (path.empty()) {
        throw std::invalid_argument("the SQLite database path is empty");
    }
    auto engine = detail::open_sqlite_engine(std::filesystem::path(path), options, schema_version);
    return std::shared_ptr<Storage>(new Storage(std::move(engine), StorageEngine::sqlite,
                                                schema_version, "sqlite " + std::string(path),
                                                options.busy_timeout));
}

Storage::Storage(std::unique_ptr<detail::Engine> engine, StorageEngine kind, int schema_version,
                 std::string description, std::chrono::milliseconds busy_timeout)
    : engine_impl_(std::move(engine)),
      engine_(kind),
      schema_version_(schema_version),
      description_(std::move(description)),
      busy_timeout_(busy_timeout) {}

Storage::~Storage() = default;

bool Storage::reachable() {
    return engine_impl_->reachable();
}

StorageState Storage::state() {
    return engine_impl_->state();
}

bool Storage::tracks_changes() const {
    return engine_impl_->tracks_changes();
}

bool Storage::change_version_asks_server() const {
    return engine_impl_->change_version_asks_server();
}

std::optional<PoolUsage> Storage::pool_usage() {
    return engine_impl_->pool_usage();
}

std::optional<std::int64_t> Storage::change_version() {
    return engine_impl_->change_version();
}

}  // namespace settings
