// core::shared_cache: one computation per key at a time, stale values served while one request refreshes,
// errors reach the computing caller only, bounded size.
#include "robotoff/core/shared_cache.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <stdexcept>
#include <thread>
#include <vector>

using namespace std::chrono_literals;
using robotoff::core::shared_cache;

TEST_CASE("shared_cache computes once per TTL and shares the value", "[unit]") {
    shared_cache<int> cache(1h);
    int computed = 0;
    auto compute = [&] { return ++computed * 10; };
    CHECK(*cache.get("a", compute) == 10);
    CHECK(*cache.get("a", compute) == 10);
    CHECK(*cache.get("b", compute) == 20);
    CHECK(computed == 2);
    cache.expire_all();
    CHECK(*cache.get("a", compute) == 30);
    cache.clear();
    CHECK(*cache.get("b", compute) == 40);
}

TEST_CASE("shared_cache: concurrent first requests wait for one computation", "[unit]") {
    shared_cache<int> cache(1h);
    std::atomic<int> computations = 0;
    std::vector<std::jthread> threads;
    std::atomic<int> sum = 0;
    for (int i = 0; i < 8; ++i) {
        threads.emplace_back([&] {
            sum += *cache.get("k", [&] {
                ++computations;
                std::this_thread::sleep_for(50ms);
                return 7;
            });
        });
    }
    threads.clear();  // joins
    CHECK(computations == 1);
    CHECK(sum == 56);
}

TEST_CASE("shared_cache: an expired value serves others while one request refreshes", "[unit]") {
    shared_cache<int> cache(0ms);
    CHECK(*cache.get("k", [] { return 1; }) == 1);
    std::atomic<bool> refreshing = false;
    std::jthread slow([&] {
        cache.get("k", [&] {
            refreshing = true;
            std::this_thread::sleep_for(200ms);
            return 2;
        });
    });
    while (!refreshing) {
        std::this_thread::yield();
    }
    int calls = 0;
    CHECK(*cache.get("k", [&] { return ++calls, 3; }) == 1);  // the old value, no second computation
    CHECK(calls == 0);
    slow.join();
    CHECK(*cache.get("k", [] { return 4; }) == 4);  // TTL 0: the next request recomputes
}

TEST_CASE("shared_cache: a failed computation reaches its caller; the next request retries", "[unit]") {
    shared_cache<int> cache(1h);
    CHECK_THROWS_AS(cache.get("k", []() -> int { throw std::runtime_error("db down"); }), std::runtime_error);
    CHECK(*cache.get("k", [] { return 5; }) == 5);
}

TEST_CASE("shared_cache stays bounded", "[unit]") {
    shared_cache<int> cache(1h, 3);
    int computed = 0;
    for (int i = 0; i < 10; ++i) {
        cache.get(std::to_string(i), [&] { return ++computed; });
    }
    CHECK(computed == 10);
    cache.get("9", [&] { return ++computed; });
    CHECK(computed == 10);  // the newest key survived the last clear
}
