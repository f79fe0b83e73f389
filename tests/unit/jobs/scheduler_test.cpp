#include "robotoff/core/errors.hpp"
#include "robotoff/jobs/scheduler.hpp"

#include <catch2/catch.hpp>

#include <set>

using namespace robotoff;
using namespace std::chrono;

namespace {

core::time_point at(const char* iso_date, int h, int m, int s = 0) {
    core::time_point day;
    REQUIRE(core::parse_iso_date(iso_date, day));
    return day + hours(h) + minutes(m) + seconds(s);
}

struct recorded {
    std::string name;
    core::time_point period;
    seconds delay;
};

}  // namespace

TEST_CASE("schedule parsing", "[unit]") {
    auto e = jobs::parse_schedule("every 120s");
    CHECK(e.kind == jobs::schedule_spec::type::every);
    CHECK(e.interval == seconds(120));
    CHECK(jobs::parse_schedule("every 2h").interval == hours(2));
    CHECK(jobs::parse_schedule("every 5m").interval == minutes(5));
    auto d = jobs::parse_schedule("daily 19:30");
    CHECK(d.kind == jobs::schedule_spec::type::daily);
    CHECK(d.hour == 19);
    CHECK(d.minute == 30);
    CHECK(jobs::parse_schedule("off").kind == jobs::schedule_spec::type::off);
    CHECK_THROWS_AS(jobs::parse_schedule("daily 25:00"), core::usage_error);
    CHECK_THROWS_AS(jobs::parse_schedule("every 0s"), core::usage_error);
    CHECK_THROWS_AS(jobs::parse_schedule("hourly"), core::usage_error);
    CHECK_THROWS_AS(jobs::parse_schedule("daily 9:00"), core::usage_error);
}

TEST_CASE("periods and next firing times", "[unit]") {
    auto daily = jobs::parse_schedule("daily 15:00");
    CHECK(jobs::period_start(daily, at("2024-05-02", 14, 59)) == at("2024-05-01", 15, 0));
    CHECK(jobs::period_start(daily, at("2024-05-02", 15, 0)) == at("2024-05-02", 15, 0));
    CHECK(jobs::next_fire(daily, at("2024-05-02", 15, 0)) == at("2024-05-03", 15, 0));
    auto every = jobs::parse_schedule("every 120s");
    CHECK(jobs::period_start(every, at("2024-05-02", 10, 3, 30)) == at("2024-05-02", 10, 2));
    CHECK(jobs::next_fire(every, at("2024-05-02", 10, 3, 30)) == at("2024-05-02", 10, 4));
}

TEST_CASE("scheduler fires each period once, driven by a manual clock", "[unit]") {
    core::manual_clock clock(at("2024-05-02", 14, 58, 30));
    std::vector<recorded> fired;
    auto table = jobs::default_schedules({}, hours(2));
    jobs::scheduler s(clock, table, [&](const jobs::scheduled_job& j, core::time_point p, seconds delay) {
        fired.push_back({j.name, p, delay});
        return true;
    }, 42);

    // First tick: only the start-up job (download_taxonomies) fires; no late daily firing.
    auto first = s.tick();
    REQUIRE(first.size() == 1);
    CHECK(first[0] == "download_taxonomies");
    CHECK(s.tick().empty());

    // 14:58:30 -> 15:00:00: process_insights (every 120 s) and download_dataset (daily 15:00).
    clock.set(at("2024-05-02", 15, 0, 0));
    auto names = s.tick();
    std::set<std::string> got(names.begin(), names.end());
    CHECK(got == std::set<std::string>{"process_insights", "download_dataset"});
    CHECK(s.tick().empty());  // same period: nothing more

    // The random delay of process_insights stays within 0..20 s.
    for (const auto& r : fired) {
        if (r.name == "process_insights") {
            CHECK(r.delay >= seconds(0));
            CHECK(r.delay <= seconds(20));
            CHECK(r.period == at("2024-05-02", 15, 0));
        } else {
            CHECK(r.delay == seconds(0));
        }
    }

    // Jumping a whole day fires every daily job once (the most recent period), not once per missed period.
    fired.clear();
    clock.set(at("2024-05-03", 20, 0, 1));
    names = s.tick();
    got = std::set<std::string>(names.begin(), names.end());
    CHECK(got == std::set<std::string>{"process_insights", "download_taxonomies", "cleanup", "download_dataset",
                                       "refresh_all", "category_matcher_batch", "spellcheck_batch"});
    for (const auto& r : fired) {
        if (r.name == "cleanup") {
            CHECK(r.period == at("2024-05-03", 0, 0));
        }
    }
}

TEST_CASE("batch payloads carry since = yesterday 00:00 UTC and a dedup key", "[unit]") {
    auto table = jobs::default_schedules({{"schedule.spellcheck", "daily 20:00"}}, hours(2));
    for (const auto& j : table) {
        auto p = j.payload(at("2024-05-03", 20, 0));
        CHECK(p.find("\"dedup_key\":\"" + j.kind + "\"") != std::string::npos);
        if (j.kind == "spellcheck_batch" || j.kind == "category_matcher_batch") {
            CHECK(p.find("\"since\":\"2024-05-02T00:00:00.000000\"") != std::string::npos);
        }
    }
}

TEST_CASE("a failed firing is retried on the next tick", "[unit]") {
    core::manual_clock clock(at("2024-05-02", 10, 0, 30));
    int calls = 0;
    bool fail = true;
    std::vector<jobs::scheduled_job> table = {
        {"cleanup", "cleanup", jobs::parse_schedule("every 60s"), seconds(0), false,
         [](core::time_point) { return std::string("{\"dedup_key\":\"cleanup\"}"); }}};
    jobs::scheduler s(clock, table, [&](const jobs::scheduled_job&, core::time_point, seconds) {
        ++calls;
        if (fail) {
            throw std::runtime_error("database down");
        }
        return true;
    });
    clock.advance(seconds(30));
    CHECK(s.tick().empty());
    CHECK(calls == 1);
    fail = false;
    CHECK(s.tick() == std::vector<std::string>{"cleanup"});
    CHECK(calls == 2);
    CHECK(s.tick().empty());
}

TEST_CASE("schedule settings override the defaults", "[unit]") {
    auto table = jobs::default_schedules({{"schedule.process_insights", "every 30s"}}, hours(2));
    bool found = false;
    for (const auto& j : table) {
        if (j.name == "process_insights") {
            found = true;
            CHECK(j.when.interval == seconds(30));
            CHECK(j.max_random_delay == seconds(20));
        }
        if (j.name == "download_taxonomies") {
            CHECK(j.when.interval == hours(2));
            CHECK(j.at_startup);
        }
    }
    CHECK(found);
}
