#pragma once

#include <string>
#include <string_view>

namespace session::detail {

/// A new cookie value: 32 random bytes as 43 characters of base64url.
std::string new_cookie_value();
/// Whether `text` has the shape of a cookie value we hand out.
bool is_cookie_value(std::string_view text);
/// The key stored in `session_id`: lower-case hex SHA-256 of the cookie value.
std::string session_id_of(std::string_view cookie);

}  // namespace session::detail
