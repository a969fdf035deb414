#include <algorithm>
#include <charconv>

#include <service/url.hpp>

namespace service {

namespace {

bool is_safe(char c) {
    const auto u = static_cast<unsigned char>(c);
    return u > 0x20 && u < 0x7F && c != '?' && c != '#' && c != '@' && c != '\\';
}

}  // namespace

std::string Url::origin() const {
    const bool default_port = (scheme == "http" && port == 80) || (scheme == "https" && port == 443);
    const bool ipv6 = host.find(':') != std::string::npos;
    // Built by appending: GCC 12 at -O3 warns falsely (-Wrestrict) on a chain of +.
    std::string out = scheme;
    out.append("://").append(ipv6 ? "[" : "").append(host).append(ipv6 ? "]" : "");
    if (!default_port) {
        out.append(":").append(std::to_string(port));
    }
    return out;
}

bool Url::is_loopback() const {
    return host == "localhost" || host == "::1" || host.starts_with("127.");
}

std::optional<Url> parse_url(std::string_view text) {
    if (!std::all_of(text.begin(), text.end(), is_safe)) {
        return std::nullopt;
    }
    Url url;
    if (text.starts_with("http://")) {
        url.scheme = "http";
        url.port = 80;
    } else if (text.starts_with("https://")) {
        url.scheme = "https";
        url.port = 443;
    } else {
        return std::nullopt;
    }
    text.remove_prefix(url.scheme.size() + 3);
    const auto slash = text.find('/');
    std::string_view authority = text.substr(0, slash);
    std::string_view path = slash == std::string_view::npos ? "" : text.substr(slash);
    while (path.ends_with('/')) {
        path.remove_suffix(1);
    }
    url.path = path;

    std::string_view port_text;
    if (authority.starts_with('[')) {
        const auto close = authority.find(']');
        if (close == std::string_view::npos) {
            return std::nullopt;
        }
        url.host = authority.substr(1, close - 1);
        const auto rest = authority.substr(close + 1);
        if (!rest.empty()) {
            if (!rest.starts_with(':')) {
                return std::nullopt;
            }
            port_text = rest.substr(1);
        }
    } else {
        const auto colon = authority.find(':');
        url.host = authority.substr(0, colon);
        if (colon != std::string_view::npos) {
            port_text = authority.substr(colon + 1);
        }
    }
    if (url.host.empty()) {
        return std::nullopt;
    }
    if (authority.find(':') != std::string_view::npos && !authority.starts_with('[') &&
        port_text.empty()) {
        return std::nullopt;
    }
    if (!port_text.empty()) {
        unsigned value = 0;
        const auto [end, ec] =
            std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
        if (ec != std::errc() || end != port_text.data() + port_text.size() || value == 0 ||
            value > 65535) {
            return std::nullopt;
        }
        url.port = static_cast<std::uint16_t>(value);
    }
    return url;
}

}  // namespace service
