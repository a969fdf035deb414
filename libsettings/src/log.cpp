#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <string>

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

std::string_view name_of(Level level) {
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

}  // namespace

std::optional<Level> parse_level(std::string_view text) {
    if (text == "debug") {
        return Level::debug;
    }
    if (text == "info") {
        return Level::info;
    }
    if (text == "warn") {
        return Level::warn;
    }
    if (text == "error") {
        return Level::error;
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

void write(Level level, std::string_view component, std::string_view message) {
    if (!enabled(level)) {
        return;
    }
    auto& slot = sink_slot();
    const std::scoped_lock lock(slot.mutex);
    if (slot.sink) {
        slot.sink(level, component, message);
    }
}

Sink stderr_sink() {
    return [](Level level, std::string_view component, std::string_view message) {
        std::string line = format_timestamp(std::chrono::system_clock::now());
        line.append(" ").append(name_of(level)).append(" ").append(component).append(": ");
        line.append(message).append("\n");
        std::fwrite(line.data(), 1, line.size(), stderr);
    };
}

}  // namespace settings::log
