#include "connection_limiter.hpp"

#include <algorithm>
#include <sys/resource.h>

namespace service {

std::size_t ConnectionLimiter::fitting_limit(std::size_t configured, std::size_t reserve) {
    rlimit files{};
    if (getrlimit(RLIMIT_NOFILE, &files) != 0 || files.rlim_cur == RLIM_INFINITY) {
        return configured;
    }
    const auto available = static_cast<std::size_t>(files.rlim_cur);
    const auto kept = reserve + answer_slots;
    return std::clamp<std::size_t>(available > kept ? available - kept : 1, 1, configured);
}

ConnectionLimiter::Admission ConnectionLimiter::admit() {
    if (open_.fetch_add(1) < limit_) {
        return Admission::serve;
    }
    open_.fetch_sub(1);
    if (answering_.fetch_add(1) < answer_slots) {
        return Admission::answer;
    }
    answering_.fetch_sub(1);
    return Admission::refuse;
}

void ConnectionLimiter::release(Admission admission) {
    switch (admission) {
        case Admission::serve:
            open_.fetch_sub(1);
            break;
        case Admission::answer:
            answering_.fetch_sub(1);
            break;
        case Admission::refuse:
            break;
    }
}

}  // namespace service
