#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <variant>

#include <boost/json/value.hpp>

namespace settings {

/// Why a text was refused by `parse_strict_json`.
struct JsonSyntaxError {
    enum class Kind { malformed, duplicate_key, too_deep };
    Kind kind;
    /// One sentence for the client, without the offending text.
    std::string message;
};

/// The one JSON document in `text`, parsed as the API accepts it: standard JSON
/// only (UTF-8, no comments, no trailing commas), no object with two equal keys,
/// and at most `max_depth` levels of nesting (the outermost object or array is
/// level 1). Nesting is capped while parsing, so deep input cannot exhaust the stack.
std::variant<boost::json::value, JsonSyntaxError> parse_strict_json(std::string_view text,
                                                                    std::size_t max_depth = 64);

}  // namespace settings
