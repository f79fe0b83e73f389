#pragma once
// The reader thread of one node in Product Opener's consumer group (intake.md §3.2, group mode). It reads
// both streams with XREADGROUP, records each batch in one PostgreSQL transaction (store.hpp) and only then
// XACKs it; it first re-reads its own pending entries (a restart), and claims the entries other nodes left
// pending (XAUTOCLAIM after redis.claim_idle_ms). Redis or PostgreSQL failures close the connection and
// retry with back-off (1 s doubling to 60 s, ±20 % jitter): unacked entries stay pending in Redis, so none
// is lost. Reading pauses while the job table holds too many pending jobs.

#include "robotoff/core/metrics.hpp"
#include "robotoff/db/pool.hpp"
#include "robotoff/intake/event.hpp"
#include "robotoff/intake/redis.hpp"

#include <atomic>
#include <condition_variable>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace robotoff::intake {

struct stream_spec {
    source kind = source::product_updates;
    std::string name;
};

struct consumer_settings {
    redis_address address;
    std::vector<stream_spec> streams;  // empty names are left out
    std::string group = "robotoffd";
    std::string consumer;              // stable per node
    std::string start_id = "$";
    int batch_size = 100;
    std::chrono::milliseconds block{5000};
    std::chrono::milliseconds claim_idle{60000};
    std::chrono::seconds claim_interval{30};
    int max_deliveries = 10;
    std::chrono::milliseconds connect_timeout{5000};
    std::chrono::seconds health_grace{60};
    long long pause_pending = 10000;   // back-pressure: stop reading at this many pending jobs ...
    long long resume_pending = 5000;   // ... and read again below this
    mapping_settings mapping;

    // From redis.* (and the mapping's settings); `node_name` is the default consumer name.
    static consumer_settings from_config(const core::config& cfg, const std::string& node_name);
};

struct consumer_health {
    bool ok = false;
    std::string output;
};

class consumer {
public:
    // `wake` tells this node's workers that jobs were committed (may be empty).
    consumer(consumer_settings settings, db::pool& pool, core::metrics_registry& metrics,
             std::function<void()> wake);
    ~consumer();  // stops
    consumer(const consumer&) = delete;
    consumer& operator=(const consumer&) = delete;

    void start();
    // Stops reading; a batch being recorded finishes (it is short), an unacked one is redelivered later.
    void stop();

    // The `redis` health check (intake.md §4.2).
    consumer_health health() const;

private:
    void run();
    void session();  // one connection's life: set up, then read until an error or stop
    void ensure_groups(redis_connection& conn);
    void read_own_pending(redis_connection& conn);
    void claim_abandoned(redis_connection& conn);
    void refresh_gauges(redis_connection& conn);
    bool wait_for_backpressure();
    // Records and acks one batch of entries of one reply; `redelivered` entries get the delivery check.
    void handle(redis_connection& conn, const redis_reply& streams_reply, bool redelivered);
    void handle_entries(redis_connection& conn, const std::string& stream, source kind,
                        std::vector<stream_entry>& entries, std::vector<std::string>& trimmed, bool redelivered);
    void sleep_interruptible(std::chrono::milliseconds d);
    void set_connected(bool connected);

    consumer_settings settings_;
    db::pool& pool_;
    core::metrics_registry& metrics_;
    std::function<void()> wake_;

    std::atomic<bool> stopping_{false};
    std::thread thread_;
    mutable std::mutex mutex_;  // guards the fields below and current_
    std::condition_variable stop_cv_;
    redis_connection* current_ = nullptr;
    bool connected_ = false;
    std::chrono::steady_clock::time_point last_ok_{};       // last successful command
    std::chrono::steady_clock::time_point disconnected_at_;  // set by the constructor
    std::string disconnected_since_;                         // ISO time, for the health output
    std::string last_error_;
    bool blocking_ = false;                                  // current_ is in a blocking XREADGROUP
    // Reader-thread only:
    std::chrono::steady_clock::time_point next_claim_{};
    std::chrono::steady_clock::time_point next_pressure_check_{};
    long long pressure_budget_ = 0;  // jobs this node may still write before counting again
    bool connected_once_ = false;  // the last session got as far as reading (resets the back-off)
};

}  // namespace robotoff::intake
