#include <unordered_set>
#include <vector>

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/value_stack.hpp>

#include <settings/strict_json.hpp>

namespace json = boost::json;

namespace settings {

namespace {

// Builds the value like boost::json::parser does, and refuses duplicate keys,
// which boost::json would silently collapse to the last one.
class StrictHandler {
  public:
    static constexpr std::size_t max_object_size = static_cast<std::size_t>(-1);
    static constexpr std::size_t max_array_size = static_cast<std::size_t>(-1);
    static constexpr std::size_t max_key_size = static_cast<std::size_t>(-1);
    static constexpr std::size_t max_string_size = static_cast<std::size_t>(-1);

    json::value_stack stack;
    bool duplicate_key = false;

    bool on_document_begin(json::error_code&) {
        stack.reset();
        return true;
    }
    bool on_document_end(json::error_code&) { return true; }
    bool on_array_begin(json::error_code&) { return true; }
    bool on_array_end(std::size_t n, json::error_code&) {
        stack.push_array(n);
        return true;
    }
    bool on_object_begin(json::error_code&) {
        keys_.emplace_back();
        return true;
    }
    bool on_object_end(std::size_t n, json::error_code&) {
        keys_.pop_back();
        stack.push_object(n);
        return true;
    }
    bool on_string_part(json::string_view s, std::size_t, json::error_code&) {
        stack.push_chars(s);
        return true;
    }
    bool on_string(json::string_view s, std::size_t, json::error_code&) {
        stack.push_string(s);
        return true;
    }
    bool on_key_part(json::string_view s, std::size_t, json::error_code&) {
        partial_key_.append(s.data(), s.size());
        stack.push_chars(s);
        return true;
    }
    bool on_key(json::string_view s, std::size_t, json::error_code& ec) {
        partial_key_.append(s.data(), s.size());
        const bool inserted = keys_.back().insert(std::move(partial_key_)).second;
        partial_key_.clear();
        if (!inserted) {
            duplicate_key = true;
            ec = json::error::syntax;
            return false;
        }
        stack.push_key(s);
        return true;
    }
    bool on_number_part(json::string_view, json::error_code&) { return true; }
    bool on_int64(std::int64_t i, json::string_view, json::error_code&) {
        stack.push_int64(i);
        return true;
    }
    bool on_uint64(std::uint64_t u, json::string_view, json::error_code&) {
        stack.push_uint64(u);
        return true;
    }
    bool on_double(double d, json::string_view, json::error_code&) {
        stack.push_double(d);
        return true;
    }
    bool on_bool(bool b, json::error_code&) {
        stack.push_bool(b);
        return true;
    }
    bool on_null(json::error_code&) {
        stack.push_null();
        return true;
    }
    bool on_comment_part(json::string_view, json::error_code&) { return true; }
    bool on_comment(json::string_view, json::error_code&) { return true; }

  private:
    std::vector<std::unordered_set<std::string>> keys_;
    std::string partial_key_;
};

}  // namespace

std::variant<json::value, JsonSyntaxError> parse_strict_json(std::string_view text,
                                                             std::size_t max_depth) {
    json::parse_options options;
    options.max_depth = max_depth;
    json::basic_parser<StrictHandler> parser(options);
    json::error_code ec;
    const auto used = parser.write_some(false, text.data(), text.size(), ec);
    if (parser.handler().duplicate_key) {
        return JsonSyntaxError{JsonSyntaxError::Kind::duplicate_key,
                               "the body has an object with a duplicate key"};
    }
    if (ec == json::error::too_deep) {
        return JsonSyntaxError{
            JsonSyntaxError::Kind::too_deep,
            "the body is nested more than " + std::to_string(max_depth) + " levels deep"};
    }
    if (ec || used != text.size()) {
        return JsonSyntaxError{JsonSyntaxError::Kind::malformed, "the body is not valid JSON"};
    }
    return parser.handler().stack.release();
}

}  // namespace settings
