#pragma once
// The job bodies of pipeline.md §8 (import_image, product_updated, product_deleted, image_deleted,
// refresh_product, import_predictions_file, process_insights, cleanup, product_type_switched). Each is a
// handler for the runner: it reads what it needs (Product Opener through off::client, the database through
// the pool), calls the domain libraries (extract, insights, products, matcher, ocr_engine) and reports done /
// not ready, or throws to be retried. register_tasks() registers only the kinds whose dependencies are present; the
// others stay unregistered (never claimed by this node) and are listed by missing_kinds().
// Thread-safe: handlers run on several worker threads at once; everything in task_environment is shared
// read-only or thread-safe itself.

#include "robotoff/core/metrics.hpp"
#include "robotoff/db/pool.hpp"
#include "robotoff/insights/annotate.hpp"
#include "robotoff/insights/generation.hpp"
#include "robotoff/jobs/runner.hpp"
#include "robotoff/off/client.hpp"
#include "robotoff/taxonomy/taxonomy.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace robotoff::extract {
class rules;
}
namespace robotoff::matcher {
class category_matcher;
struct category_prediction;
}
namespace robotoff::ocr_engine {
class ocr_service;
}
namespace robotoff::spellcheck {
class shared_spellchecker;
}

namespace robotoff::jobs {

struct task_settings {
    std::string ocr_backend = "auto";          // ocr.backend: gcv, auto, tesseract
    bool product_check = true;                 // insights.product_check
    std::chrono::hours max_staleness{24};      // products.max_staleness_h
    std::chrono::minutes auto_apply_retry{60}; // insights.auto_apply_retry_min
    std::chrono::hours retention{24 * 7};      // jobs.retention_days
    std::string ocr_cache_dir = "cache/ocr";   // ocr.cache_dir
    std::vector<std::string> spellcheck_langs{"fr"};
    std::vector<std::string> matcher_langs{"fr", "en", "es", "de"};
    std::string data_dir = "data";             // data.dir
    std::string dataset_url;                   // dataset.url
    std::string dataset_dir = "datasets";      // dataset.dir
    long long min_product_count = 2800000;     // dataset.min_product_count

    static task_settings from_config(const core::config& cfg);
};

struct task_environment {
    db::pool& pool;
    const off::client& po;
    const insights::insight_environment& insights;
    core::metrics_registry& metrics;
    task_settings settings;
    const extract::rules* rules = nullptr;                      // null: extraction jobs not registered
    std::function<std::shared_ptr<const matcher::category_matcher>()> matcher;  // may be empty
    ocr_engine::ocr_service* local_ocr = nullptr;               // null: no Tesseract fallback
    insights::product_writer* writer = nullptr;                 // null: process_insights not registered
    std::function<void()> wake;                                 // wakes local workers after enqueues
    std::function<void()> enqueue_after_dataset;                // build_spellcheck_corpus when available
    spellcheck::shared_spellchecker* spellchecker = nullptr;    // null: spellcheck jobs not registered
};

void register_tasks(runner& r, task_environment& env);
// download_taxonomies (pipeline.md §11.4): conditional GET of each taxonomy, swapped into `set` and cached
// under data.dir. The note lists the taxonomies that changed.
job_outcome run_download_taxonomies(task_environment& env, taxonomy::taxonomy_set& set, const job& j);
// Kinds of pipeline.md §8.1 that register_tasks() could not register with this environment.
std::vector<std::string> missing_kinds(const runner& r);

// A category matcher result as a `category` prediction (predictor matcher, pipeline.md §12), and the scope
// that replaces a product's previous matcher run (§2.2). Shared by product_updated, category_matcher_batch and
// `robotoffd predict-categories`.
insights::prediction matcher_prediction(core::server_type s, const std::string& barcode,
                                        const matcher::category_prediction& c);
insights::prediction_scope matcher_scope();

// The OCR re-check delays of §8.2 (1, 2, 5, 10, 20, 30 minutes for ocr_checks 0..5); nullopt after the 6th.
std::optional<std::chrono::minutes> ocr_retry_delay(int ocr_checks);

// Reads a product for a job step (pipeline.md §1.0): from Product Opener, upserting the `product` row; on a
// transient error, the stored row if fresher than max_staleness, else throws (the job is retried).
// nullopt = not found.
std::optional<products::product> read_product(task_environment& env, core::server_type s,
                                              const std::string& barcode);

}  // namespace robotoff::jobs
