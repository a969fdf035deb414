#pragma once

#include <settings/preferences.hpp>

#include <string>

namespace settings {

/// A user's own overrides, as stored: every field optional (empty = inherit).
struct UserPreferences {
    std::string user_id;
    Preferences overrides;
    std::string updated_at;

    friend bool operator==(const UserPreferences&, const UserPreferences&) = default;
};

}  // namespace settings
