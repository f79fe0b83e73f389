#pragma once
// A cache of values computed from the database and shared by every request: hot listings, counts.
// An entry older than `ttl` is recomputed by ONE request while the others keep serving the previous value
// (stale-while-revalidate); only the first computation of a key makes concurrent requests wait for it.
// Keys come from client filters, so the map is bounded: it is emptied when it holds `max_entries` keys.
// Values are immutable and shared (std::shared_ptr<const V>): a big listing is never copied under the lock.
// Thread-safe.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace robotoff::core {

template <typename V>
class shared_cache {
public:
    explicit shared_cache(std::chrono::milliseconds ttl, std::size_t max_entries = 10000)
        : ttl_(ttl), max_entries_(max_entries) {}

    // The value of `key`; `compute()` (returning V) runs when it is missing or older than the TTL. An
    // exception from `compute` reaches the request that ran it; a request waiting for it computes in turn.
    template <typename F>
    std::shared_ptr<const V> get(const std::string& key, F compute);

    // Marks every entry expired: the next request of each key recomputes it while others serve the old value
    // meanwhile (after a write that should show soon without stalling the readers).
    void expire_all() {
        std::lock_guard lock(mutex_);
        for (auto& [key, e] : entries_) {
            e.stale = true;  // a flag, not an old time: steady_clock's epoch is boot time, minutes ago at most
        }
    }

    // Forgets every entry.
    void clear() {
        std::lock_guard lock(mutex_);
        entries_.clear();
    }

private:
    struct entry {
        std::shared_ptr<const V> value;  // null until first computed
        bool computing = false;
        bool stale = false;  // expire_all() was called since `at`
        std::chrono::steady_clock::time_point at;
    };

    std::chrono::milliseconds ttl_;
    std::size_t max_entries_;
    std::mutex mutex_;
    std::condition_variable computed_;
    std::map<std::string, entry> entries_;
};

template <typename V>
template <typename F>
std::shared_ptr<const V> shared_cache<V>::get(const std::string& key, F compute) {
    {
        std::unique_lock lock(mutex_);
        if (entries_.size() >= max_entries_ && !entries_.contains(key)) {
            entries_.clear();
        }
        for (;;) {
            entry& e = entries_[key];
            const bool fresh = !e.stale && std::chrono::steady_clock::now() - e.at < ttl_;
            if (e.value && (fresh || e.computing)) {
                return e.value;  // fresh, or being refreshed by another request: the last value serves
            }
            if (!e.computing) {
                e.computing = true;
                break;  // this request computes
            }
            computed_.wait(lock);  // first computation in flight
        }
    }
    std::shared_ptr<const V> value;
    try {
        value = std::make_shared<const V>(compute());
    } catch (...) {
        std::lock_guard lock(mutex_);
        entries_[key].computing = false;
        computed_.notify_all();
        throw;
    }
    std::lock_guard lock(mutex_);
    entry& e = entries_[key];
    e.value = value;
    e.computing = false;
    e.stale = false;
    e.at = std::chrono::steady_clock::now();
    computed_.notify_all();
    return value;
}

}  // namespace robotoff::core
