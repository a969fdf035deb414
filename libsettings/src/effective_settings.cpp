#include <settings/effective_settings.hpp>

namespace settings {

std::string_view to_string(Source source) {
    switch (source) {
        case Source::global:
            return "global";
        case Source::user:
            return "user";
        case Source::project:
            return "project";
    }
    return "global";
}

}  // namespace settings
