#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace service {

/// The value of cookie `name` in a `Cookie` header, or nothing.
std::optional<std::string_view> find_cookie(std::string_view cookie_header, std::string_view name);

/// `Set-Cookie` for the session: HttpOnly, SameSite=Strict, Path=/, Max-Age of the
/// expiry window rounded up to whole seconds (at least 1), Secure when asked.
std::string session_cookie(std::string_view value, std::chrono::milliseconds window, bool secure);

/// `Set-Cookie` that removes the session cookie.
std::string expired_session_cookie(bool secure);

}  // namespace service
