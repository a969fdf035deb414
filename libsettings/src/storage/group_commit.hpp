#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <exception>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <vector>

#include <settings/errors.hpp>

namespace settings::detail {

using Deadline = std::chrono::steady_clock::time_point;

/// The transaction statements group commit needs, on one connection of an engine.
class BatchConnection {
  public:
    virtual ~BatchConnection() = default;
    /// Starts a write transaction, waiting for a lock held elsewhere at most until
    /// `deadline` (SQLite: BEGIN IMMEDIATE, so the write lock is taken before
    /// anything is read); throws LockWaitTimeout when it was not had in time.
    virtual void begin(Deadline deadline) = 0;
    /// Starts a job whose statements may wait for locks until `deadline` (and
    /// then throw LockWaitTimeout).
    virtual void savepoint(Deadline deadline) = 0;
    virtual void release_savepoint() = 0;
    virtual void rollback_to_savepoint() = 0;
    virtual void commit() = 0;
    /// Ends a transaction that failed; never throws.
    virtual void rollback() noexcept = 0;
};

/// Thrown by an engine when a job lost a race with another transaction
/// (deadlock, serialization failure): rolled back to its savepoint, the job is
/// simply run again.
class TransactionConflict : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

/// Thrown by an engine when a lock held elsewhere was not had by the deadline.
class LockWaitTimeout : public StorageUnavailableError {
  public:
    using StorageUnavailableError::StorageUnavailableError;
};

/// Write jobs from many threads share transactions: the first caller to find no
/// batch running becomes the leader, runs every queued job in one transaction,
/// each inside its own savepoint, and commits once; the other callers wait. Each
/// caller returns only after the commit that holds its job, so a write is
/// acknowledged only once it is durable, and one commit serves the whole batch. A
/// job that throws is rolled back to its savepoint and the exception goes to its
/// caller alone, at once; a failing commit fails every job of the batch.
///
/// Every job has a deadline (WaitDeadline, else its busy timeout from the call):
/// the lock is waited for only until the earliest deadline of a batch, jobs past
/// theirs then fail with LockWaitTimeout and the others wait on, so each caller
/// is answered by its own deadline however many are queued.
class GroupCommit {
  public:
    /// `wait` is a job's deadline from its call when the thread has no
    /// WaitDeadline. `before_commit` runs before each commit and may throw to
    /// fail the batch; `on_batch`, when set, hears how many jobs each batch
    /// answered once it is done.
    GroupCommit(BatchConnection& connection, std::chrono::milliseconds wait,
                std::function<void()> before_commit = {},
                std::function<void(std::size_t)> on_batch = {}, std::size_t max_batch = 256);

    /// Runs `job` on the connection inside a shared transaction (possibly on
    /// another thread) and returns after the commit; rethrows what `job` or the
    /// commit threw.
    void run(const std::function<void()>& job);

  private:
    struct Request {
        const std::function<void()>* job = nullptr;
        Deadline deadline;
        std::exception_ptr error;
        bool done = false;
        // Each caller sleeps on its own: a commit wakes exactly the callers it
        // served, and a leader hands over to exactly one caller.
        std::condition_variable wake;
    };
    enum class Outcome { stored, failed, retry };

    // Runs one batch; the requests it neither answered nor failed, to queue again.
    std::vector<Request*> run_batch(const std::vector<Request*>& batch);
    Outcome run_job(Request& request, Deadline wait_until);
    // Answers `request` now; it must not be touched afterwards.
    void finish(Request& request, std::exception_ptr error);

    BatchConnection& connection_;
    std::chrono::milliseconds wait_;
    std::function<void()> before_commit_;
    std::function<void(std::size_t)> on_batch_;
    std::size_t max_batch_;
    std::mutex mutex_;
    std::vector<Request*> queue_;
    bool leading_ = false;
};

}  // namespace settings::detail
