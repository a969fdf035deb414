#include "postgresql/pg_pool.hpp"

#include <settings/errors.hpp>

namespace settings::detail {

PgPool::PgPool(std::string url, std::chrono::milliseconds lock_timeout, std::size_t size)
    : url_(std::move(url)), lock_timeout_(lock_timeout), size_(size == 0 ? 1 : size) {}

std::unique_ptr<PgConnection> PgPool::connect() const {
    if (!server_answers_.load()) {
        throw StorageUnavailableError("PostgreSQL does not answer");
    }
    try {
        return std::make_unique<PgConnection>(url_, lock_timeout_,
                                              PgAnswerWait{&server_answers_, {}});
    } catch (const DatabaseOpenError& e) {
        throw StorageUnavailableError(e.what());
    }
}

std::unique_ptr<PgConnection> PgPool::probe_connection(
    std::chrono::milliseconds answer_limit) const {
    try {
        return std::make_unique<PgConnection>(url_, lock_timeout_,
                                              PgAnswerWait{nullptr, answer_limit});
    } catch (const DatabaseOpenError& e) {
        throw StorageUnavailableError(e.what());
    }
}

PoolUsage PgPool::usage() {
    const std::scoped_lock lock(mutex_);
    return {open_ - idle_.size(), size_};
}

PgPool::Lease::Lease(PgPool& p) : pool(p) {
    std::unique_lock lock(pool.mutex_);
    pool.available_.wait(lock, [&] { return !pool.idle_.empty() || pool.open_ < pool.size_; });
    while (!pool.idle_.empty()) {
        connection = std::move(pool.idle_.back());
        pool.idle_.pop_back();
        if (connection->still_open()) {
            reused = true;
            return;
        }
        connection.reset();  // closed by the server while idle
        --pool.open_;
    }
    ++pool.open_;
    lock.unlock();
    try {
        connection = pool.connect();
    } catch (...) {
        lock.lock();
        --pool.open_;
        pool.available_.notify_one();
        throw;
    }
}

PgPool::Lease::~Lease() {
    const std::scoped_lock lock(pool.mutex_);
    if (connection->healthy() && connection->idle()) {
        pool.idle_.push_back(std::move(connection));
    } else {
        --pool.open_;  // lost, or left in a transaction: the next lease opens a new one
    }
    pool.available_.notify_one();
}

}  // namespace settings::detail
