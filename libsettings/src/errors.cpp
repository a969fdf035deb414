#include <settings/errors.hpp>

namespace settings {

SchemaTooNewError::SchemaTooNewError(int database_version, int program_version)
    : Error("database schema version " + std::to_string(database_version) +
            " is newer than this program's newest migration " + std::to_string(program_version)),
      database_version_(database_version),
      program_version_(program_version) {}

MigrationError::MigrationError(std::string file_name, const std::string& message)
    : Error("migration " + file_name + ": " + message), file_name_(std::move(file_name)) {}

StorageError::StorageError(const std::string& message, std::string code)
    : Error(message), code_(std::move(code)) {}

}  // namespace settings
