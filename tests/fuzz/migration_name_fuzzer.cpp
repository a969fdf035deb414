// libFuzzer target: the migration file name and sequence checks. The input is a
// list of file names, one per line.

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "storage/migration.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    std::vector<settings::Migration> migrations;
    while (!text.empty()) {
        const auto newline = text.find('\n');
        const auto name = text.substr(0, newline);
        const auto version = settings::parse_migration_file_name(name);
        migrations.push_back({version.value_or(0), name, "SELECT 1;"});
        text = newline == std::string_view::npos ? std::string_view() : text.substr(newline + 1);
    }
    (void)settings::find_sequence_error(migrations);
    return 0;
}
