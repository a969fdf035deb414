#pragma once

// The library's exceptions, for unexpected failures only. Expected outcomes
// (validation failures, "not found") are returned as values.

#include <stdexcept>
#include <string>

namespace settings {

/// Base of every exception the libraries throw on purpose.
class Error : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

/// The database cannot be opened: the folder cannot be created, the file is not a
/// SQLite database, it is corrupt or read-only, the PostgreSQL server cannot be
/// reached or refuses the login. Nothing was written.
class DatabaseOpenError : public Error {
  public:
    using Error::Error;
};

/// The file's schema is newer than the newest migration this program knows.
/// Nothing was written.
class SchemaTooNewError : public Error {
  public:
    SchemaTooNewError(int database_version, int program_version);
    [[nodiscard]] int database_version() const { return database_version_; }
    [[nodiscard]] int program_version() const { return program_version_; }

  private:
    int database_version_;
    int program_version_;
};

/// A migration failed (it was rolled back), or an applied migration's file has
/// changed since. The message names the file.
class MigrationError : public Error {
  public:
    MigrationError(std::string file_name, const std::string& message);
    [[nodiscard]] const std::string& file_name() const { return file_name_; }

  private:
    std::string file_name_;
};

/// A storage operation failed after the database was opened. `code` is the
/// engine's own: SQLite's extended result code in decimal, or PostgreSQL's
/// SQLSTATE; empty when the failure is the library's finding.
class StorageError : public Error {
  public:
    explicit StorageError(const std::string& message, std::string code = {});
    [[nodiscard]] const std::string& code() const { return code_; }

  private:
    std::string code_;
};

/// Storage cannot take the operation right now (locked past the busy timeout,
/// read-only file, disk full, server unreachable); retrying later may succeed.
/// Nothing was written.
class StorageUnavailableError : public StorageError {
  public:
    using StorageError::StorageError;
};

}  // namespace settings
