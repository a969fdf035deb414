#pragma once

#include <condition_variable>
#include <cstddef>
#include <exception>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <vector>

namespace settings::detail {

/// The transaction statements group commit needs, on one connection of an engine.
class BatchConnection {
  public:
    virtual ~BatchConnection() = default;
    /// Starts a write transaction (SQLite: BEGIN IMMEDIATE, so the write lock is
    /// taken before anything is read).
    virtual void begin() = 0;
    virtual void savepoint() = 0;
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

/// Write jobs from many threads share transactions: the first caller to find no
/// batch running becomes the leader, runs every queued job in one transaction,
/// each inside its own savepoint, and commits once; the other callers wait. Each
/// caller returns only after the commit that holds its job, so a write is
/// acknowledged only once it is durable, and one commit serves the whole batch. A
/// job that throws is rolled back to its savepoint and the exception goes to its
/// caller alone; a failing commit fails every job of the batch.
class GroupCommit {
  public:
    /// `before_commit` runs before each commit and may throw to fail the batch;
    /// `on_batch`, when set, hears the size of every batch once it is done.
    GroupCommit(BatchConnection& connection, std::function<void()> before_commit = {},
                std::function<void(std::size_t)> on_batch = {}, std::size_t max_batch = 256);

    /// Runs `job` on the connection inside a shared transaction (possibly on
    /// another thread) and returns after the commit; rethrows what `job` or the
    /// commit threw.
    void run(const std::function<void()>& job);

  private:
    struct Request {
        const std::function<void()>* job = nullptr;
        std::exception_ptr error;
        bool done = false;
        // Each caller sleeps on its own: a commit wakes exactly the callers it
        // served, and a leader hands over to exactly one caller.
        std::condition_variable wake;
    };

    void run_batch(const std::vector<Request*>& batch);
    void run_job(Request& request);

    BatchConnection& connection_;
    std::function<void()> before_commit_;
    std::function<void(std::size_t)> on_batch_;
    std::size_t max_batch_;
    std::mutex mutex_;
    std::vector<Request*> queue_;
    bool leading_ = false;
};

}  // namespace settings::detail
