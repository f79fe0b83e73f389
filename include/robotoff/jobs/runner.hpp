#pragma once
// DESIGN: the job runner of one robotoffd node (module `jobs`, main header).
// Owns: `jobs.workers` worker threads ("robotoffd-job-N"), one listener thread (a dedicated connection doing
// LISTEN robotoffd_jobs, reconnecting with back-off when the database goes away) and one maintenance thread
// (heartbeat of running jobs every jobs.heartbeat_s, reclaim of stale locks older than jobs.lease_s).
// Flow: enqueue (queue.hpp) commits a row and NOTIFYs -> the listener (other nodes) or wake() (this process)
// wakes the workers -> a worker claims with FOR UPDATE SKIP LOCKED -> runs the registered handler -> records
// done / not ready / retry with back-off / failed. Workers also poll every jobs.poll_interval_ms and sleep no
// longer than until the next run_after. Per-product serialization is done at claim time (queue.hpp).
// Errors: a handler's exception is caught at the job boundary, logged with kind and id, stored on the row.
// Database outages: workers log, back off, and retry; no job is lost (rows stay running and are reclaimed
// as stale if the outcome could not be written).
// Metrics: robotoffd_jobs_total{kind,result}, robotoffd_job_duration_seconds{kind},
// robotoffd_jobs_pending{kind} and robotoffd_jobs_queue{kind,state} (refreshed at each scrape).
// Shutdown: stop() stops claiming, lets running handlers finish (their stop_token is signalled), joins.
// Thread-safe: register handlers before start(); wake() and stats from any thread.

#include "robotoff/core/metrics.hpp"
#include "robotoff/db/pool.hpp"
#include "robotoff/jobs/job.hpp"
#include "robotoff/jobs/queue.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

namespace robotoff::core {
class config;
}

namespace robotoff::jobs {

using job_handler = std::function<job_outcome(const job&, std::stop_token)>;

struct runner_settings {
    int workers = 4;
    int max_attempts = 6;
    std::chrono::milliseconds poll_interval{5000};
    std::chrono::seconds lease{900};
    std::chrono::seconds heartbeat{30};
    std::chrono::seconds retry_base{30};   // back-off base of pipeline.md §8.1 (tests shorten it)
    std::string database_url;            // for the LISTEN connection
    int connect_timeout_s = 5;

    static runner_settings from_config(const core::config& cfg);
};

class runner {
public:
    runner(runner_settings settings, db::pool& pool, core::metrics_registry& metrics);
    ~runner();
    runner(const runner&) = delete;
    runner& operator=(const runner&) = delete;

    // Before start(). A kind without a handler is never claimed by this node.
    void register_handler(const std::string& kind, job_handler handler);
    std::vector<std::string> kinds() const;

    void start();
    void stop();

    // Wakes idle workers (a job was just enqueued by this process).
    void wake();

    // Enqueues (own transaction) and wakes local workers. Blocking; throws db errors.
    enqueue_result enqueue(const new_job& job);

    // Claims and runs jobs on the calling thread until none of `kind` is due or `id` reached a final or
    // delayed state (run-job; tests). Returns the job's row afterwards.
    std::optional<job_row> run_until_settled(long long id);

    // Runs one claimed job's handler and records its outcome (used by workers and run_until_settled).
    void execute(db::connection& conn, job& j);

    const std::string& node_id() const { return node_id_; }
    long long executed() const { return executed_.load(); }

private:
    void worker_loop(std::stop_token stop, int index);
    void listener_loop(std::stop_token stop);
    void maintenance_loop(std::stop_token stop);
    void wait_for_work(std::stop_token& stop, std::chrono::milliseconds max_wait);
    void collect_metrics(core::metrics_registry& m);

    runner_settings settings_;
    db::pool& pool_;
    core::metrics_registry& metrics_;
    std::map<std::string, job_handler> handlers_;
    std::string node_id_;

    std::mutex wake_mutex_;
    std::condition_variable_any wake_cv_;
    std::uint64_t wake_generation_ = 0;

    std::mutex running_mutex_;
    std::set<long long> running_;
    std::map<long long, std::string> running_owner_;  // job id -> worker id

    std::atomic<long long> executed_{0};
    std::vector<std::jthread> threads_;
    bool started_ = false;
};

}  // namespace robotoff::jobs
