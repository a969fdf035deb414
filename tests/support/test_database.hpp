#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <settings/storage.hpp>

#include "support/temp_dir.hpp"

namespace test {

/// A fresh, empty database for one test on the engine this run is for: a SQLite
/// file in a temporary folder, or, when SETTINGS_TEST_ENGINE=postgresql, a new
/// database on the test cluster of SETTINGS_TEST_POSTGRES_URL (dropped again at
/// the end). The same tests thus prove every behaviour on both engines.
class TestDatabase {
  public:
    TestDatabase();
    ~TestDatabase();
    TestDatabase(const TestDatabase&) = delete;
    TestDatabase& operator=(const TestDatabase&) = delete;

    [[nodiscard]] bool is_postgresql() const { return !postgres_name_.empty(); }
    /// What settings::Storage::open takes.
    [[nodiscard]] const std::string& location() const { return location_; }
    /// The SQLite file (SQLite runs only).
    [[nodiscard]] std::filesystem::path path() const { return dir_ / "settings.db"; }
    [[nodiscard]] const TempDir& dir() const { return dir_; }

    /// Opens (and on first use creates and migrates) the database.
    [[nodiscard]] std::shared_ptr<settings::Storage> open(
        const settings::StorageOptions& options = {}) const;

    /// Runs SQL directly on the database, for setting up and checking what the
    /// stores cannot show: every row's columns as text (NULL as nothing).
    std::vector<std::vector<std::optional<std::string>>> query(const std::string& sql) const;
    /// The first column of the first row as a number.
    [[nodiscard]] std::int64_t count(const std::string& sql) const;
    void exec(const std::string& sql) const;

  private:
    TempDir dir_;
    std::string postgres_name_;
    std::string location_;
};

/// True when this run is for PostgreSQL (SETTINGS_TEST_ENGINE=postgresql).
bool testing_postgresql();

}  // namespace test
