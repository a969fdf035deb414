#include "support/test_database.hpp"

#include <cstdlib>
#include <libpq-fe.h>
#include <random>
#include <stdexcept>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

namespace test {

namespace {

std::string admin_url() {
    const char* url = std::getenv("SETTINGS_TEST_POSTGRES_URL");
    if (url == nullptr || *url == '\0') {
        throw std::runtime_error(
            "SETTINGS_TEST_ENGINE=postgresql needs SETTINGS_TEST_POSTGRES_URL "
            "(scripts/test.sh starts a throwaway cluster and sets it)");
    }
    return url;
}

// `postgresql://user@host:port/` + `name`.
std::string url_of_database(const std::string& name) {
    const auto url = admin_url();
    return url.substr(0, url.rfind('/') + 1) + name;
}

using Rows = std::vector<std::vector<std::optional<std::string>>>;

Rows pg_query(const std::string& url, const std::string& sql) {
    std::unique_ptr<PGconn, decltype(&PQfinish)> db(PQconnectdb(url.c_str()), &PQfinish);
    if (PQstatus(db.get()) != CONNECTION_OK) {
        throw std::runtime_error(std::string("test database: ") + PQerrorMessage(db.get()));
    }
    std::unique_ptr<PGresult, decltype(&PQclear)> result(PQexec(db.get(), sql.c_str()), &PQclear);
    const auto status = PQresultStatus(result.get());
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
        throw std::runtime_error("test database: " + sql + ": " +
                                 PQresultErrorMessage(result.get()));
    }
    Rows rows;
    for (int r = 0; r < PQntuples(result.get()); ++r) {
        auto& row = rows.emplace_back();
        for (int c = 0; c < PQnfields(result.get()); ++c) {
            if (PQgetisnull(result.get(), r, c) == 1) {
                row.emplace_back();
            } else {
                row.emplace_back(PQgetvalue(result.get(), r, c));
            }
        }
    }
    return rows;
}

}  // namespace

bool testing_postgresql() {
    const char* engine = std::getenv("SETTINGS_TEST_ENGINE");
    return engine != nullptr && std::string(engine) == "postgresql";
}

TestDatabase::TestDatabase() {
    if (!testing_postgresql()) {
        location_ = "sqlite:" + path().string();
        return;
    }
    std::random_device random;
    postgres_name_ = "test_" + std::to_string(random()) + "_" + std::to_string(random());
    pg_query(admin_url(), "CREATE DATABASE " + postgres_name_);
    location_ = url_of_database(postgres_name_);
}

TestDatabase::~TestDatabase() {
    if (is_postgresql()) {
        try {
            pg_query(admin_url(), "DROP DATABASE IF EXISTS " + postgres_name_ + " WITH (FORCE)");
        } catch (const std::exception&) {
            // The cluster is thrown away at the end of the run anyway.
        }
    }
}

std::shared_ptr<settings::Storage> TestDatabase::open(
    const settings::StorageOptions& options) const {
    return settings::Storage::open(location_, options);
}

Rows TestDatabase::query(const std::string& sql) const {
    if (is_postgresql()) {
        return pg_query(location_, sql);
    }
    SQLite::Database db(path().string(), SQLite::OPEN_READWRITE);
    db.setBusyTimeout(5000);
    SQLite::Statement statement(db, sql);
    Rows rows;
    while (statement.executeStep()) {
        auto& row = rows.emplace_back();
        for (int c = 0; c < statement.getColumnCount(); ++c) {
            const auto column = statement.getColumn(c);
            if (column.isNull()) {
                row.emplace_back();
            } else {
                row.emplace_back(column.getString());
            }
        }
    }
    return rows;
}

std::int64_t TestDatabase::count(const std::string& sql) const {
    const auto rows = query(sql);
    if (rows.empty() || rows[0].empty() || !rows[0][0]) {
        throw std::runtime_error("test database: no number from " + sql);
    }
    return std::stoll(*rows[0][0]);
}

void TestDatabase::exec(const std::string& sql) const {
    if (is_postgresql()) {
        pg_query(location_, sql);
        return;
    }
    SQLite::Database db(path().string(), SQLite::OPEN_READWRITE);
    db.setBusyTimeout(5000);
    db.exec(sql);
}

}  // namespace test
