#include "group_commit.hpp"

#include <algorithm>

#include <SQLiteCpp/Transaction.h>

namespace settings::detail {

GroupCommit::GroupCommit(SQLite::Database& db, std::function<void()> before_commit,
                         std::size_t max_batch)
    : db_(db),
      before_commit_(std::move(before_commit)),
      max_batch_(max_batch),
      savepoint_(db, "SAVEPOINT job"),
      release_(db, "RELEASE job"),
      rollback_to_(db, "ROLLBACK TO job") {}

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

void GroupCommit::run_batch(const std::vector<Request*>& batch) {
    try {
        SQLite::Transaction tx(db_, SQLite::TransactionBehavior::IMMEDIATE);
        for (auto* r : batch) {
            savepoint_.exec();
            savepoint_.reset();
            try {
                (*r->job)();
            } catch (...) {
                r->error = std::current_exception();
                rollback_to_.exec();
                rollback_to_.reset();
            }
            release_.exec();
            release_.reset();
        }
        before_commit_();
        tx.commit();
    } catch (...) {
        // Not begun or not committed: nothing of the batch is durable.
        const auto error = std::current_exception();
        for (auto* r : batch) {
            r->error = error;
        }
    }
}

}  // namespace settings::detail
