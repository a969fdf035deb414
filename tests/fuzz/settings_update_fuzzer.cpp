// libFuzzer target: the settings update parser and validator. The first byte
// picks the body kind (user, global, project, export document); the rest is
// the request body as the API receives it.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include <settings/settings_json.hpp>
#include <settings/strict_json.hpp>
#include <settings/validation.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) {
        return 0;
    }
    const std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
    auto parsed = settings::parse_strict_json(body);
    const auto* value = std::get_if<boost::json::value>(&parsed);
    if (value == nullptr) {
        return 0;
    }
    switch (data[0] % 4) {
        case 0:
            if (auto update = settings::parse_user_update(*value)) {
                (void)settings::validate(update.value(), settings::Layer::user);
            }
            break;
        case 1:
            if (auto update = settings::parse_global_update(*value)) {
                (void)settings::validate(update.value());
            }
            break;
        case 2:
            if (auto update = settings::parse_project_update(*value)) {
                (void)settings::validate(update.value());
            }
            break;
        default:
            if (auto snapshot = settings::parse_snapshot(*value)) {
                (void)settings::to_json(snapshot.value());
            }
            break;
    }
    return 0;
}
