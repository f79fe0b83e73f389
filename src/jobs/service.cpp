#include "robotoff/jobs/service.hpp"

#include "robotoff/core/log.hpp"
#include "robotoff/extract/extract.hpp"
#include "robotoff/extract/rules.hpp"
#include "robotoff/matcher/category_matcher.hpp"
#include "robotoff/ocr_engine/ocr_service.hpp"
#include "robotoff/spellcheck/spellchecker.hpp"

#include <filesystem>

namespace robotoff::jobs {

service::service(const core::config& cfg, db::pool& pool, core::metrics_registry& metrics, const core::clock& clock,
                 service_options options)
    : cfg_(cfg), pool_(pool) {
    metrics.describe("robotoffd_ocr_results_total", core::metrics_registry::kind::counter,
                     "OCR documents by engine and result");
    metrics.describe("robotoffd_dataset_download_timestamp_seconds", core::metrics_registry::kind::gauge,
                     "When the last product dump was imported (unix seconds)");
    metrics.describe("robotoffd_extraction_duration_seconds", core::metrics_registry::kind::histogram,
                     "Extraction time per prediction type");
    po_ = std::make_unique<off::client>(off::client_settings::from_config(cfg), &metrics);
    writer_ = std::make_unique<po_writer>(*po_);

    const std::string data_dir = cfg.get_string("data.dir");
    const taxonomy::taxonomy_set* taxonomies = options.taxonomies;
    taxonomy::taxonomy_set* refreshable = options.refreshable_taxonomies;
    if (!taxonomies) {
        taxonomies_.load_from_dirs(data_dir);
        taxonomies = &taxonomies_;
        refreshable = &taxonomies_;
    }
    references_ = insights::import_references::load(data_dir);
    insight_env_.taxonomies = taxonomies;
    insight_env_.references = &references_;
    insight_env_.settings = insights::insight_settings::from_config(cfg);
    insight_env_.clock = &clock;

    extract::category_resolver resolver;
    if (auto categories = taxonomies->get("categories")) {
        resolver = [categories](std::string_view candidate) { return categories->canonical(candidate); };
        try {
            matcher_ = matcher::category_matcher::build(*categories, cfg.get_list("category_matcher.langs"));
        } catch (const std::exception& e) {
            core::log::warning("jobs.matcher_unavailable", {{"error", e.what()}});
        }
    }
    try {
        rules_ = std::make_unique<extract::rules>(extract::load_rules(data_dir, std::move(resolver)));
    } catch (const std::exception& e) {
        core::log::error("jobs.rules_unavailable", {{"data_dir", data_dir}, {"error", e.what()}});
    }
    const std::string backend = cfg.get_string("ocr.backend");
    if (backend != "gcv") {
        try {
            local_ocr_ = std::make_unique<ocr_engine::ocr_service>(ocr_engine::settings_from_config(cfg));
        } catch (const std::exception& e) {
            // auto still works with Product Opener's OCR JSON; tesseract jobs fail and are retried.
            core::log::error("jobs.local_ocr_unavailable", {{"backend", backend}, {"error", e.what()}});
        }
    }

    auto rs = runner_settings::from_config(cfg);
    if (options.workers >= 0) {
        rs.workers = options.workers;
    }
    rs.retry_base = options.retry_base;
    spellchecker_ = std::make_unique<spellcheck::shared_spellchecker>();
    runner_ = std::make_unique<runner>(rs, pool_, metrics);
    tasks_ = std::make_unique<task_environment>(task_environment{
        pool_, *po_, insight_env_, metrics, task_settings::from_config(cfg), rules_.get(),
        [this] {
            std::lock_guard lock(matcher_mutex_);
            return matcher_;
        },
        local_ocr_.get(), writer_.get(), [this] { runner_->wake(); },
        [this] { runner_->enqueue({"build_spellcheck_corpus", R"({"dedup_key":"build_spellcheck_corpus"})"}); },
        spellchecker_.get()});
    register_tasks(*runner_, *tasks_);
    if (refreshable) {
        const auto langs = cfg.get_list("category_matcher.langs");
        runner_->register_handler("download_taxonomies", [this, refreshable, langs](const job& j, std::stop_token) {
            auto outcome = run_download_taxonomies(*tasks_, *refreshable, j);
            if (outcome.note.find("categories") != std::string::npos) {
                if (auto categories = refreshable->get("categories")) {
                    auto rebuilt = matcher::category_matcher::build(*categories, langs);
                    std::lock_guard lock(matcher_mutex_);
                    matcher_ = std::move(rebuilt);
                }
            }
            return outcome;
        });
    }
    auto missing = missing_kinds(*runner_);
    if (!missing.empty()) {
        std::string list;
        for (const auto& k : missing) {
            list += (list.empty() ? "" : ",") + k;
        }
        core::log::warning("jobs.kinds_unavailable", {{"kinds", list}});
    }

    std::map<std::string, std::string> schedule_settings;
    for (const auto& spec : core::all_settings()) {
        std::string name(spec.name);
        if (name.starts_with("schedule.")) {
            schedule_settings[name] = cfg.get_string(name);
        }
    }
    schedules_ = default_schedules(schedule_settings, std::chrono::hours(cfg.get_int("taxonomy.refresh_h")));
    // Only kinds this node can run are scheduled (the others would sit pending forever).
    auto kinds = runner_->kinds();
    std::erase_if(schedules_, [&](const scheduled_job& j) {
        return std::find(kinds.begin(), kinds.end(), j.kind) == kinds.end();
    });
    scheduler_ = std::make_unique<scheduler>(clock, schedules_, db_fire(pool_, [this] { runner_->wake(); }),
                                             static_cast<unsigned>(std::random_device{}()));
}

service::~service() { stop(); }

void service::start() {
    // The corpus lives in memory: build it at start-up when a minified dump is there (pipeline.md §8.1).
    if (std::filesystem::exists(cfg_.get_string("dataset.dir") + "/products-min.jsonl.gz")) {
        try {
            runner_->enqueue({"build_spellcheck_corpus", R"({"dedup_key":"build_spellcheck_corpus"})"});
        } catch (const std::exception& e) {
            core::log::warning("jobs.startup_enqueue_failed", {{"kind", "build_spellcheck_corpus"}, {"error", e.what()}});
        }
    }
    runner_->start();
    scheduler_->start();
}

void service::stop() {
    if (scheduler_) {
        scheduler_->stop();
    }
    if (runner_) {
        runner_->stop();
    }
    if (local_ocr_) {
        local_ocr_->stop();
    }
}

}  // namespace robotoff::jobs
