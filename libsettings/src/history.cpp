#include <settings/history.hpp>

namespace settings {

std::string_view to_string(Scope scope) {
    switch (scope) {
        case Scope::global:
            return "global";
        case Scope::user:
            return "user";
        case Scope::project:
            return "project";
    }
    return "global";
}

std::optional<Scope> parse_scope(std::string_view text) {
    for (const auto scope : {Scope::global, Scope::user, Scope::project}) {
        if (to_string(scope) == text) {
            return scope;
        }
    }
    return std::nullopt;
}

}  // namespace settings
