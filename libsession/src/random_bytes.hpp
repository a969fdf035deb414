#pragma once

#include <cstddef>
#include <string>

namespace session::detail {

/// `count` bytes from the OS CSPRNG (getrandom). Throws std::runtime_error if the
/// kernel cannot provide them.
std::string random_bytes(std::size_t count);

}  // namespace session::detail
