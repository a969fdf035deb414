#pragma once

#include <string>

#include <service/http_message.hpp>

namespace service {

/// Who a request counts as for the per-client limits: the peer's address, or,
/// with `trust_forwarded_for` (a proxy in front that appends what it saw), the
/// last address of `X-Forwarded-For`. An IPv6 address counts by its /64 prefix,
/// which one subscriber usually holds whole.
std::string client_key(const Request& request, bool trust_forwarded_for);

}  // namespace service
