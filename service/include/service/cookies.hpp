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

/// The name of the cookie that binds a GitHub login in progress to its browser.
inline constexpr std::string_view login_cookie_name = "oauth_login";

/// `Set-Cookie` for a GitHub login in progress: HttpOnly, SameSite=Lax (it must
/// come back on GitHub's redirect), Path=/api/v1/auth, Max-Age 600, Secure when asked.
std::string login_cookie(std::string_view binding, bool secure);

/// `Set-Cookie` that removes the login cookie.
std::string expired_login_cookie(bool secure);

}  // namespace service
