#include <settings/wait_deadline.hpp>

namespace settings {

namespace {
thread_local std::optional<WaitDeadline::time_point> current_deadline;
}  // namespace

WaitDeadline::WaitDeadline(time_point deadline) : previous_(current_deadline) {
    current_deadline = deadline;
}

WaitDeadline::~WaitDeadline() {
    current_deadline = previous_;
}

std::optional<WaitDeadline::time_point> WaitDeadline::current() {
    return current_deadline;
}

}  // namespace settings
