#pragma once

#include <string>

#include <settings/preferences.hpp>

namespace settings {

/// A user's own overrides, as stored: every field optional (empty = inherit).
struct UserPreferences {
    std::string user_id;
    Preferences overrides;
    std::string updated_at;

    friend bool operator==(const UserPreferences&, const UserPreferences&) = default;
};

}  // namespace settings
