#pragma once
// DESIGN: the ONE PostgreSQL connection pool of the process (libpq, blocking calls).
// - Connections are handed out only as RAII `lease`s, acquired with a deadline. No free connection before
//   the deadline -> db::pool_exhausted (HTTP 503 + Retry-After). Database unreachable -> db::unavailable.
// - A lease returned while its connection is broken or inside a transaction is discarded (the connection
//   is closed) instead of being reused; the pool opens a new one on demand, so it heals by itself when the
//   database comes back.
// - Every connection gets application_name=robotoffd and statement_timeout.
// - Thread-safe. Blocking: acquire() waits (bounded); every query blocks the calling thread, so queries
//   run on handler/job threads, never on I/O threads.

#include "robotoff/db/connection.hpp"

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace robotoff::db {

struct pool_settings {
    std::string url = "postgresql:///robotoff";
    std::size_t size = 16;
    int statement_timeout_ms = 15000;
    int connect_timeout_s = 5;
    std::chrono::milliseconds acquire_timeout{5000};
    std::string application_name = "robotoffd";
};

class pool;

// Exclusive use of one connection until destruction.
class lease {
public:
    lease(lease&& other) noexcept;
    lease& operator=(lease&&) = delete;
    lease(const lease&) = delete;
    ~lease();

    connection& operator*() { return *conn_; }
    connection* operator->() { return conn_.get(); }

private:
    friend class pool;
    lease(pool* owner, std::unique_ptr<connection> conn) : owner_(owner), conn_(std::move(conn)) {}
    pool* owner_;
    std::unique_ptr<connection> conn_;
};

struct pool_stats {
    std::size_t in_use = 0;
    std::size_t idle = 0;
    std::size_t waiting = 0;
    std::size_t size = 0;
};

class pool {
public:
    explicit pool(pool_settings settings);
    ~pool();
    pool(const pool&) = delete;
    pool& operator=(const pool&) = delete;

    // Waits until `deadline` for a connection (opening one if below size). Throws pool_exhausted or
    // unavailable (connect failed).
    lease acquire(std::chrono::steady_clock::time_point deadline);
    // acquire(now + settings.acquire_timeout)
    lease acquire();

    pool_stats stats() const;
    const pool_settings& settings() const { return settings_; }

    // Closes idle connections and refuses new acquisitions (shutdown). Leases still out are closed on return.
    void close();

private:
    friend class lease;
    void give_back(std::unique_ptr<connection> conn);

    pool_settings settings_;
    mutable std::mutex mutex_;
    std::condition_variable available_;
    std::vector<std::unique_ptr<connection>> idle_;
    std::size_t in_use_ = 0;
    std::size_t opening_ = 0;
    std::size_t waiting_ = 0;
    bool closed_ = false;
};

}  // namespace robotoff::db
