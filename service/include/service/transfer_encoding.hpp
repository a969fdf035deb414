#pragma once

#include <span>
#include <string_view>

namespace service {

/// Whether a request with these `Transfer-Encoding` header values can be framed
/// safely: none at all, or exactly `chunked` (any case). Anything else, `xchunked`
/// or `chunked, identity` or a coding this server cannot undo, leaves the end of
/// the body unknown and must be refused with 400 and the connection closed (RFC
/// 9112 6.3): read any other way, its body would become a smuggled next request.
bool is_supported_transfer_encoding(std::span<const std::string_view> values);

}  // namespace service
