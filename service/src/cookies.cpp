#include <service/cookies.hpp>

namespace service {

namespace {

constexpr std::string_view cookie_name = "session_id";

std::string_view trim(std::string_view text) {
    const auto first = text.find_first_not_of(" \t");
    if (first == std::string_view::npos) {
        return {};
    }
    return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

std::string attributes(bool secure) {
    return std::string("; HttpOnly; SameSite=Strict; Path=/") + (secure ? "; Secure" : "");
}

// Lax, not Strict: the callback is a top-level navigation that GitHub's page
// starts, and a Strict cookie would not be sent with it.
std::string login_attributes(bool secure) {
    return std::string("; HttpOnly; SameSite=Lax; Path=/api/v1/auth") + (secure ? "; Secure" : "");
}

}  // namespace

std::optional<std::string_view> find_cookie(std::string_view cookie_header, std::string_view name) {
    while (!cookie_header.empty()) {
        const auto semicolon = cookie_header.find(';');
        const auto pair = trim(cookie_header.substr(0, semicolon));
        const auto equals = pair.find('=');
        if (equals != std::string_view::npos && trim(pair.substr(0, equals)) == name) {
            auto value = trim(pair.substr(equals + 1));
            if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
                value = value.substr(1, value.size() - 2);
            }
            return value;
        }
        cookie_header = semicolon == std::string_view::npos ? std::string_view()
                                                            : cookie_header.substr(semicolon + 1);
    }
    return std::nullopt;
}

std::string session_cookie(std::string_view value, std::chrono::milliseconds window, bool secure) {
    const auto seconds = std::max<long long>(1, (window.count() + 999) / 1000);
    return std::string(cookie_name) + "=" + std::string(value) + attributes(secure) +
           "; Max-Age=" + std::to_string(seconds);
}

std::string expired_session_cookie(bool secure) {
    return std::string(cookie_name) + "=" + attributes(secure) + "; Max-Age=0";
}

std::string login_cookie(std::string_view binding, bool secure) {
    return std::string(login_cookie_name) + "=" + std::string(binding) + login_attributes(secure) +
           "; Max-Age=600";
}

std::string expired_login_cookie(bool secure) {
    return std::string(login_cookie_name) + "=" + login_attributes(secure) + "; Max-Age=0";
}

}  // namespace service
