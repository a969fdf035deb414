#include "session_cookie.hpp"

#include <algorithm>

#include <session/random_token.hpp>
#include <settings/sha256.hpp>

namespace session::detail {

namespace {
constexpr std::size_t cookie_bytes = 32;
constexpr std::size_t cookie_length = 43;  // base64url of 32 bytes, unpadded
}  // namespace

std::string new_cookie_value() {
    return random_token(cookie_bytes);
}

bool is_cookie_value(std::string_view text) {
    return text.size() == cookie_length && std::all_of(text.begin(), text.end(), [](char c) {
               return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '_';
           });
}

std::string session_id_of(std::string_view cookie) {
    return settings::sha256_hex(cookie);
}

}  // namespace session::detail
