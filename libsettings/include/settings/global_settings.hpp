#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <settings/preferences.hpp>

namespace settings {

/// The instance-wide row. Every field is set, except `workflow.default_repository`,
/// which may be empty at every layer.
struct GlobalSettings {
    Preferences preferences;
    /// When non-empty, the only values `ai.model` may be set to.
    std::vector<std::string> allowed_models;
    std::string updated_at;
    /// 1 when the row was created, +1 at every write that changed a value.
    std::int64_t revision = 0;

    friend bool operator==(const GlobalSettings&, const GlobalSettings&) = default;
};

}  // namespace settings
