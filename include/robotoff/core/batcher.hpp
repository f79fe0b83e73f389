#pragma once
// Coalesces concurrent lookups into batches: one query for many keys instead of one query per key.
// - Up to `threads` drain tasks (on a core::thread_pool) each take what is waiting (at most `max_batch`
//   keys), run the batch function once for all of it, call each lookup's callback, and go on while lookups
//   wait. An idle batcher runs a lone lookup at once (no timer, no added latency); under load, lookups
//   arriving while every task is busy leave together in the next batch, so the database sees a few big
//   queries instead of one small query per request.
// - Every lookup is answered by a batch that started after it was submitted, so it sees every write
//   committed before the request came in (read-your-writes holds as without batching).
// - Asynchronous: submit() never blocks (HTTP I/O threads call it); callbacks run on the batch threads.
//   At most `max_pending` lookups wait: beyond, submit() refuses (the caller answers 503).
// - An exception from the batch function reaches every lookup of that batch.
// Thread-safe. stop() (also run by the destructor) answers what is queued, then joins the threads.
// A drain task ends only when nothing waits, under the lock: a waiting lookup always has a task to take it.

#include "robotoff/core/log.hpp"
#include "robotoff/core/thread_pool.hpp"

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace robotoff::core {

template <typename K, typename V>
class batcher {
public:
    using time_point = std::chrono::steady_clock::time_point;
    // Answers keys[i] with result[i] (same size, same order). `deadline` is the latest of the batch's
    // requests: a batch waiting for a database connection serves every request that still can be served.
    using batch_function = std::function<std::vector<V>(const std::vector<K>& keys, time_point deadline)>;
    // Receives the value, or the exception of the batch (then `value` is default-constructed). Runs on a
    // batch thread: hand heavy work elsewhere.
    using callback = std::function<void(V value, std::exception_ptr error)>;

    struct settings {
        std::string name;             // threads are named "rd-<name>-<n>"
        std::size_t threads = 2;      // batches in flight at once
        std::size_t max_batch = 64;   // keys per batch
        std::size_t max_pending = 10000;
    };

    batcher(settings s, batch_function fn);
    ~batcher() { stop(); }
    batcher(const batcher&) = delete;
    batcher& operator=(const batcher&) = delete;

    // Queues a lookup; false (and `done` is not called) when max_pending lookups wait or after stop().
    bool submit(K key, time_point deadline, callback done);

    // Answers what is queued, then joins the threads. Idempotent.
    void stop();

    struct counters {
        unsigned long long batches = 0;
        unsigned long long lookups = 0;
    };
    counters stats() const {
        std::lock_guard lock(mutex_);
        return counters_;
    }

private:
    struct lookup {
        K key;
        time_point deadline;
        callback done;
    };

    void drain();
    void run_batch(std::vector<lookup>& batch);

    settings settings_;
    batch_function fn_;
    mutable std::mutex mutex_;
    std::deque<lookup> pending_;
    std::size_t draining_ = 0;  // drain tasks queued or running
    bool stopping_ = false;
    counters counters_;
    thread_pool threads_;  // last: its threads stop before the members they use
};

template <typename K, typename V>
batcher<K, V>::batcher(settings s, batch_function fn)
    : settings_(std::move(s)), fn_(std::move(fn)),
      threads_(settings_.name, std::max<std::size_t>(1, settings_.threads), std::max<std::size_t>(1, settings_.threads)) {
    settings_.threads = threads_.size();
    settings_.max_batch = std::max<std::size_t>(1, settings_.max_batch);
}

template <typename K, typename V>
bool batcher<K, V>::submit(K key, time_point deadline, callback done) {
    std::lock_guard lock(mutex_);
    if (stopping_ || pending_.size() >= settings_.max_pending) {
        return false;
    }
    pending_.push_back({std::move(key), deadline, std::move(done)});
    // Under load every drain task is busy and takes this lookup with its next batch: nothing to start.
    if (draining_ < settings_.threads && threads_.try_submit([this] { drain(); })) {
        ++draining_;
    }
    return true;
}

template <typename K, typename V>
void batcher<K, V>::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    threads_.stop();  // the drain tasks answer what is queued
}

template <typename K, typename V>
void batcher<K, V>::drain() {
    std::vector<lookup> batch;
    for (;;) {
        {
            std::lock_guard lock(mutex_);
            if (pending_.empty()) {
                --draining_;
                return;
            }
            const std::size_t n = std::min(pending_.size(), settings_.max_batch);
            batch.assign(std::make_move_iterator(pending_.begin()),
                         std::make_move_iterator(pending_.begin() + static_cast<std::ptrdiff_t>(n)));
            pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(n));
            ++counters_.batches;
            counters_.lookups += n;
        }
        run_batch(batch);
        batch.clear();
    }
}

template <typename K, typename V>
void batcher<K, V>::run_batch(std::vector<lookup>& batch) {
    std::vector<K> keys;
    keys.reserve(batch.size());
    time_point deadline = time_point::min();
    for (auto& l : batch) {
        keys.push_back(l.key);
        deadline = std::max(deadline, l.deadline);
    }
    std::vector<V> values;
    std::exception_ptr error;
    try {
        values = fn_(keys, deadline);
        if (values.size() != batch.size()) {
            throw std::logic_error("batcher " + settings_.name + ": " + std::to_string(values.size()) +
                                   " values for " + std::to_string(batch.size()) + " keys");
        }
    } catch (...) {
        error = std::current_exception();
    }
    for (std::size_t i = 0; i < batch.size(); ++i) {
        try {
            batch[i].done(error ? V{} : std::move(values[i]), error);
        } catch (...) {
            // A callback must not throw; one that does must not cost the other lookups their answer.
            log::error("batcher.callback_failed", {{"batcher", settings_.name}});
        }
    }
}

}  // namespace robotoff::core
