#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <string>
#include <vector>

#include <settings/log.hpp>
#include <settings/timestamp.hpp>

namespace settings::log {

namespace {

std::atomic<Level> current_level{Level::info};

struct SinkSlot {
    std::mutex mutex;
    Sink sink;
};

SinkSlot& sink_slot() {
    static SinkSlot slot;
    return slot;
}

// The fields of the ScopedFields alive on this thread, innermost last.
thread_local std::vector<Field> scoped_fields;

std::string_view upper_name_of(Level level) {
    switch (level) {
        case Level::debug:
            return "DEBUG";
        case Level::info:
            return "INFO";
        case Level::warn:
            return "WARN";
        case Level::error:
            return "ERROR";
    }
    return "INFO";
}

// The length of the UTF-8 sequence at the start of `text`, 0 when it is not one.
std::size_t utf8_sequence(std::string_view text) {
    const auto lead = static_cast<unsigned char>(text[0]);
    std::size_t length = 0;
    unsigned char min_second = 0x80;
    unsigned char max_second = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3;
        min_second = lead == 0xE0 ? 0xA0 : 0x80;
        max_second = lead == 0xED ? 0x9F : 0xBF;  // no surrogates
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4;
        min_second = lead == 0xF0 ? 0x90 : 0x80;
        max_second = lead == 0xF4 ? 0x8F : 0xBF;
    } else {
        return 0;
    }
    if (text.size() < length) {
        return 0;
    }
    for (std::size_t i = 1; i < length; ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c < (i == 1 ? min_second : 0x80) || c > (i == 1 ? max_second : 0xBF)) {
            return 0;
        }
    }
    return length;
}

void append_json_string(std::string& out, std::string_view text) {
    constexpr std::string_view hex = "0123456789abcdef";
    out.push_back('"');
    for (std::size_t i = 0; i < text.size();) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c == '"' || c == '\\') {
            out.push_back('\\');
            out.push_back(static_cast<char>(c));
        } else if (c == '\n') {
            out.append("\\n");
        } else if (c == '\t') {
            out.append("\\t");
        } else if (c < 0x20 || c == 0x7F) {
            out.append("\\u00").push_back(hex[c >> 4U]);
            out.push_back(hex[c & 0xFU]);
        } else if (c >= 0x80) {
            const auto length = utf8_sequence(text.substr(i));
            if (length == 0) {
                out.append("\\ufffd");
                ++i;
                continue;
            }
            out.append(text.substr(i, length));
            i += length;
            continue;
        } else {
            out.push_back(static_cast<char>(c));
        }
        ++i;
    }
    out.push_back('"');
}

}  // namespace

std::optional<Level> parse_level(std::string_view text) {
    for (const auto level : {Level::debug, Level::info, Level::warn, Level::error}) {
        if (text == to_string(level)) {
            return level;
        }
    }
    return std::nullopt;
}

std::string_view to_string(Level level) {
    switch (level) {
        case Level::debug:
            return "debug";
        case Level::info:
            return "info";
        case Level::warn:
            return "warn";
        case Level::error:
            return "error";
    }
    return "info";
}

std::optional<Format> parse_format(std::string_view text) {
    if (text == "text") {
        return Format::text;
    }
    if (text == "json") {
        return Format::json;
    }
    return std::nullopt;
}

void set_level(Level level) {
    current_level.store(level, std::memory_order_relaxed);
}

bool enabled(Level level) {
    return level >= current_level.load(std::memory_order_relaxed);
}

void set_sink(Sink sink) {
    auto& slot = sink_slot();
    const std::scoped_lock lock(slot.mutex);
    slot.sink = std::move(sink);
}

ScopedField::ScopedField(std::string_view name, std::string_view value) {
    scoped_fields.push_back({name, value});
}

ScopedField::~ScopedField() {
    scoped_fields.pop_back();
}

void write(Level level, std::string_view component, std::string_view message,
           std::span<const Field> fields) {
    if (!enabled(level)) {
        return;
    }
    std::vector<Field> all;
    std::span<const Field> line_fields = fields;
    if (!scoped_fields.empty()) {
        all.reserve(fields.size() + scoped_fields.size());
        all.assign(fields.begin(), fields.end());
        all.insert(all.end(), scoped_fields.begin(), scoped_fields.end());
        line_fields = all;
    }
    auto& slot = sink_slot();
    const std::scoped_lock lock(slot.mutex);
    if (slot.sink) {
        slot.sink(Line{level, component, message, line_fields});
    }
}

std::string format_line(Format format, std::string_view timestamp, const Line& line) {
    std::string out;
    out.reserve(64 + line.message.size());
    if (format == Format::text) {
        out.append(timestamp).append(" ").append(upper_name_of(line.level)).append(" ");
        out.append(line.component).append(": ").append(line.message);
        for (const auto& field : line.fields) {
            out.append(" ").append(field.name).append("=").append(field.value);
        }
        out.append("\n");
        return out;
    }
    out.append("{\"ts\":");
    append_json_string(out, timestamp);
    out.append(",\"level\":");
    append_json_string(out, to_string(line.level));
    out.append(",\"component\":");
    append_json_string(out, line.component);
    out.append(",\"msg\":");
    append_json_string(out, line.message);
    for (const auto& field : line.fields) {
        out.push_back(',');
        append_json_string(out, field.name);
        out.push_back(':');
        append_json_string(out, field.value);
    }
    out.append("}\n");
    return out;
}

Sink stderr_sink(Format format) {
    return [format](const Line& line) {
        const auto text =
            format_line(format, format_timestamp(std::chrono::system_clock::now()), line);
        std::fwrite(text.data(), 1, text.size(), stderr);
    };
}

}  // namespace settings::log
