#include <algorithm>

#include <session/token_key.hpp>

#include "base64.hpp"

namespace session {

std::optional<TokenKey> TokenKey::from_base64(std::string_view text) {
    constexpr std::string_view space = " \t\r\n";
    const auto first = text.find_first_not_of(space);
    if (first == std::string_view::npos) {
        return std::nullopt;
    }
    text = text.substr(first, text.find_last_not_of(space) - first + 1);
    const auto decoded = detail::base64_decode(text);
    if (!decoded || decoded->size() != size) {
        return std::nullopt;
    }
    std::array<unsigned char, size> key{};
    std::copy(decoded->begin(), decoded->end(), key.begin());
    return TokenKey(key);
}

}  // namespace session
