#pragma once

// One line per event on stderr: timestamp, level, component, message.
// Never pass a token, a session id, a cookie or a request body.

#include <functional>
#include <optional>
#include <string_view>

namespace settings::log {

enum class Level { debug, info, warn, error };

/// "debug", "info", "warn" or "error"; nothing for any other text.
std::optional<Level> parse_level(std::string_view text);

/// Lines below this level are dropped. Default: info. Thread-safe.
void set_level(Level level);
[[nodiscard]] bool enabled(Level level);

/// Receives every line that passes the level; by default lines go to stderr.
using Sink = std::function<void(Level, std::string_view component, std::string_view message)>;
/// Replaces the sink (tests capture lines with it); an empty sink restores stderr.
void set_sink(Sink sink);

void write(Level level, std::string_view component, std::string_view message);

inline void debug(std::string_view component, std::string_view message) {
    if (enabled(Level::debug)) {
        write(Level::debug, component, message);
    }
}
inline void info(std::string_view component, std::string_view message) {
    write(Level::info, component, message);
}
inline void warn(std::string_view component, std::string_view message) {
    write(Level::warn, component, message);
}
inline void error(std::string_view component, std::string_view message) {
    write(Level::error, component, message);
}

}  // namespace settings::log
