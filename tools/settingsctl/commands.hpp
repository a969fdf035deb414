#pragma once

// The commands of settingsctl. Each returns the process exit code and writes
// its report to `out`, problems to `err`.

#include <filesystem>
#include <iosfwd>
#include <string>
#include <vector>

namespace settingsctl {

// Exit codes, shared with settings-service where they overlap.
constexpr int exit_ok = 0;
constexpr int exit_failed = 1;  // the command ran and found a problem
constexpr int exit_usage = 2;   // bad usage, or an invalid input file
constexpr int exit_cannot_open = 3;
constexpr int exit_schema_too_new = 4;
constexpr int exit_migration_failed = 5;

struct Context {
    /// What settings::Storage::open takes: `sqlite:PATH` or a postgresql:// URL.
    std::string location;
    /// The SQLite file; empty on PostgreSQL.
    std::filesystem::path database;
    std::vector<std::string> args;  // the command's own arguments
    std::ostream& out;
    std::ostream& err;
};

int status(const Context& c);
int migrate(const Context& c);
int check(const Context& c);
int backup(const Context& c);
int restore(const Context& c);
int purge_sessions(const Context& c);
int rotate_token_key(const Context& c);
int export_settings(const Context& c);
int import_settings(const Context& c);
int print_global(const Context& c);
int print_user(const Context& c);
int copy(const Context& c);
int admins(const Context& c);
int history(const Context& c);

}  // namespace settingsctl
