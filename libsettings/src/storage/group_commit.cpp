#include "storage/group_commit.hpp"

#include <algorithm>
#include <optional>

#include <settings/wait_deadline.hpp>

namespace settings::detail {

namespace {
// A job that keeps losing races is failed with the conflict rather than retried
// forever.
constexpr int max_attempts = 5;
}  // namespace

GroupCommit::GroupCommit(BatchConnection& connection, std::chrono::milliseconds wait,
                         std::function<void()> before_commit,
                         std::function<void(std::size_t)> on_batch, std::size_t max_batch)
    : connection_(connection),
      wait_(wait),
      before_commit_(std::move(before_commit)),
      on_batch_(std::move(on_batch)),
      max_batch_(std::max<std::size_t>(max_batch, 1)) {}

void GroupCommit::run(const std::function<void()>& job) {
    Request request;
    request.job = &job;
    request.deadline = WaitDeadline::current().value_or(std::chrono::steady_clock::now() + wait_);
    std::unique_lock lock(mutex_);
    queue_.push_back(&request);
    // The running batch waits for the lock only until its own deadlines, which
    // may be later than ours: still queued at our deadline, we give up. Once
    // in a batch, its waits are bounded by our deadline too.
    const auto ready = [&] { return request.done || !leading_; };
    while (!request.wake.wait_until(lock, request.deadline, ready)) {
        const auto queued = std::find(queue_.begin(), queue_.end(), &request);
        if (queued != queue_.end()) {
            queue_.erase(queued);
            throw LockWaitTimeout("the database stayed locked by other writers until the deadline");
        }
        request.wake.wait(lock, ready);
    }
    if (!request.done) {
        // Lead: run batches until our own request is answered.
        leading_ = true;
        while (!request.done) {
            // Our own job last: every wait in the batch is then bounded by our
            // deadline too (see run_batch), so we return in time.
            queue_.erase(std::find(queue_.begin(), queue_.end(), &request));
            const auto count = std::min(queue_.size(), max_batch_ - 1);
            std::vector<Request*> batch(queue_.begin(), queue_.begin() + static_cast<long>(count));
            queue_.erase(queue_.begin(), queue_.begin() + static_cast<long>(count));
            batch.push_back(&request);
            lock.unlock();
            const auto again = run_batch(batch);
            if (on_batch_ && batch.size() > again.size()) {
                on_batch_(batch.size() - again.size());
            }
            lock.lock();
            // Still waiting for the lock, and before anything that came later.
            queue_.insert(queue_.begin(), again.begin(), again.end());
        }
        // Hand over: the oldest waiting caller becomes the next leader.
        leading_ = false;
        if (!queue_.empty()) {
            queue_.front()->wake.notify_one();
        }
    }
    if (request.error) {
        std::rethrow_exception(request.error);
    }
}

void GroupCommit::finish(Request& request, std::exception_ptr error) {
    const std::scoped_lock lock(mutex_);
    request.error = std::move(error);
    request.done = true;
    request.wake.notify_one();
}

GroupCommit::Outcome GroupCommit::run_job(Request& request, Deadline wait_until) {
    for (int attempt = 1;; ++attempt) {
        connection_.savepoint(wait_until);
        try {
            (*request.job)();
            connection_.release_savepoint();
            return Outcome::stored;
        } catch (const TransactionConflict&) {
            connection_.rollback_to_savepoint();
            connection_.release_savepoint();
            if (attempt == max_attempts) {
                request.error = std::current_exception();
                return Outcome::failed;
            }
        } catch (const LockWaitTimeout&) {
            request.error = std::current_exception();
            connection_.rollback_to_savepoint();
            connection_.release_savepoint();
            // Cut short for the sake of another job's deadline: it waits on in
            // the next batch.
            return std::chrono::steady_clock::now() < request.deadline ? Outcome::retry
                                                                       : Outcome::failed;
        } catch (...) {
            request.error = std::current_exception();
            connection_.rollback_to_savepoint();
            connection_.release_savepoint();
            return Outcome::failed;
        }
    }
}

std::vector<GroupCommit::Request*> GroupCommit::run_batch(const std::vector<Request*>& batch) {
    std::vector<Request*> again;
    auto earliest = batch.front()->deadline;
    for (auto* r : batch) {
        earliest = std::min(earliest, r->deadline);
    }
    try {
        connection_.begin(earliest);
    } catch (const LockWaitTimeout&) {
        const auto error = std::current_exception();
        const auto now = std::chrono::steady_clock::now();
        for (auto* r : batch) {
            if (r->deadline <= now) {
                finish(*r, error);
            } else {
                again.push_back(r);
            }
        }
        return again;
    } catch (...) {
        const auto error = std::current_exception();
        for (auto* r : batch) {
            finish(*r, error);
        }
        return again;
    }
    // Jobs run one after the other, so a job may wait for a lock only until the
    // earliest deadline among itself and the jobs after it; and a stored job
    // waits for the commit, so only until the earliest deadline among those too.
    std::vector<Deadline> earliest_from(batch.size());
    for (std::size_t i = batch.size(); i-- > 0;) {
        earliest_from[i] = i + 1 < batch.size() ? std::min(batch[i]->deadline, earliest_from[i + 1])
                                                : batch[i]->deadline;
    }
    std::vector<Request*> stored;
    std::size_t next = 0;  // the first job not yet run
    try {
        std::optional<Deadline> commit_by;
        for (; next < batch.size(); ++next) {
            auto* r = batch[next];
            const auto wait_until =
                commit_by ? std::min(*commit_by, earliest_from[next]) : earliest_from[next];
            switch (run_job(*r, wait_until)) {
                case Outcome::stored:
                    stored.push_back(r);
                    commit_by = std::min(commit_by.value_or(r->deadline), r->deadline);
                    break;
                case Outcome::failed:
                    finish(*r, r->error);
                    break;
                case Outcome::retry:
                    r->error = nullptr;
                    again.push_back(r);
                    break;
            }
        }
        if (before_commit_) {
            before_commit_();
        }
        connection_.commit();
    } catch (...) {
        // Not committed: nothing of the batch is durable.
        connection_.rollback();
        const auto error = std::current_exception();
        for (auto* r : stored) {
            finish(*r, error);
        }
        for (; next < batch.size(); ++next) {
            finish(*batch[next], error);
        }
        return again;
    }
    for (auto* r : stored) {
        finish(*r, nullptr);
    }
    return again;
}

}  // namespace settings::detail
