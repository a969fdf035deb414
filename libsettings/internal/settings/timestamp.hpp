#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace settings {

/// `2026-11-26T10:00:00.123Z`: UTC with milliseconds, the one format of every
/// timestamp column and of the API.
std::string format_timestamp(std::chrono::system_clock::time_point t);

/// The inverse of `format_timestamp`; nothing for any other text.
std::optional<std::chrono::system_clock::time_point> parse_timestamp(std::string_view text);

}  // namespace settings
