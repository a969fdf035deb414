#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace session::detail {

/// Standard base64 with padding.
std::string base64_encode(std::string_view bytes);
/// URL-safe base64 without padding (RFC 4648 §5), for cookie values.
std::string base64url_encode(std::string_view bytes);
/// Decodes standard base64 (padding required); nothing for malformed text.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace session::detail
