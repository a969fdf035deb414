#include <array>
#include <charconv>
#include <cmath>

#include <settings/json_text.hpp>

namespace settings {

namespace {

void write_string(std::string& out, boost::json::string_view text) {
    static constexpr std::string_view hex = "0123456789abcdef";
    out.push_back('"');
    for (char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        switch (c) {
            case '"':
                out.append("\\\"");
                break;
            case '\\':
                out.append("\\\\");
                break;
            case '\n':
                out.append("\\n");
                break;
            case '\r':
                out.append("\\r");
                break;
            case '\t':
                out.append("\\t");
                break;
            default:
                if (byte < 0x20) {
                    out.append("\\u00");
                    out.push_back(hex[byte >> 4U]);
                    out.push_back(hex[byte & 0x0FU]);
                } else {
                    out.push_back(c);
                }
        }
    }
    out.push_back('"');
}

template <typename Number>
void write_number(std::string& out, Number number) {
    std::array<char, 32> buffer{};
    const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), number);
    out.append(buffer.data(), result.ptr);
}

void write(std::string& out, const boost::json::value& value) {
    switch (value.kind()) {
        case boost::json::kind::null:
            out.append("null");
            break;
        case boost::json::kind::bool_:
            out.append(value.get_bool() ? "true" : "false");
            break;
        case boost::json::kind::int64:
            write_number(out, value.get_int64());
            break;
        case boost::json::kind::uint64:
            write_number(out, value.get_uint64());
            break;
        case boost::json::kind::double_:
            // JSON has no infinity or NaN; the validators never let one through.
            if (std::isfinite(value.get_double())) {
                write_number(out, value.get_double());
            } else {
                out.append("null");
            }
            break;
        case boost::json::kind::string:
            write_string(out, value.get_string());
            break;
        case boost::json::kind::array: {
            out.push_back('[');
            bool first = true;
            for (const auto& item : value.get_array()) {
                if (!first) {
                    out.push_back(',');
                }
                first = false;
                write(out, item);
            }
            out.push_back(']');
            break;
        }
        case boost::json::kind::object: {
            out.push_back('{');
            bool first = true;
            for (const auto& member : value.get_object()) {
                if (!first) {
                    out.push_back(',');
                }
                first = false;
                write_string(out, member.key());
                out.push_back(':');
                write(out, member.value());
            }
            out.push_back('}');
            break;
        }
    }
}

}  // namespace

std::string to_json_text(const boost::json::value& value) {
    std::string out;
    out.reserve(256);
    write(out, value);
    return out;
}

}  // namespace settings
