#pragma once

// The libraries' log: one event per call, handed to the sink the program set.
// Without a sink the libraries log nothing (an embedding program decides where
// its lines go); `stderr_sink` writes the lines settings-service and settingsctl
// print, as text or as one JSON object per line.
// Never pass a token, a session id, a cookie or a request body.

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace settings::log {

enum class Level { debug, info, warn, error };

/// "debug", "info", "warn" or "error"; nothing for any other text.
std::optional<Level> parse_level(std::string_view text);
/// "debug", "info", "warn" or "error".
std::string_view to_string(Level level);

/// A named value that goes with a line (`request_id`, `status`).
struct Field {
    std::string_view name;
    std::string_view value;
};

/// One event as a sink receives it. `fields` are the caller's, then those of the
/// ScopedFields alive on the calling thread.
struct Line {
    Level level;
    std::string_view component;
    std::string_view message;
    std::span<const Field> fields;
};

/// Lines below this level are dropped. Default: info. Thread-safe.
void set_level(Level level);
[[nodiscard]] bool enabled(Level level);

/// Receives every line that passes the level. Called with a lock held: keep it short.
using Sink = std::function<void(const Line& line)>;
/// Replaces the sink; an empty sink drops every line (the default).
void set_sink(Sink sink);

enum class Format {
    text,  // `2026-11-26T10:00:00.123Z INFO component: message name=value`
    json,  // `{"ts":"2026-11-26T10:00:00.123Z","level":"info","component":…,"msg":…,"name":"value"}`
};
/// "text" or "json"; nothing for any other text.
std::optional<Format> parse_format(std::string_view text);
/// A sink writing one line per event to stderr, in `format`.
Sink stderr_sink(Format format = Format::text);
/// The line `stderr_sink(format)` writes for `line`, with `timestamp` and the
/// newline; JSON strings escaped, bytes that are not UTF-8 replaced by U+FFFD.
std::string format_line(Format format, std::string_view timestamp, const Line& line);

/// Adds a field to every line written on this thread while it lives: the id of
/// the request a thread works for. The strings must outlive it; scopes nest.
class ScopedField {
  public:
    ScopedField(std::string_view name, std::string_view value);
    ~ScopedField();
    ScopedField(const ScopedField&) = delete;
    ScopedField& operator=(const ScopedField&) = delete;
};

void write(Level level, std::string_view component, std::string_view message,
           std::span<const Field> fields = {});

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
