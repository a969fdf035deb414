#include <settings/strict_json.hpp>

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

#include <optional>
#include <string>

using settings::JsonSyntaxError;
using settings::parse_strict_json;

namespace {

std::optional<JsonSyntaxError::Kind> error_kind(const std::string& text) {
    const auto result = parse_strict_json(text);
    if (const auto* error = std::get_if<JsonSyntaxError>(&result)) {
        return error->kind;
    }
    return std::nullopt;
}

}  // namespace

TEST_CASE("strict JSON parses standard documents", "[strict_json]") {
    const auto result = parse_strict_json(R"({"a": [1, 2.5, "x", true, null, {"b": {}}]})");
    REQUIRE(std::holds_alternative<boost::json::value>(result));
    CHECK(std::get<boost::json::value>(result) ==
          boost::json::parse(R"({"a": [1, 2.5, "x", true, null, {"b": {}}]})"));
}

TEST_CASE("strict JSON refuses duplicate keys at any depth", "[strict_json]") {
    CHECK(error_kind(R"({"a": 1, "a": 2})") == JsonSyntaxError::Kind::duplicate_key);
    CHECK(error_kind(R"({"x": {"a": 1, "b": 2, "a": 3}})") == JsonSyntaxError::Kind::duplicate_key);
    CHECK(error_kind(R"([{"a": 1}, {"a": 2}])") == std::nullopt);
    CHECK(error_kind(R"({"a": {"a": 1}})") == std::nullopt);
    // Escapes that spell the same key are the same key.
    CHECK(error_kind(R"({"a": 1, "\u0061": 2})") == JsonSyntaxError::Kind::duplicate_key);
}

TEST_CASE("strict JSON caps nesting at 64 levels", "[strict_json]") {
    const auto nested = [](int depth) {
        return std::string(static_cast<std::size_t>(depth), '[') +
               std::string(static_cast<std::size_t>(depth), ']');
    };
    CHECK(error_kind(nested(64)) == std::nullopt);
    CHECK(error_kind(nested(65)) == JsonSyntaxError::Kind::too_deep);
    CHECK(error_kind(nested(10'000)) == JsonSyntaxError::Kind::too_deep);
    CHECK(error_kind(std::string(100'000, '[')) == JsonSyntaxError::Kind::too_deep);
}

TEST_CASE("strict JSON refuses malformed text", "[strict_json]") {
    for (const auto* text : {"", "{", "{\"a\":}", "[1,]", "{} {}", "nul", "\"\xff\"",
                             "\"\\ud800\"", "// c\n{}", "{'a': 1}"}) {
        INFO(text);
        CHECK(error_kind(text) == JsonSyntaxError::Kind::malformed);
    }
}
