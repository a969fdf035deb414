// Transfer-Encoding framing and who a request counts as for the per-client limits.

#include <string_view>
#include <vector>

#include <catch2/catch.hpp>

#include <service/client_address.hpp>
#include <service/transfer_encoding.hpp>

namespace {

bool supported(std::vector<std::string_view> values) {
    return service::is_supported_transfer_encoding(values);
}

service::Request from(std::string peer, std::string forwarded = "") {
    service::Request request;
    request.peer_address = std::move(peer);
    if (!forwarded.empty()) {
        request.headers.push_back({"x-forwarded-for", std::move(forwarded)});
    }
    return request;
}

}  // namespace

TEST_CASE("only exactly chunked is a supported Transfer-Encoding", "[framing]") {
    CHECK(supported({}));
    CHECK(supported({"chunked"}));
    CHECK(supported({"Chunked"}));
    CHECK(supported({" chunked\t"}));
    CHECK_FALSE(supported({"xchunked"}));
    CHECK_FALSE(supported({"chunkedx"}));
    CHECK_FALSE(supported({"chunked, identity"}));
    CHECK_FALSE(supported({"gzip, chunked"}));
    CHECK_FALSE(supported({"chunked, chunked"}));
    CHECK_FALSE(supported({"chunked", "chunked"}));
    CHECK_FALSE(supported({"identity"}));
    CHECK_FALSE(supported({""}));
    CHECK_FALSE(supported({"chunked;q=1"}));
}

TEST_CASE("clients are told apart by address, IPv6 by its /64", "[framing]") {
    using service::client_key;
    CHECK(client_key(from("198.51.100.7"), false) == "198.51.100.7");
    CHECK(client_key(from("::ffff:198.51.100.7"), false) == "198.51.100.7");
    CHECK(client_key(from("2001:db8:1:2::1"), false) ==
          client_key(from("2001:db8:1:2:ffff::9"), false));
    CHECK(client_key(from("2001:db8:1:2::1"), false) != client_key(from("2001:db8:1:3::1"), false));
    // X-Forwarded-For counts only behind a trusted proxy, and only its last entry
    // (what the proxy saw; the earlier ones are the client's to invent).
    CHECK(client_key(from("10.0.0.2", "203.0.113.9"), false) == "10.0.0.2");
    CHECK(client_key(from("10.0.0.2", "1.1.1.1, 203.0.113.9"), true) == "203.0.113.9");
    CHECK(client_key(from("10.0.0.2", " "), true) == "10.0.0.2");
    CHECK(client_key(from("10.0.0.2"), true) == "10.0.0.2");
}
