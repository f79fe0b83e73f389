#pragma once
// Insight, prediction and annotation routes (api.md §4.1-§4.6, §4.9, §4.10, §5, §8.1 GET).
//
// Wiring (composition root): keep one `insight_services` as a member built after the DB pool, then call
// add_insight_routes(router, services). It needs the config, the pool and the taxonomy set (when the app
// has none yet, pass nullptr and it loads its own from data.dir). `writer` is the Product Opener side of
// annotations; until it is set, update=1 decisions answer 10 error_failed_update and store nothing.
// Handlers block (DB) and run on the handler pool; the services object is read-only after start-up except
// for its caches of hot listings and counts, which are thread-safe.

#include "robotoff/api/hot_listing.hpp"
#include "robotoff/core/config.hpp"
#include "robotoff/core/batcher.hpp"
#include "robotoff/core/shared_cache.hpp"
#include "robotoff/db/pool.hpp"
#include "robotoff/http/router.hpp"
#include "robotoff/insights/annotate.hpp"
#include "robotoff/insights/generation.hpp"
#include "robotoff/insights/queries.hpp"
#include "robotoff/taxonomy/taxonomy.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <string>

namespace robotoff::api {

struct insight_services {
    insight_services(const core::config& cfg, db::pool& pool, const taxonomy::taxonomy_set* taxonomies);

    const core::config& cfg;
    db::pool& pool;
    std::unique_ptr<taxonomy::taxonomy_set> own_taxonomies;
    const taxonomy::taxonomy_set* taxonomies;
    insights::import_references references;
    insights::insight_environment env;
    insights::product_writer* writer = nullptr;
    // Exact counts of /insights/random per filter, exact as of at most a minute ago: a count over millions
    // of rows must not run on every request.
    core::shared_cache<long long> random_counts{std::chrono::seconds(60)};
    // The hot listings (/insights/random, /insights?order_by=popularity): rows per filter, before the
    // caller's vote exclusion, at most a second old (see hot_listing.hpp).
    using insight_pools = core::shared_cache<hot_listing::pool<insights::insight>>;
    insight_pools random_pools{std::chrono::seconds(1), hot_listing::max_pools};
    insight_pools popular_pools{std::chrono::seconds(1), hot_listing::max_pools};
    // /insights/{barcode} under load: concurrent requests of one server type share one query (batcher.hpp).
    struct product_key {
        core::server_type server_type;
        std::string barcode;
    };
    // One product's open insights; null when it has none. Shared: one batch may ask a barcode twice.
    using product_insights = std::shared_ptr<const std::vector<insights::insight>>;
    core::batcher<product_key, product_insights> open_insights;
    // Stops the batch threads (after the HTTP server stopped: their answers post to its I/O context).
    void stop() { open_insights.stop(); }
    // Runs after an annotation decided an insight, so that the hot listings of this node drop it at their
    // next read instead of up to a second later. The composition root adds the question pools to it.
    std::function<void()> after_decision;
    void listings_changed();
};

void add_insight_routes(http::router& router, insight_services& services);


}  // namespace robotoff::api
