#pragma once

#include <cstddef>
#include <string>

namespace session {

/// `bytes` bytes from the OS CSPRNG as unpadded base64url text: for cookie values,
/// OAuth state and anything else that must be unguessable.
std::string random_token(std::size_t bytes = 32);

}  // namespace session
