// The log lines settings-service writes: text and JSON, fields and the fields
// of a thread's scope.

#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <settings/log.hpp>

namespace slog = settings::log;

namespace {

// Collects what reaches the sink, formatted, while it lives.
struct Captured {
    std::vector<std::string> lines;
    explicit Captured(slog::Format format) {
        slog::set_sink([this, format](const slog::Line& line) {
            lines.push_back(slog::format_line(format, "2026-11-26T10:00:00.123Z", line));
        });
    }
    ~Captured() { slog::set_sink({}); }
    Captured(const Captured&) = delete;
    Captured& operator=(const Captured&) = delete;
};

}  // namespace

TEST_CASE("a text line: timestamp, level, component, message, fields") {
    const Captured captured(slog::Format::text);
    const slog::Field field{"status", "200"};
    slog::write(slog::Level::warn, "http", "answered", {&field, 1});
    REQUIRE(captured.lines.size() == 1);
    CHECK(captured.lines[0] == "2026-11-26T10:00:00.123Z WARN http: answered status=200\n");
}

TEST_CASE("a JSON line: one object with ts, level, component, msg and the fields") {
    const Captured captured(slog::Format::json);
    const slog::ScopedField id("request_id", "r-1");
    const slog::Field field{"route", "/api/v1/settings/project/{project_id}"};
    slog::write(slog::Level::info, "access", "say \"hi\"\n\\", {&field, 1});
    REQUIRE(captured.lines.size() == 1);
    CHECK(captured.lines[0] ==
          R"({"ts":"2026-11-26T10:00:00.123Z","level":"info","component":"access",)"
          R"("msg":"say \"hi\"\n\\","route":"/api/v1/settings/project/{project_id}",)"
          R"("request_id":"r-1"})"
          "\n");
}

TEST_CASE("JSON lines stay valid for control characters and bytes that are not UTF-8") {
    const Captured captured(slog::Format::json);
    slog::write(slog::Level::error, "c",
                std::string("a\x01") + "\xff" + "caf\xc3\xa9 \xed\xa0\x80");
    REQUIRE(captured.lines.size() == 1);
    CHECK(captured.lines[0].find(R"("msg":"a\u0001\ufffdcaf)"
                                 "\xc3\xa9"
                                 R"( \ufffd\ufffd\ufffd")") != std::string::npos);
}

TEST_CASE("scoped fields end with their scope and belong to their thread") {
    const Captured captured(slog::Format::text);
    {
        const slog::ScopedField id("request_id", "inner");
        slog::write(slog::Level::info, "c", "in");
    }
    slog::write(slog::Level::info, "c", "out");
    REQUIRE(captured.lines.size() == 2);
    CHECK(captured.lines[0].ends_with("c: in request_id=inner\n"));
    CHECK(captured.lines[1].ends_with("c: out\n"));
}

TEST_CASE("formats and levels are parsed by name") {
    CHECK(slog::parse_format("json") == slog::Format::json);
    CHECK(slog::parse_format("text") == slog::Format::text);
    CHECK_FALSE(slog::parse_format("JSON"));
    CHECK(slog::parse_level("warn") == slog::Level::warn);
    CHECK_FALSE(slog::parse_level("verbose"));
}
