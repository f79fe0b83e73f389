#pragma once
// The durable job table (data-model.md §8) and its state machine (pipeline.md §8.1), as SQL over a
// db::connection. Every function is one short transaction unless it says it runs in the caller's.
// Blocking; thread-safe as long as each thread uses its own connection (lease).

#include "robotoff/db/connection.hpp"
#include "robotoff/jobs/job.hpp"

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace robotoff::jobs {

// The NOTIFY channel of new jobs.
inline constexpr const char* notify_channel = "robotoffd_jobs";

struct new_job {
    std::string kind;
    std::string payload = "{}";          // JSON object; its "dedup_key" member coalesces (§8.1)
    std::chrono::seconds delay{0};       // run_after = now + delay
    int priority = 0;                    // 0 normal, 1 low (bulk editors): claimed after every due normal job
};

struct enqueue_result {
    long long id = 0;
    bool merged = false;                 // merged into an existing pending job (no new row)
};

// Inserts or merges a job inside the CALLER's transaction (the row is visible once it commits) and sends
// NOTIFY (delivered at commit). Use this when the job must commit together with other writes.
enqueue_result enqueue_in_transaction(db::connection& conn, const new_job& job);
// Same, in its own transaction (committed on return).
enqueue_result enqueue(db::connection& conn, const new_job& job);
// Many jobs in the CALLER's transaction with a few statements whatever their number (the stream consumer's
// batches): the outcome of calling enqueue_in_transaction for each job in order, one result per job. Jobs of
// one dedup key are merged here first; one SELECT finds their pending twins, one UPDATE merges into them, one
// INSERT adds the rest, one NOTIFY per kind.
std::vector<enqueue_result> enqueue_batch_in_transaction(db::connection& conn, const std::vector<new_job>& jobs);

struct claim_settings {
    std::string worker_id;                  // "hostname:pid:thread"
    std::vector<std::string> kinds;         // kinds this node can run (empty = none)
    std::chrono::seconds put_back_delay{5}; // per-product serialization
};

// Claims the most urgent due pending job of the given kinds (lowest priority value, then oldest run_after;
// FOR UPDATE SKIP LOCKED), marks it running and commits. A job whose product already has a running job is put back (§8.1) and the next one is tried.
// nullopt when nothing is due.
std::optional<job> claim(db::connection& conn, const claim_settings& settings);

// Outcomes. They apply only while the row is still locked by `worker_id` (a reclaimed job is left alone)
// and return false otherwise.
bool mark_done(db::connection& conn, long long id, const std::string& worker_id);
// "Not ready": back to pending after `delay`, attempt not counted, payload optionally replaced.
bool mark_not_ready(db::connection& conn, long long id, const std::string& worker_id, std::chrono::seconds delay,
                    const std::optional<std::string>& new_payload);
// Failure: pending with back-off while attempts < max_attempts, else failed. Returns the new state
// ("pending" or "failed"), or empty when the row was no longer ours.
std::string mark_failed(db::connection& conn, long long id, const std::string& worker_id, const std::string& error,
                        int max_attempts, std::chrono::seconds retry_base = std::chrono::seconds(30));

// Renews locked_at of the given running jobs of this worker (heartbeat). Returns rows renewed.
long long heartbeat(db::connection& conn, const std::vector<long long>& ids, const std::string& worker_id);

// Running jobs whose lock is older than `lease` go back to pending with last_error "worker lost" (or to
// failed when they already used max_attempts). Returns their ids.
std::vector<long long> reclaim_stale(db::connection& conn, std::chrono::seconds lease, int max_attempts);

// Done and failed jobs older than `retention` are deleted, with scheduler marks of the same age.
long long purge(db::connection& conn, std::chrono::seconds retention);

// Queue depth: (kind, state) -> count for pending, running and failed jobs.
std::map<std::pair<std::string, std::string>, long long> depth(db::connection& conn);
long long pending_total(db::connection& conn);

// Seconds until the next pending job of `kinds` is due (0 if one is due now; nullopt if none is pending).
std::optional<double> seconds_until_next(db::connection& conn, const std::vector<std::string>& kinds);

// One job row (tests, run-job): state, attempts, last_error, payload.
struct job_row {
    long long id = 0;
    std::string kind;
    std::string state;
    int attempts = 0;
    std::optional<std::string> last_error;
    std::string payload;
};
std::optional<job_row> find(db::connection& conn, long long id);

}  // namespace robotoff::jobs
