#include <array>
#include <cstdint>
#include <random>

#include <service/request_id.hpp>

namespace service {

namespace {

constexpr std::size_t max_length = 128;

bool acceptable(std::string_view id) {
    if (id.empty() || id.size() > max_length) {
        return false;
    }
    for (const char c : id) {
        if (c < 0x20 || c > 0x7E) {
            return false;
        }
    }
    return true;
}

// Ids only need to be unique enough to find a request's lines, not secret: a
// per-thread generator seeded once from the OS keeps this off the hot path.
std::string new_id() {
    thread_local std::mt19937_64 generator{[] {
        std::random_device device;
        return (std::uint64_t{device()} << 32U) | device();
    }()};
    constexpr std::string_view hex = "0123456789abcdef";
    std::string id(32, '0');
    for (std::size_t half = 0; half < 2; ++half) {
        auto bits = generator();
        for (std::size_t i = 0; i < 16; ++i) {
            id[half * 16 + i] = hex[bits & 0xFU];
            bits >>= 4U;
        }
    }
    return id;
}

}  // namespace

std::string request_id_for(std::optional<std::string_view> incoming) {
    if (incoming && acceptable(*incoming)) {
        return std::string(*incoming);
    }
    return new_id();
}

}  // namespace service
