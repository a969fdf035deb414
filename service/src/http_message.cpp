#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <service/http_message.hpp>
#include <settings/json_text.hpp>

namespace service {

namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

std::optional<std::string> percent_decode(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '+') {
            out.push_back(' ');
        } else if (text[i] == '%') {
            if (i + 2 >= text.size()) {
                return std::nullopt;
            }
            const int high = hex_value(text[i + 1]);
            const int low = hex_value(text[i + 2]);
            if (high < 0 || low < 0) {
                return std::nullopt;
            }
            out.push_back(static_cast<char>(high * 16 + low));
            i += 2;
        } else {
            out.push_back(text[i]);
        }
    }
    return out;
}

}  // namespace

std::string_view Request::path() const {
    const std::string_view t(target);
    return t.substr(0, t.find('?'));
}

std::string_view Request::query() const {
    const std::string_view t(target);
    const auto q = t.find('?');
    return q == std::string_view::npos ? std::string_view() : t.substr(q + 1);
}

std::optional<std::string_view> Request::header(std::string_view name) const {
    for (const auto& h : headers) {
        if (h.name == name) {
            return h.value;
        }
    }
    return std::nullopt;
}

void Response::add_header(std::string name, std::string value) {
    headers.push_back({std::move(name), std::move(value)});
}

Response json_response(int status, const boost::json::value& body) {
    Response response;
    response.status = status;
    response.add_header("content-type", "application/json");
    response.body = settings::to_json_text(body);
    return response;
}

Response error_response(int status, std::string_view message,
                        const settings::FieldErrors& details) {
    boost::json::array list;
    for (const auto& d : details) {
        boost::json::object detail{
            {"field", d.field}, {"code", settings::to_string(d.code)}, {"message", d.message}};
        if (d.min) {
            detail["min"] = *d.min;
        }
        if (d.max) {
            detail["max"] = *d.max;
        }
        if (!d.allowed.empty()) {
            boost::json::array allowed;
            for (const auto& value : d.allowed) {
                allowed.emplace_back(value);
            }
            detail["allowed"] = std::move(allowed);
        }
        list.push_back(std::move(detail));
    }
    return json_response(status, boost::json::object{{"error", message}, {"details", list}});
}

std::optional<std::string> query_parameter(std::string_view query, std::string_view name) {
    while (!query.empty()) {
        const auto amp = query.find('&');
        const auto pair = query.substr(0, amp);
        const auto equals = pair.find('=');
        if (pair.substr(0, equals) == name) {
            return percent_decode(equals == std::string_view::npos ? std::string_view()
                                                                   : pair.substr(equals + 1));
        }
        query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    }
    return std::nullopt;
}

std::string url_encode(std::string_view text) {
    static constexpr std::string_view hex = "0123456789ABCDEF";
    std::string out;
    for (char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~') {
            out.push_back(c);
        } else {
            out.push_back('%');
            out.push_back(hex[u >> 4U]);
            out.push_back(hex[u & 0x0FU]);
        }
    }
    return out;
}

}  // namespace service
