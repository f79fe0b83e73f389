#pragma once
// Insight, prediction and annotation routes (api.md §4.1-§4.6, §4.9, §4.10, §5, §8.1 GET).
//
// Wiring (composition root): keep one `insight_services` as a member built after the DB pool, then call
// add_insight_routes(router, services). It needs the config, the pool and the taxonomy set (when the app
// has none yet, pass nullptr and it loads its own from data.dir). `writer` is the Product Opener side of
// annotations; until it is set, update=1 decisions answer 10 error_failed_update and store nothing.
// Handlers block (DB) and run on the handler pool; the services object is read-only after start-up except
// for the random-count cache, which has its own mutex.

#include "robotoff/core/config.hpp"
#include "robotoff/db/pool.hpp"
#include "robotoff/http/router.hpp"
#include "robotoff/insights/annotate.hpp"
#include "robotoff/insights/generation.hpp"
#include "robotoff/insights/queries.hpp"
#include "robotoff/taxonomy/taxonomy.hpp"

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace robotoff::api {

// Exact counts of /insights/random are cached per filter (exact as of at most `ttl` ago), so a count over
// millions of rows does not run on every request: one request computes, concurrent ones for the same filter
// wait for it (first time) or serve the previous value (refresh).
class count_cache {
public:
    explicit count_cache(std::chrono::milliseconds ttl = std::chrono::seconds(60)) : ttl_(ttl) {}
    template <typename F>
    long long get(const std::string& key, F compute);

private:
    struct entry {
        long long value = 0;
        bool ready = false;        // value computed at least once
        bool computing = false;    // one request is computing it
        std::chrono::steady_clock::time_point at;
    };
    std::chrono::milliseconds ttl_;
    std::mutex mutex_;
    std::condition_variable computed_;
    std::map<std::string, entry> entries_;
};

struct insight_services {
    insight_services(const core::config& cfg, db::pool& pool, const taxonomy::taxonomy_set* taxonomies);

    const core::config& cfg;
    db::pool& pool;
    std::unique_ptr<taxonomy::taxonomy_set> own_taxonomies;
    const taxonomy::taxonomy_set* taxonomies;
    insights::import_references references;
    insights::insight_environment env;
    insights::product_writer* writer = nullptr;
    count_cache random_counts;
};

void add_insight_routes(http::router& router, insight_services& services);

template <typename F>
long long count_cache::get(const std::string& key, F compute) {
    {
        std::unique_lock lock(mutex_);
        if (entries_.size() > 10000) {
            entries_.clear();  // bounded: filters are client-controlled
        }
        for (;;) {
            entry& e = entries_[key];
            if (e.ready && (e.computing || std::chrono::steady_clock::now() - e.at < ttl_)) {
                return e.value;  // fresh, or being refreshed by another request: the last value serves
            }
            if (!e.computing) {
                e.computing = true;
                break;  // this request computes
            }
            computed_.wait(lock);  // first computation in flight: wait for it
        }
    }
    long long value = 0;
    try {
        value = compute();
    } catch (...) {
        std::lock_guard lock(mutex_);
        entries_[key].computing = false;
        computed_.notify_all();
        throw;
    }
    std::lock_guard lock(mutex_);
    entry& e = entries_[key];
    e.value = value;
    e.ready = true;
    e.computing = false;
    e.at = std::chrono::steady_clock::now();
    computed_.notify_all();
    return value;
}

}  // namespace robotoff::api
