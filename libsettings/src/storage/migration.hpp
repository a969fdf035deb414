#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace settings {

/// One numbered schema migration: the file `NNN_name.sql` and its SQL text.
struct Migration {
    int version;
    std::string_view file_name;
    std::string_view sql;
};

/// The version of a migration file name `NNN_name.sql` (at least three digits,
/// then `_`, then lower-case letters, digits and `_`); nothing for any other name.
std::optional<int> parse_migration_file_name(std::string_view file_name);

/// Why `migrations` is not a usable sequence (a bad file name, a version that does
/// not match its name, a duplicate, a gap, not starting at 1), or nothing when the
/// versions run 1, 2, … n in order.
std::optional<std::string> find_sequence_error(std::span<const Migration> migrations);

}  // namespace settings
