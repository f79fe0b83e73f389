#include "robotoff/jobs/runner.hpp"

#include "robotoff/core/config.hpp"
#include "robotoff/core/log.hpp"
#include "robotoff/core/thread_pool.hpp"

#include <unistd.h>

namespace robotoff::jobs {

namespace {

std::string host_name() {
    char buffer[256] = {};
    if (::gethostname(buffer, sizeof buffer - 1) != 0) {
        return "unknown";
    }
    return buffer;
}

}  // namespace

runner_settings runner_settings::from_config(const core::config& cfg) {
    runner_settings s;
    s.workers = static_cast<int>(cfg.get_int("jobs.workers"));
    s.max_attempts = static_cast<int>(cfg.get_int("jobs.max_attempts"));
    s.poll_interval = std::chrono::milliseconds(cfg.get_int("jobs.poll_interval_ms"));
    s.lease = std::chrono::seconds(cfg.get_int("jobs.lease_s"));
    s.heartbeat = std::chrono::seconds(cfg.get_int("jobs.heartbeat_s"));
    s.database_url = cfg.get_string("database.url");
    return s;
}

runner::runner(runner_settings settings, db::pool& pool, core::metrics_registry& metrics)
    : settings_(std::move(settings)), pool_(pool), metrics_(metrics),
      node_id_(host_name() + ":" + std::to_string(::getpid())) {
    using k = core::metrics_registry::kind;
    metrics_.describe("robotoffd_jobs_total", k::counter, "Job runs by kind and result (done, retry, failed)");
    metrics_.describe("robotoffd_jobs_pending", k::gauge, "Pending jobs by kind");
    metrics_.describe("robotoffd_jobs_queue", k::gauge, "Jobs by kind and state (pending, running, failed)");
    metrics_.describe("robotoffd_job_duration_seconds", k::histogram, "Job run time by kind",
                      {0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 1800, 7200});
    metrics_.add_collector([this](core::metrics_registry& m) { collect_metrics(m); });
}

runner::~runner() { stop(); }

void runner::register_handler(const std::string& kind, job_handler handler) {
    handlers_[kind] = std::move(handler);
}

std::vector<std::string> runner::kinds() const {
    std::vector<std::string> out;
    for (const auto& [k, h] : handlers_) {
        out.push_back(k);
    }
    return out;
}

void runner::start() {
    if (started_ || settings_.workers <= 0) {
        return;
    }
    started_ = true;
    for (int i = 0; i < settings_.workers; ++i) {
        threads_.emplace_back([this, i](std::stop_token stop) { worker_loop(stop, i); });
    }
    threads_.emplace_back([this](std::stop_token stop) { listener_loop(stop); });
    threads_.emplace_back([this](std::stop_token stop) { maintenance_loop(stop); });
    core::log::info("jobs.started", {{"node", node_id_},
                                     {"workers", settings_.workers},
                                     {"kinds", static_cast<long long>(handlers_.size())}});
}

void runner::stop() {
    if (threads_.empty()) {
        return;
    }
    for (auto& t : threads_) {
        t.request_stop();
    }
    wake();
    for (auto& t : threads_) {
        if (t.joinable()) {
            t.join();
        }
    }
    threads_.clear();
    core::log::info("jobs.stopped", {{"node", node_id_}, {"executed", executed_.load()}});
}

void runner::wake() {
    {
        std::lock_guard lock(wake_mutex_);
        ++wake_generation_;
    }
    wake_cv_.notify_all();
}

enqueue_result runner::enqueue(const new_job& job) {
    auto conn = pool_.acquire();
    auto r = jobs::enqueue(*conn, job);
    wake();
    return r;
}

void runner::wait_for_work(std::stop_token& stop, std::chrono::milliseconds max_wait) {
    std::unique_lock lock(wake_mutex_);
    auto seen = wake_generation_;
    wake_cv_.wait_for(lock, stop, max_wait, [&] { return wake_generation_ != seen; });
}

void runner::execute(db::connection& conn, job& j) {
    auto handler_it = handlers_.find(j.kind);
    auto started = std::chrono::steady_clock::now();
    std::string result;
    std::string owner;
    {
        std::lock_guard lock(running_mutex_);
        running_.insert(j.id);
        owner = running_owner_[j.id];
    }
    struct untrack {
        runner* self;
        long long id;
        ~untrack() {
            std::lock_guard lock(self->running_mutex_);
            self->running_.erase(id);
            self->running_owner_.erase(id);
        }
    } guard{this, j.id};
    try {
        if (handler_it == handlers_.end()) {
            throw std::runtime_error("no handler for job kind " + j.kind);
        }
        std::stop_source never;
        job_outcome outcome = handler_it->second(j, never.get_token());
        if (outcome.kind == job_outcome::type::done) {
            mark_done(conn, j.id, owner);
            result = "done";
            core::log::info("jobs.done", {{"job_id", j.id}, {"kind", j.kind}, {"note", outcome.note}});
        } else {
            mark_not_ready(conn, j.id, owner, outcome.delay, outcome.new_payload);
            result = "not_ready";
            core::log::info("jobs.not_ready", {{"job_id", j.id},
                                               {"kind", j.kind},
                                               {"retry_in_s", static_cast<long long>(outcome.delay.count())},
                                               {"note", outcome.note}});
        }
    } catch (const std::exception& e) {
        std::string state;
        try {
            state = mark_failed(conn, j.id, owner, e.what(), settings_.max_attempts, settings_.retry_base);
        } catch (const std::exception& db_failure) {
            // The outcome could not be written: the row stays running and is reclaimed as stale.
            core::log::error("jobs.outcome_lost", {{"job_id", j.id}, {"kind", j.kind}, {"error", db_failure.what()}});
        }
        result = state == "failed" ? "failed" : "retry";
        core::log::warning("jobs.error", {{"job_id", j.id},
                                          {"kind", j.kind},
                                          {"attempts", j.attempts},
                                          {"state", state},
                                          {"error", e.what()}});
    }
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    metrics_.increment("robotoffd_jobs_total", {{"kind", j.kind}, {"result", result}});
    metrics_.observe("robotoffd_job_duration_seconds", {{"kind", j.kind}}, seconds);
    ++executed_;
}

void runner::worker_loop(std::stop_token stop, int index) {
    core::set_thread_name("robotoffd-job-" + std::to_string(index));
    claim_settings cs;
    cs.worker_id = node_id_ + ":" + std::to_string(index);
    cs.kinds = kinds();
    auto backoff = std::chrono::milliseconds(200);
    while (!stop.stop_requested()) {
        std::chrono::milliseconds idle = settings_.poll_interval;
        try {
            auto conn = pool_.acquire();
            auto claimed = claim(*conn, cs);
            backoff = std::chrono::milliseconds(200);
            if (claimed) {
                {
                    std::lock_guard lock(running_mutex_);
                    running_owner_[claimed->id] = cs.worker_id;
                }
                execute(*conn, *claimed);
                continue;
            }
            if (auto next = seconds_until_next(*conn, cs.kinds)) {
                auto until = std::chrono::milliseconds(static_cast<long long>(*next * 1000) + 5);
                idle = std::min(idle, until);
            }
        } catch (const std::exception& e) {
            core::log::warning("jobs.worker_db_error", {{"worker", cs.worker_id}, {"error", e.what()}});
            idle = backoff;
            backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
        }
        wait_for_work(stop, idle);
    }
}

void runner::listener_loop(std::stop_token stop) {
    core::set_thread_name("robotoffd-jobs-listen");
    auto backoff = std::chrono::milliseconds(200);
    while (!stop.stop_requested()) {
        try {
            db::connection conn(settings_.database_url, 0, settings_.connect_timeout_s, "robotoffd-listen");
            conn.exec(std::string("LISTEN ") + notify_channel);
            backoff = std::chrono::milliseconds(200);
            // Anything enqueued while we were not listening is found by this wake.
            wake();
            while (!stop.stop_requested()) {
                if (conn.wait_readable(500)) {
                    if (!conn.take_notifications().empty()) {
                        wake();
                    }
                }
                if (conn.broken()) {
                    throw db::unavailable("LISTEN connection lost");
                }
            }
        } catch (const std::exception& e) {
            core::log::warning("jobs.listen_error", {{"error", e.what()}, {"retry_in_ms", backoff.count()}});
            std::unique_lock lock(wake_mutex_);
            wake_cv_.wait_for(lock, stop, backoff, [] { return false; });
            backoff = std::min(backoff * 2, std::chrono::milliseconds(10000));
        }
    }
}

void runner::maintenance_loop(std::stop_token stop) {
    core::set_thread_name("robotoffd-jobs-lease");
    auto period = std::min<std::chrono::milliseconds>(settings_.heartbeat, settings_.lease / 3);
    while (!stop.stop_requested()) {
        try {
            std::map<std::string, std::vector<long long>> by_owner;
            {
                std::lock_guard lock(running_mutex_);
                for (const auto& [id, owner] : running_owner_) {
                    by_owner[owner].push_back(id);
                }
            }
            auto conn = pool_.acquire();
            for (const auto& [owner, ids] : by_owner) {
                heartbeat(*conn, ids, owner);
            }
            auto reclaimed = reclaim_stale(*conn, settings_.lease, settings_.max_attempts);
            if (!reclaimed.empty()) {
                core::log::warning("jobs.reclaimed_stale", {{"count", static_cast<long long>(reclaimed.size())},
                                                            {"first_id", reclaimed.front()}});
                wake();
            }
        } catch (const std::exception& e) {
            core::log::warning("jobs.maintenance_error", {{"error", e.what()}});
        }
        std::unique_lock lock(wake_mutex_);
        wake_cv_.wait_for(lock, stop, period, [] { return false; });
    }
}

std::optional<job_row> runner::run_until_settled(long long id) {
    claim_settings cs;
    cs.worker_id = node_id_ + ":run-job";
    cs.kinds = kinds();
    auto conn = pool_.acquire();
    for (int round = 0; round < 1000; ++round) {
        auto row = find(*conn, id);
        if (!row || row->state != "pending") {
            return row;
        }
        auto claimed = claim(*conn, cs);
        if (!claimed) {
            return row;  // not due yet (delayed) or claimed elsewhere
        }
        {
            std::lock_guard lock(running_mutex_);
            running_owner_[claimed->id] = cs.worker_id;
        }
        execute(*conn, *claimed);
        if (claimed->id == id) {
            return find(*conn, id);
        }
    }
    return find(*conn, id);
}

void runner::collect_metrics(core::metrics_registry& m) {
    try {
        auto conn = pool_.acquire(std::chrono::steady_clock::now() + std::chrono::seconds(2));
        auto d = depth(*conn);
        std::map<std::string, long long> pending;
        for (const auto& kind : all_kinds()) {
            pending[kind] = 0;
        }
        for (const auto& [key, count] : d) {
            m.set_gauge("robotoffd_jobs_queue", {{"kind", key.first}, {"state", key.second}},
                        static_cast<double>(count));
            if (key.second == "pending") {
                pending[key.first] = count;
            }
        }
        for (const auto& [kind, count] : pending) {
            m.set_gauge("robotoffd_jobs_pending", {{"kind", kind}}, static_cast<double>(count));
        }
    } catch (const std::exception& e) {
        core::log::debug("jobs.metrics_unavailable", {{"error", e.what()}});
    }
}

}  // namespace robotoff::jobs
