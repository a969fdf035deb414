#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <service/api.hpp>

namespace service {

/// Answers a connection past MAX_CONNECTIONS and closes it. With `read_request`
/// it waits a moment for the request: health is answered as usual (monitoring
/// must still see the service alive), anything else is a 503 with Retry-After.
/// Without, a 503 goes out unread and the connection closes at once.
boost::asio::awaitable<void> answer_over_limit(boost::asio::ip::tcp::socket socket, Api& api,
                                               bool read_request);

}  // namespace service
