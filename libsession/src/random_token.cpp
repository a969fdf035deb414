#include <session/random_token.hpp>

#include "base64.hpp"
#include "random_bytes.hpp"

namespace session {

std::string random_token(std::size_t bytes) {
    return detail::base64url_encode(detail::random_bytes(bytes));
}

}  // namespace session
