#include "random_bytes.hpp"

#include <cerrno>
#include <stdexcept>
#include <sys/random.h>

namespace session::detail {

std::string random_bytes(std::size_t count) {
    std::string out(count, '\0');
    std::size_t filled = 0;
    while (filled < count) {
        const auto got = getrandom(out.data() + filled, count - filled, 0);
        if (got < 0) {
            if (errno == EINTR) {
                continue;
            }
            throw std::runtime_error("getrandom failed");
        }
        filled += static_cast<std::size_t>(got);
    }
    return out;
}

}  // namespace session::detail
