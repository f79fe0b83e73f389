#include "robotoff/jobs/scheduler.hpp"

#include "robotoff/core/errors.hpp"
#include "robotoff/core/log.hpp"
#include "robotoff/core/thread_pool.hpp"
#include "robotoff/jobs/queue.hpp"

#include <cctype>

namespace robotoff::jobs {

namespace {

using std::chrono::seconds;

std::string trim(std::string_view t) {
    auto b = t.find_first_not_of(" \t");
    auto e = t.find_last_not_of(" \t");
    return b == std::string_view::npos ? std::string() : std::string(t.substr(b, e - b + 1));
}

core::time_point day_start(core::time_point t) {
    auto days = std::chrono::floor<std::chrono::days>(t);
    return core::time_point(days);
}

std::string since_yesterday(core::time_point period) {
    return core::iso_timestamp(day_start(period) - std::chrono::days(1));
}

}  // namespace

schedule_spec parse_schedule(std::string_view raw) {
    std::string text = trim(raw);
    schedule_spec s;
    auto fail = [&] {
        return core::usage_error("invalid schedule '" + std::string(raw) +
                                 "': expected \"every <N>s|m|h\", \"daily HH:MM\" or \"off\"");
    };
    if (text == "off" || text == "never") {
        return s;
    }
    if (text.starts_with("every ")) {
        std::string n = trim(text.substr(6));
        std::size_t i = 0;
        while (i < n.size() && std::isdigit(static_cast<unsigned char>(n[i]))) {
            ++i;
        }
        if (i == 0 || i > 9) {
            throw fail();
        }
        long long value = std::stoll(n.substr(0, i));
        std::string unit = n.substr(i);
        long long mult = 0;
        if (unit == "s" || unit.empty()) {
            mult = 1;
        } else if (unit == "m" || unit == "min") {
            mult = 60;
        } else if (unit == "h") {
            mult = 3600;
        } else {
            throw fail();
        }
        if (value <= 0) {
            throw fail();
        }
        s.kind = schedule_spec::type::every;
        s.interval = seconds(value * mult);
        return s;
    }
    if (text.starts_with("daily ")) {
        std::string hm = trim(text.substr(6));
        if (hm.size() != 5 || hm[2] != ':' || !std::isdigit(static_cast<unsigned char>(hm[0])) ||
            !std::isdigit(static_cast<unsigned char>(hm[1])) || !std::isdigit(static_cast<unsigned char>(hm[3])) ||
            !std::isdigit(static_cast<unsigned char>(hm[4]))) {
            throw fail();
        }
        s.hour = std::stoi(hm.substr(0, 2));
        s.minute = std::stoi(hm.substr(3, 2));
        if (s.hour > 23 || s.minute > 59) {
            throw fail();
        }
        s.kind = schedule_spec::type::daily;
        return s;
    }
    throw fail();
}

core::time_point period_start(const schedule_spec& s, core::time_point now) {
    using namespace std::chrono;
    switch (s.kind) {
    case schedule_spec::type::every: {
        auto secs = duration_cast<seconds>(now.time_since_epoch()).count();
        auto n = s.interval.count();
        auto floor_secs = secs - ((secs % n) + n) % n;
        return core::time_point(seconds(floor_secs));
    }
    case schedule_spec::type::daily: {
        auto today = day_start(now) + hours(s.hour) + minutes(s.minute);
        return today <= now ? today : today - days(1);
    }
    case schedule_spec::type::off:
        break;
    }
    return core::time_point::min();
}

core::time_point next_fire(const schedule_spec& s, core::time_point now) {
    using namespace std::chrono;
    switch (s.kind) {
    case schedule_spec::type::every:
        return period_start(s, now) + s.interval;
    case schedule_spec::type::daily:
        return period_start(s, now) + days(1);
    case schedule_spec::type::off:
        break;
    }
    return core::time_point::max();
}

std::vector<scheduled_job> default_schedules(const std::map<std::string, std::string>& settings,
                                             std::chrono::seconds taxonomy_refresh) {
    auto setting = [&](const std::string& name, const std::string& fallback) {
        auto it = settings.find(name);
        return parse_schedule(it == settings.end() ? fallback : it->second);
    };
    auto fixed = [](std::string kind) {
        return [kind](core::time_point) { return "{\"dedup_key\":\"" + kind + "\"}"; };
    };
    auto with_since = [](std::string kind) {
        return [kind](core::time_point period) {
            std::string out = "{\"dedup_key\":\"" + kind + "\",\"since\":";
            core::append_json_string(out, since_yesterday(period));
            return out + "}";
        };
    };
    std::vector<scheduled_job> jobs;
    jobs.push_back({"process_insights", "process_insights", setting("schedule.process_insights", "every 120s"),
                    seconds(20), false, fixed("process_insights")});
    schedule_spec taxonomies;
    auto it = settings.find("schedule.download_taxonomies");
    if (it != settings.end()) {
        taxonomies = parse_schedule(it->second);
    } else {
        taxonomies.kind = schedule_spec::type::every;
        taxonomies.interval = taxonomy_refresh;
    }
    jobs.push_back({"download_taxonomies", "download_taxonomies", taxonomies, seconds(0), true,
                    fixed("download_taxonomies")});
    jobs.push_back({"cleanup", "cleanup", setting("schedule.cleanup", "daily 00:00"), seconds(0), false,
                    fixed("cleanup")});
    jobs.push_back({"download_dataset", "download_dataset", setting("schedule.download_dataset", "daily 15:00"),
                    seconds(0), false, fixed("download_dataset")});
    jobs.push_back({"refresh_all", "refresh_all", setting("schedule.refresh_all", "daily 19:00"), seconds(0), false,
                    fixed("refresh_all")});
    jobs.push_back({"category_matcher_batch", "category_matcher_batch",
                    setting("schedule.category_matcher", "daily 19:30"), seconds(0), false,
                    with_since("category_matcher_batch")});
    jobs.push_back({"spellcheck_batch", "spellcheck_batch", setting("schedule.spellcheck", "daily 20:00"), seconds(0),
                    false, with_since("spellcheck_batch")});
    return jobs;
}

scheduler::scheduler(const core::clock& clock, std::vector<scheduled_job> jobs, fire_fn fire, unsigned seed)
    : clock_(clock), fire_(std::move(fire)), random_(seed) {
    auto now = clock_.now();
    for (auto& j : jobs) {
        entry e{std::move(j), std::nullopt};
        // Cron-like: a period that began before start-up is not fired late (except at_startup jobs).
        if (!e.job.at_startup && e.job.when.kind != schedule_spec::type::off) {
            e.last_period = period_start(e.job.when, now);
        }
        entries_.push_back(std::move(e));
    }
}

scheduler::~scheduler() { stop(); }

std::vector<std::string> scheduler::tick() {
    std::vector<std::string> fired;
    std::lock_guard lock(mutex_);
    auto now = clock_.now();
    for (auto& e : entries_) {
        if (e.job.when.kind == schedule_spec::type::off && !(e.job.at_startup && !e.last_period)) {
            continue;
        }
        auto period = e.job.when.kind == schedule_spec::type::off ? now : period_start(e.job.when, now);
        if (e.last_period && *e.last_period >= period) {
            continue;
        }
        seconds delay{0};
        if (e.job.max_random_delay.count() > 0) {
            std::uniform_int_distribution<long long> d(0, e.job.max_random_delay.count());
            delay = seconds(d(random_));
        }
        try {
            bool taken = fire_(e.job, period, delay);
            core::log::info("scheduler.fired", {{"job", e.job.name},
                                                {"period", core::iso_timestamp(period)},
                                                {"enqueued", taken},
                                                {"delay_s", static_cast<long long>(delay.count())}});
            e.last_period = period;
            fired.push_back(e.job.name);
        } catch (const std::exception& ex) {
            // Left unfired: the next tick tries the same period again.
            core::log::warning("scheduler.fire_failed", {{"job", e.job.name}, {"error", ex.what()}});
        }
    }
    return fired;
}

core::time_point scheduler::next_due() const {
    std::lock_guard lock(mutex_);
    auto now = clock_.now();
    auto best = core::time_point::max();
    for (const auto& e : entries_) {
        if (e.job.at_startup && !e.last_period) {
            return now;
        }
        best = std::min(best, next_fire(e.job.when, now));
    }
    return best;
}

bool scheduler::fire_now(const std::string& name) {
    std::lock_guard lock(mutex_);
    for (auto& e : entries_) {
        if (e.job.name == name) {
            // A period of its own ("now") so a manual run is never confused with the scheduled one.
            fire_(e.job, clock_.now(), seconds(0));
            return true;
        }
    }
    return false;
}

void scheduler::start(std::chrono::milliseconds max_sleep) {
    thread_ = std::jthread([this, max_sleep](std::stop_token stop) {
        core::set_thread_name("robotoffd-scheduler");
        while (!stop.stop_requested()) {
            tick();
            auto due = next_due();
            auto now = clock_.now();
            auto wait = due > now ? std::chrono::duration_cast<std::chrono::milliseconds>(due - now)
                                  : std::chrono::milliseconds(0);
            // Failed firings are retried at least every max_sleep.
            wait = std::min(wait + std::chrono::milliseconds(5), max_sleep);
            std::unique_lock lock(mutex_);
            wake_.wait_for(lock, wait, [&] { return stopping_; });
            if (stopping_) {
                break;
            }
        }
    });
}

void scheduler::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) {
        thread_.request_stop();
        thread_.join();
    }
}

fire_fn db_fire(db::pool& pool, std::function<void()> on_enqueued) {
    return [&pool, on_enqueued](const scheduled_job& job, core::time_point period, std::chrono::seconds delay) {
        auto conn = pool.acquire();
        db::transaction tx(*conn);
        auto mark = conn->exec(
            "INSERT INTO job_schedule (name, period) VALUES ($1, $2::timestamp AT TIME ZONE 'UTC') "
            "ON CONFLICT DO NOTHING RETURNING name",
            {job.name, core::iso_timestamp(period)});
        if (mark.rows() == 0) {
            tx.commit();
            return false;
        }
        auto r = enqueue_in_transaction(*conn, new_job{job.kind, job.payload(period), delay});
        conn->exec("UPDATE job_schedule SET job_id = $3 WHERE name = $1 AND period = $2::timestamp AT TIME ZONE 'UTC'",
                   {job.name, core::iso_timestamp(period), r.id});
        tx.commit();
        if (on_enqueued) {
            on_enqueued();
        }
        return true;
    };
}

}  // namespace robotoff::jobs
