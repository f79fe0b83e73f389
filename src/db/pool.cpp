#include "robotoff/db/pool.hpp"

#include "robotoff/core/log.hpp"

namespace robotoff::db {

lease::lease(lease&& other) noexcept : owner_(other.owner_), conn_(std::move(other.conn_)) {
    other.owner_ = nullptr;
}

lease::~lease() {
    if (owner_ && conn_) {
        owner_->give_back(std::move(conn_));
    }
}

pool::pool(pool_settings settings) : settings_(std::move(settings)) {}

pool::~pool() { close(); }

lease pool::acquire() { return acquire(std::chrono::steady_clock::now() + settings_.acquire_timeout); }

lease pool::acquire(std::chrono::steady_clock::time_point deadline) {
    std::unique_lock lock(mutex_);
    ++waiting_;
    struct waiting_guard {
        std::size_t& n;
        ~waiting_guard() { --n; }
    } guard{waiting_};

    while (true) {
        if (closed_) {
            throw unavailable("connection pool is closed");
        }
        if (!idle_.empty()) {
            auto conn = std::move(idle_.back());
            idle_.pop_back();
            ++in_use_;
            return lease(this, std::move(conn));
        }
        if (in_use_ + opening_ < settings_.size) {
            // Open a new connection outside the lock: connecting can take a while.
            ++opening_;
            lock.unlock();
            std::unique_ptr<connection> conn;
            try {
                conn = std::make_unique<connection>(settings_.url, settings_.statement_timeout_ms,
                                                    settings_.connect_timeout_s, settings_.application_name);
            } catch (...) {
                lock.lock();
                --opening_;
                available_.notify_one();
                throw;
            }
            lock.lock();
            --opening_;
            ++in_use_;
            return lease(this, std::move(conn));
        }
        if (available_.wait_until(lock, deadline) == std::cv_status::timeout && idle_.empty() &&
            in_use_ + opening_ >= settings_.size) {
            throw pool_exhausted("no database connection free within the deadline (pool size " +
                                 std::to_string(settings_.size) + ")");
        }
    }
}

void pool::give_back(std::unique_ptr<connection> conn) {
    // A broken connection, or one left inside a transaction by an exception, is not reused.
    const bool reusable = !conn->broken() && !conn->in_transaction();
    if (!reusable) {
        core::log::debug("db.connection_discarded", {{"broken", conn->broken()}});
        conn.reset();
    }
    std::lock_guard lock(mutex_);
    --in_use_;
    if (reusable && !closed_) {
        idle_.push_back(std::move(conn));
    }
    available_.notify_one();
}

pool_stats pool::stats() const {
    std::lock_guard lock(mutex_);
    return pool_stats{in_use_, idle_.size(), waiting_, settings_.size};
}

void pool::close() {
    std::vector<std::unique_ptr<connection>> closing;
    {
        std::lock_guard lock(mutex_);
        closed_ = true;
        closing.swap(idle_);
    }
    available_.notify_all();
}

}  // namespace robotoff::db
