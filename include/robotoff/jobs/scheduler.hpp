#pragma once
// The in-process, cron-like scheduler (pipeline.md §9). It only decides WHEN: each firing enqueues a durable
// job (with its dedup key) through a `fire` callback; it never runs job bodies. Time comes from an injected
// core::clock, so tests drive it with core::manual_clock and call tick() instead of sleeping.
// Cluster-wide single execution is the fire callback's job (db_fire: a unique (name, period) row).
// Threads: start() runs one thread ("robotoffd-scheduler") that ticks; tick() may also be called directly.
// Thread-safe. stop() (also the destructor) joins the thread.

#include "robotoff/core/clock.hpp"
#include "robotoff/db/pool.hpp"

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace robotoff::jobs {

// "every 120s" / "every 2m" / "every 2h" (periods aligned on the Unix epoch), "daily HH:MM" (UTC), or "off".
struct schedule_spec {
    enum class type { every, daily, off };
    type kind = type::off;
    std::chrono::seconds interval{0};  // every
    int hour = 0;                      // daily
    int minute = 0;
};

// Throws core::usage_error naming the text when it is malformed.
schedule_spec parse_schedule(std::string_view text);

// Start of the most recent period that began at or before `now` (the firing time it stands for).
core::time_point period_start(const schedule_spec& s, core::time_point now);
// The first firing time strictly after `now`.
core::time_point next_fire(const schedule_spec& s, core::time_point now);

struct scheduled_job {
    std::string name;                      // "process_insights"
    std::string kind;                      // job kind to enqueue
    schedule_spec when;
    std::chrono::seconds max_random_delay{0};  // process_insights: 0–20 s
    bool at_startup = false;               // also fire once on the first tick (download_taxonomies)
    // Payload for a firing at `period` (e.g. {"since": ...}); must carry the dedup key.
    std::function<std::string(core::time_point period)> payload;
};

// Enqueues one firing; returns false when the firing was already taken (another node) — both count as
// "handled". Throws on database errors (the firing is retried at the next tick).
using fire_fn = std::function<bool(const scheduled_job&, core::time_point period, std::chrono::seconds delay)>;

// The default table of §9 with the schedule.* settings (`settings` maps setting name -> text).
std::vector<scheduled_job> default_schedules(const std::map<std::string, std::string>& settings,
                                             std::chrono::seconds taxonomy_refresh);

class scheduler {
public:
    scheduler(const core::clock& clock, std::vector<scheduled_job> jobs, fire_fn fire, unsigned seed = 0);
    ~scheduler();
    scheduler(const scheduler&) = delete;
    scheduler& operator=(const scheduler&) = delete;

    // Fires every job whose period changed since its last firing; returns the names fired (taken or not).
    std::vector<std::string> tick();
    // Earliest next firing time of all jobs.
    core::time_point next_due() const;

    // Ticks on a thread, sleeping until the next due time (at most `max_sleep` of real time, so a manual
    // clock is also followed).
    void start(std::chrono::milliseconds max_sleep = std::chrono::milliseconds(1000));
    void stop();

    // Fires `name` now regardless of its schedule (run-job); false if unknown.
    bool fire_now(const std::string& name);

private:
    struct entry {
        scheduled_job job;
        std::optional<core::time_point> last_period;
    };

    const core::clock& clock_;
    std::vector<entry> entries_;
    fire_fn fire_;
    mutable std::mutex mutex_;
    std::mt19937 random_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::jthread thread_;
};

// The cluster-wide fire function: in one transaction, INSERT (name, period) into job_schedule
// (ON CONFLICT DO NOTHING) and, when the row is new, enqueue the job. `on_enqueued` wakes local workers.
fire_fn db_fire(db::pool& pool, std::function<void()> on_enqueued);

}  // namespace robotoff::jobs
