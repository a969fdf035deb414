#include "storage/migration.hpp"

#include <algorithm>

namespace settings {

namespace {
constexpr int max_version = 999'999;
}

std::optional<int> parse_migration_file_name(std::string_view file_name) {
    constexpr std::string_view suffix = ".sql";
    if (file_name.size() <= suffix.size() || !file_name.ends_with(suffix)) {
        return std::nullopt;
    }
    const auto stem = file_name.substr(0, file_name.size() - suffix.size());
    const auto underscore = stem.find('_');
    if (underscore == std::string_view::npos || underscore < 3 || underscore + 1 == stem.size()) {
        return std::nullopt;
    }
    int version = 0;
    for (char c : stem.substr(0, underscore)) {
        if (c < '0' || c > '9') {
            return std::nullopt;
        }
        version = version * 10 + (c - '0');
        if (version > max_version) {
            return std::nullopt;
        }
    }
    const auto name = stem.substr(underscore + 1);
    const bool name_ok = std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    });
    if (!name_ok || version == 0) {
        return std::nullopt;
    }
    return version;
}

std::optional<std::string> find_sequence_error(std::span<const Migration> migrations) {
    int expected = 1;
    for (const auto& m : migrations) {
        const std::string file(m.file_name);
        const auto parsed = parse_migration_file_name(m.file_name);
        if (!parsed) {
            return file +
                   ": a migration file must be named NNN_name.sql (NNN >= 001, name of "
                   "a-z, 0-9 and _)";
        }
        if (*parsed != m.version) {
            return file + ": version " + std::to_string(m.version) + " does not match the name";
        }
        if (m.version < expected) {
            return file + ": duplicate migration number " + std::to_string(m.version);
        }
        if (m.version > expected) {
            return file + ": migration number " + std::to_string(expected) +
                   " is missing (numbers must run 1, 2, 3, ... without gaps)";
        }
        ++expected;
    }
    if (migrations.empty()) {
        return std::string("no migrations");
    }
    return std::nullopt;
}

}  // namespace settings
