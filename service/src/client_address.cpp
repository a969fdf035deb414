#include <algorithm>
#include <arpa/inet.h>
#include <array>
#include <cstdio>
#include <string_view>

#include <service/client_address.hpp>

namespace service {

namespace {

std::string_view trim(std::string_view text) {
    const auto first = text.find_first_not_of(" \t");
    if (first == std::string_view::npos) {
        return {};
    }
    return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

std::string key_of(std::string_view address) {
    std::string text(address);
    std::array<unsigned char, 16> bytes{};
    if (text.find(':') == std::string::npos ||
        inet_pton(AF_INET6, text.c_str(), bytes.data()) != 1) {
        return text;
    }
    // An IPv4 address mapped into IPv6 is that IPv4 address.
    constexpr std::array<unsigned char, 12> mapped{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::equal(mapped.begin(), mapped.end(), bytes.begin())) {
        return std::to_string(bytes[12]) + "." + std::to_string(bytes[13]) + "." +
               std::to_string(bytes[14]) + "." + std::to_string(bytes[15]);
    }
    std::string prefix;
    for (std::size_t i = 0; i < 8; i += 2) {
        std::array<char, 6> group{};
        std::snprintf(group.data(), group.size(), "%x:", (bytes[i] << 8U) | bytes[i + 1]);
        prefix += group.data();
    }
    return prefix + ":/64";
}

}  // namespace

std::string client_key(const Request& request, bool trust_forwarded_for) {
    if (trust_forwarded_for) {
        if (const auto forwarded = request.header("x-forwarded-for")) {
            const auto last = trim(forwarded->substr(forwarded->rfind(',') + 1));
            if (!last.empty()) {
                return key_of(last);
            }
        }
    }
    return key_of(request.peer_address);
}

}  // namespace service
