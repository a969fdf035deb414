#pragma once

#include <chrono>
// The request and response as the handlers see them: plain data, no sockets and
// no Beast, so every handler is a function from a Request to a Response that can
// be tested without I/O.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/json/value.hpp>

#include <settings/field_error.hpp>

namespace service {

struct Header {
    std::string name;  // lower case
    std::string value;
};

struct Request {
    std::string method;  // as sent: "GET", "PUT", or any other token
    std::string target;  // path and query, as sent
    std::vector<Header> headers;
    std::string body;
    /// The address of the connection's peer (a proxy, when there is one in front).
    std::string peer_address{};
    /// When the whole request had been read: a cache must not answer it from
    /// anything older.
    std::chrono::steady_clock::time_point received = std::chrono::steady_clock::now();

    /// The target without its query.
    [[nodiscard]] std::string_view path() const;
    /// The text after `?`, or empty.
    [[nodiscard]] std::string_view query() const;
    /// The first header of that (lower-case) name.
    [[nodiscard]] std::optional<std::string_view> header(std::string_view name) const;
};

struct Response {
    int status = 200;
    std::vector<Header> headers;
    std::string body;

    /// Adds a header; `value` must not contain CR or LF (callers pass only values
    /// they built or validated).
    void add_header(std::string name, std::string value);
};

/// A JSON response with `Content-Type: application/json`.
Response json_response(int status, const boost::json::value& body);

/// An ErrorResponse: `{"error": message, "details": [...]}`.
Response error_response(int status, std::string_view message,
                        const settings::FieldErrors& details = {});

/// The value of query parameter `name`, percent-decoded; nothing when absent or
/// not decodable.
std::optional<std::string> query_parameter(std::string_view query, std::string_view name);

/// Percent-encodes everything but unreserved characters (RFC 3986).
std::string url_encode(std::string_view text);

}  // namespace service
