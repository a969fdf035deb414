#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace service {

/// An absolute http(s) URL as the configuration gives it.
struct Url {
    std::string scheme;  // "http" or "https"
    std::string host;    // without brackets for IPv6
    std::uint16_t port = 0;
    std::string path;  // without a trailing slash; "" for the root

    /// `scheme://host[:port]`, as browsers send it in `Origin`.
    [[nodiscard]] std::string origin() const;
    [[nodiscard]] bool is_loopback() const;
};

/// Parses `http://host[:port][/path]` or `https://...`; nothing for anything else
/// (other schemes, user info, query or fragment, control characters or spaces).
std::optional<Url> parse_url(std::string_view text);

}  // namespace service
