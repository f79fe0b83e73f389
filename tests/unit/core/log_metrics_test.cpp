#include "robotoff/core/log.hpp"
#include "robotoff/core/metrics.hpp"
#include "robotoff/core/thread_pool.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>

using namespace robotoff::core;

TEST_CASE("log lines carry a journald priority and key=value fields", "[unit][log]") {
    const auto line = log::format_line(log::level::warning, "db.retry", {{"attempt", 3}, {"error", "no route to host"},
                                                                         {"ok", false}});
    CHECK(line == "<4>event=db.retry attempt=3 error=\"no route to host\" ok=false\n");
    CHECK(log::parse_level("debug") == log::level::debug);
    CHECK_THROWS(log::parse_level("verbose"));
}

TEST_CASE("metrics render in the Prometheus text format", "[unit][metrics]") {
    metrics_registry m;
    m.describe("robotoffd_test_total", metrics_registry::kind::counter, "a test counter");
    m.increment("robotoffd_test_total", {{"route", "/a"}, {"status", "200"}});
    m.increment("robotoffd_test_total", {{"route", "/a"}, {"status", "200"}}, 2);
    m.observe("robotoffd_test_seconds", {{"route", "/a"}}, 0.003);
    const auto text = m.render();
    CHECK(text.find("# TYPE robotoffd_test_total counter") != std::string::npos);
    CHECK(text.find("robotoffd_test_total{route=\"/a\",status=\"200\"} 3") != std::string::npos);
    CHECK(text.find("robotoffd_test_seconds_bucket{route=\"/a\",le=\"0.0025\"} 0") != std::string::npos);
    CHECK(text.find("robotoffd_test_seconds_bucket{route=\"/a\",le=\"0.005\"} 1") != std::string::npos);
    CHECK(text.find("robotoffd_test_seconds_count{route=\"/a\"} 1") != std::string::npos);
    CHECK(m.value("robotoffd_test_total", {{"route", "/a"}, {"status", "200"}}) == 3);
}

TEST_CASE("a full thread pool refuses work instead of blocking", "[unit][thread_pool]") {
    thread_pool pool("test", 1, 1);
    std::mutex m;
    std::condition_variable cv;
    bool release = false;
    std::atomic<int> ran{0};
    REQUIRE(pool.try_submit([&] {
        std::unique_lock lock(m);
        cv.wait(lock, [&] { return release; });
        ++ran;
    }));
    // Wait until the worker holds the first task, so the queue is empty again.
    while (pool.busy() == 0) {
        std::this_thread::yield();
    }
    REQUIRE(pool.try_submit([&] { ++ran; }));   // fills the queue (size 1)
    CHECK_FALSE(pool.try_submit([&] { ++ran; }));  // full -> refused at once
    {
        std::lock_guard lock(m);
        release = true;
    }
    cv.notify_all();
    pool.stop();
    CHECK(ran == 2);
}
