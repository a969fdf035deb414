#include <algorithm>
#include <cctype>

#include <service/transfer_encoding.hpp>

namespace service {

bool is_supported_transfer_encoding(std::span<const std::string_view> values) {
    if (values.empty()) {
        return true;
    }
    if (values.size() > 1) {
        return false;
    }
    auto value = values.front();
    const auto first = value.find_first_not_of(" \t");
    if (first == std::string_view::npos) {
        return false;
    }
    value = value.substr(first, value.find_last_not_of(" \t") - first + 1);
    constexpr std::string_view chunked = "chunked";
    return std::ranges::equal(value, chunked, [](char a, char b) {
        return std::tolower(static_cast<unsigned char>(a)) == b;
    });
}

}  // namespace service
