#include "storage/group_commit.hpp"

#include <algorithm>

namespace settings::detail {

namespace {
// A job that keeps losing races is failed with the conflict rather than retried
// forever.
constexpr int max_attempts = 5;
}  // namespace

GroupCommit::GroupCommit(BatchConnection& connection, std::function<void()> before_commit,
                         std::function<void(std::size_t)> on_batch, std::size_t max_batch)
    : connection_(connection),
      before_commit_(std::move(before_commit)),
      on_batch_(std::move(on_batch)),
      max_batch_(max_batch) {}

void GroupCommit::run(const std::function<void()>& job) {
    Request request;
    request.job = &job;
    std::unique_lock lock(mutex_);
    queue_.push_back(&request);
    request.wake.wait(lock, [&] { return request.done || !leading_; });
    if (!request.done) {
        // Lead: commit batches until our own request is in a committed one.
        leading_ = true;
        while (!request.done) {
            const auto count = std::min(queue_.size(), max_batch_);
            std::vector<Request*> batch(queue_.begin(), queue_.begin() + static_cast<long>(count));
            queue_.erase(queue_.begin(), queue_.begin() + static_cast<long>(count));
            lock.unlock();
            run_batch(batch);
            if (on_batch_) {
                on_batch_(batch.size());
            }
            lock.lock();
            for (auto* r : batch) {
                r->done = true;
                r->wake.notify_one();
            }
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

void GroupCommit::run_job(Request& request) {
    for (int attempt = 1;; ++attempt) {
        connection_.savepoint();
        try {
            (*request.job)();
            connection_.release_savepoint();
            return;
        } catch (const TransactionConflict&) {
            connection_.rollback_to_savepoint();
            connection_.release_savepoint();
            if (attempt == max_attempts) {
                request.error = std::current_exception();
                return;
            }
        } catch (...) {
            request.error = std::current_exception();
            connection_.rollback_to_savepoint();
            connection_.release_savepoint();
            return;
        }
    }
}

void GroupCommit::run_batch(const std::vector<Request*>& batch) {
    try {
        connection_.begin();
    } catch (...) {
        const auto error = std::current_exception();
        for (auto* r : batch) {
            r->error = error;
        }
        return;
    }
    try {
        for (auto* r : batch) {
            run_job(*r);
        }
        if (before_commit_) {
            before_commit_();
        }
        connection_.commit();
    } catch (...) {
        // Not committed: nothing of the batch is durable.
        connection_.rollback();
        const auto error = std::current_exception();
        for (auto* r : batch) {
            r->error = error;
        }
    }
}

}  // namespace settings::detail
