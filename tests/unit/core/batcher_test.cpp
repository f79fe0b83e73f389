// core::batcher: lookups that wait while the batch threads are busy leave together; every lookup is
// answered by a batch that started after it was submitted; errors reach the whole batch; the queue is bounded.
#include "robotoff/core/batcher.hpp"

#include <catch2/catch.hpp>

#include <condition_variable>
#include <future>
#include <mutex>
#include <stdexcept>
#include <vector>

using namespace std::chrono_literals;
using robotoff::core::batcher;

namespace {

// A batch function that can be held: the first call blocks until release(), so that lookups submitted
// meanwhile pile up. Each value is (call number * 1000 + key).
struct held_source {
    std::mutex mutex;
    std::condition_variable changed;
    bool held = true;
    bool first_started = false;
    int calls = 0;
    std::vector<std::size_t> batch_sizes;

    std::vector<int> answer(const std::vector<int>& keys) {
        std::unique_lock lock(mutex);
        const int call = ++calls;
        batch_sizes.push_back(keys.size());
        if (call == 1) {
            first_started = true;
            changed.notify_all();
            changed.wait(lock, [this] { return !held; });
        }
        std::vector<int> out;
        for (int k : keys) {
            out.push_back(call * 1000 + k);
        }
        return out;
    }
    void wait_first_started() {
        std::unique_lock lock(mutex);
        changed.wait(lock, [this] { return first_started; });
    }
    void release() {
        std::lock_guard lock(mutex);
        held = false;
        changed.notify_all();
    }
};

auto deadline() { return std::chrono::steady_clock::now() + 10s; }

// Submits `key` and returns the future of its answer (the error becomes the future's exception).
std::future<int> ask(batcher<int, int>& b, int key) {
    auto promise = std::make_shared<std::promise<int>>();
    auto future = promise->get_future();
    const bool queued = b.submit(key, deadline(), [promise](int value, std::exception_ptr error) {
        if (error) {
            promise->set_exception(error);
        } else {
            promise->set_value(value);
        }
    });
    REQUIRE(queued);
    return future;
}

}  // namespace

TEST_CASE("batcher answers a lone lookup at once, with its own value", "[unit]") {
    batcher<int, int> b({"test", 2, 8, 100}, [](const std::vector<int>& keys, auto) {
        std::vector<int> out;
        for (int k : keys) {
            out.push_back(k * 2);
        }
        return out;
    });
    CHECK(ask(b, 21).get() == 42);
    CHECK(ask(b, 5).get() == 10);
    CHECK(b.stats().batches == 2);
}

TEST_CASE("batcher: lookups arriving while the thread is busy leave together, in batches of max_batch", "[unit]") {
    held_source source;
    batcher<int, int> b({"test", 1, 16, 100},
                        [&](const std::vector<int>& keys, auto) { return source.answer(keys); });
    auto first = ask(b, 0);
    source.wait_first_started();
    std::vector<std::future<int>> later;
    for (int k = 1; k <= 40; ++k) {
        later.push_back(ask(b, k));
    }
    source.release();
    CHECK(first.get() == 1000);
    for (int k = 1; k <= 40; ++k) {
        const int value = later[static_cast<std::size_t>(k - 1)].get();
        CHECK(value % 1000 == k);
        // Submitted while call 1 ran: answered by a later call (read-your-writes).
        CHECK(value / 1000 >= 2);
    }
    CHECK(source.batch_sizes == std::vector<std::size_t>{1, 16, 16, 8});
    CHECK(b.stats().lookups == 41);
}

TEST_CASE("batcher: an exception reaches every lookup of its batch, and the next batch works", "[unit]") {
    int calls = 0;
    batcher<int, int> b({"test", 1, 8, 100}, [&](const std::vector<int>& keys, auto) -> std::vector<int> {
        if (++calls == 1) {
            throw std::runtime_error("database down");
        }
        return std::vector<int>(keys.size(), 7);
    });
    CHECK_THROWS_WITH(ask(b, 1).get(), "database down");
    CHECK(ask(b, 2).get() == 7);
}

TEST_CASE("batcher: a batch function answering the wrong number of values fails the batch", "[unit]") {
    batcher<int, int> b({"test", 1, 8, 100}, [](const std::vector<int>&, auto) { return std::vector<int>{}; });
    CHECK_THROWS_AS(ask(b, 1).get(), std::logic_error);
}

TEST_CASE("batcher refuses lookups beyond max_pending and after stop; stop answers what is queued", "[unit]") {
    held_source source;
    batcher<int, int> b({"test", 1, 64, 3}, [&](const std::vector<int>& keys, auto) { return source.answer(keys); });
    auto first = ask(b, 0);
    source.wait_first_started();
    std::vector<std::future<int>> queued;
    for (int k = 1; k <= 3; ++k) {
        queued.push_back(ask(b, k));
    }
    CHECK_FALSE(b.submit(4, deadline(), [](int, std::exception_ptr) { FAIL("refused lookup answered"); }));
    source.release();
    b.stop();
    CHECK(first.get() == 1000);
    for (auto& f : queued) {
        CHECK(f.wait_for(0s) == std::future_status::ready);
        CHECK(f.get() / 1000 == 2);
    }
    CHECK_FALSE(b.submit(5, deadline(), [](int, std::exception_ptr) { FAIL("lookup answered after stop"); }));
}

TEST_CASE("batcher passes the latest deadline of the batch", "[unit]") {
    held_source source;
    std::vector<std::chrono::steady_clock::time_point> seen;
    batcher<int, int> b({"test", 1, 64, 100}, [&](const std::vector<int>& keys, auto until) {
        seen.push_back(until);
        return source.answer(keys);
    });
    const auto now = std::chrono::steady_clock::now();
    auto noop = [](int, std::exception_ptr) {};
    REQUIRE(b.submit(0, now + 1s, noop));
    source.wait_first_started();
    REQUIRE(b.submit(1, now + 5s, noop));
    REQUIRE(b.submit(2, now + 3s, noop));
    source.release();
    b.stop();
    REQUIRE(seen.size() == 2);
    CHECK(seen[0] == now + 1s);
    CHECK(seen[1] == now + 5s);
}
