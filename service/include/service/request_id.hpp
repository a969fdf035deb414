#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace service {

/// The id of a request for its logs and its `X-Request-Id` answer: the incoming
/// `X-Request-Id` when it is 1-128 printable ASCII characters (0x21-0x7E and
/// space), else a new random one of 32 hex digits. Thread-safe.
std::string request_id_for(std::optional<std::string_view> incoming);

}  // namespace service
