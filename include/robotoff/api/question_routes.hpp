#pragma once
// Question routes (api.md §6) and the annotation page (GET /, /ui/...).
//
// Wiring (composition root): keep one `question_services` as a member built after the DB pool, then call
// add_question_routes and add_ui_routes. Pass the application's taxonomy set; with nullptr the services load
// their own from data.dir (costs ~0.5 s and ~90 MB: share one set when the app has it).
// Handlers block (DB) and run on the handler pool. Everything is read-only after start-up except the message
// catalog, which reload_messages() swaps under a mutex (SIGHUP, questions.md §5).

#include "robotoff/api/hot_listing.hpp"
#include "robotoff/core/config.hpp"
#include "robotoff/core/shared_cache.hpp"
#include "robotoff/db/pool.hpp"
#include "robotoff/http/router.hpp"
#include "robotoff/questions/catalog.hpp"
#include "robotoff/questions/questions.hpp"
#include "robotoff/questions/store.hpp"
#include "robotoff/taxonomy/taxonomy.hpp"

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace robotoff::api {

// One question of a hot listing, formatted once for the pool's language (formatting 25 questions with their
// taxonomy names and pictures cost more CPU than the rest of the request).
struct formatted_question {
    std::string id;  // insight id
    int n_votes = 0;
    std::string json;
};
using question_pool = hot_listing::pool<formatted_question>;

class question_services {
public:
    // Blocks: loads label_logos.json, the PO catalogs (embedded + i18n.dir) and, without `taxonomies`, the
    // taxonomies. Throws on a malformed PO file (start-up fails fast).
    question_services(const core::config& cfg, db::pool& pool, const taxonomy::taxonomy_set* taxonomies);

    db::pool& pool() const { return pool_; }
    const taxonomy::taxonomy_set& taxonomies() const { return *taxonomies_; }
    const questions::label_logos& logos() const { return logos_; }
    const std::string& images_url() const { return images_url_; }
    const std::string& tld() const { return tld_; }

    // The current catalog snapshot; thread-safe.
    std::shared_ptr<const questions::catalog> messages() const;
    // Re-reads embedded + i18n.dir PO files; keeps the old catalog and rethrows if one is malformed.
    void reload_messages();

    // /questions/unanswered groups every open insight of the filter (seconds at 10M insights): its bodies are
    // cached per filter for a minute (one request recomputes an expired one, the others serve the old one).
    core::shared_cache<std::string> unanswered_bodies{std::chrono::seconds(60), 1000};
    // The hot listings (/questions/random, /questions?order_by=popularity): formatted questions per filter and
    // language, before the caller's vote exclusion, at most a second old.
    core::shared_cache<question_pool> random_pools{std::chrono::seconds(1), hot_listing::max_pools};
    core::shared_cache<question_pool> popular_pools{std::chrono::seconds(1), hot_listing::max_pools};

private:
    db::pool& pool_;
    std::unique_ptr<taxonomy::taxonomy_set> own_taxonomies_;
    const taxonomy::taxonomy_set* taxonomies_;
    questions::label_logos logos_;
    std::string images_url_;
    std::string tld_;
    std::string i18n_dir_;
    mutable std::mutex mutex_;
    std::shared_ptr<const questions::catalog> messages_;
};

// GET /api/v1/questions/{barcode}, /api/v1/questions, /questions/random, /questions/popular,
// /questions/unanswered.
void add_question_routes(http::router& router, question_services& services);
// GET / (the page), GET /ui/{asset}, and the page's helpers GET /ui/i18n/{lang} (UI strings) and
// GET /ui/product/{barcode} (product name from the product table).
void add_ui_routes(http::router& router, question_services& services);

}  // namespace robotoff::api
