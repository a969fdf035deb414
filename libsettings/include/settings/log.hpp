#pragma once

// The libraries' log: one event per call, handed to the sink the program set.
// Without a sink the libraries log nothing (an embedding program decides where
// its lines go); `stderr_sink` writes the lines settings-service and settingsctl
// print: timestamp, level, component, message.
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

/// Receives every line that passes the level. Called with a lock held: keep it short.
using Sink = std::function<void(Level, std::string_view component, std::string_view message)>;
/// Replaces the sink; an empty sink drops every line (the default).
void set_sink(Sink sink);
/// A sink writing `2026-11-26T10:00:00.123Z INFO component: message` lines to stderr.
Sink stderr_sink();

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
