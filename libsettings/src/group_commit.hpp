#pragma once

#include <condition_variable>
#include <cstddef>
#include <exception>
#include <functional>
#include <mutex>
#include <vector>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

namespace settings::detail {

/// Write jobs from many threads share transactions: the first caller to find no
/// batch running becomes the leader, runs every queued job in one BEGIN IMMEDIATE
/// transaction, each inside its own savepoint, and commits once; the other callers
/// wait. Each caller returns only after the commit that holds its job, so a write
/// is acknowledged only once it is durable, and one commit (one fsync) serves the
/// whole batch. A job that throws is rolled back to its savepoint and the exception
/// goes to its caller alone; a failing commit fails every job of the batch.
class GroupCommit {
  public:
    /// `before_commit` runs before each commit and may throw to fail the batch.
    GroupCommit(SQLite::Database& db, std::function<void()> before_commit,
                std::size_t max_batch = 256);

    /// Runs `job` on the write connection inside a shared transaction (possibly on
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

    SQLite::Database& db_;
    std::function<void()> before_commit_;
    std::size_t max_batch_;
    SQLite::Statement savepoint_;
    SQLite::Statement release_;
    SQLite::Statement rollback_to_;
    std::mutex mutex_;
    std::vector<Request*> queue_;
    bool leading_ = false;
};

}  // namespace settings::detail
