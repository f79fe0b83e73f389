#pragma once
// The job system of one node, assembled from the configuration: the Product Opener client, the writer of
// annotation decisions, the task environment (taxonomies, data references, extraction rules, category
// matcher, optional local OCR), the runner with every available task registered, and the scheduler with the
// schedule.* table. The composition root (app::application, `robotoffd run-job`) owns one instance.
// start(): workers + listener + scheduler (+ download_taxonomies at start-up); stop(): scheduler, then
// workers (running jobs finish). Members are declared in start-up order; destruction is the reverse.

#include "robotoff/core/clock.hpp"
#include "robotoff/core/config.hpp"
#include "robotoff/core/metrics.hpp"
#include "robotoff/db/pool.hpp"
#include "robotoff/insights/generation.hpp"
#include "robotoff/insights/references.hpp"
#include "robotoff/jobs/po_writer.hpp"
#include "robotoff/jobs/runner.hpp"
#include "robotoff/jobs/scheduler.hpp"
#include "robotoff/jobs/tasks.hpp"
#include "robotoff/off/client.hpp"
#include "robotoff/taxonomy/taxonomy.hpp"

#include <memory>
#include <mutex>

namespace robotoff::extract {
class rules;
}

namespace robotoff::jobs {

struct service_options {
    int workers = -1;                          // >= 0 replaces jobs.workers (run-job: 0)
    std::chrono::seconds retry_base{30};       // back-off base (tests shorten it)
    const taxonomy::taxonomy_set* taxonomies = nullptr;  // shared with the routes; null: load our own
    // The set download_taxonomies swaps new versions into (the app's shared set). Null with `taxonomies`
    // set: download_taxonomies is not registered on this node. Null without: our own set is refreshed.
    taxonomy::taxonomy_set* refreshable_taxonomies = nullptr;
};

class service {
public:
    // Loads data files (blocking, seconds).
    service(const core::config& cfg, db::pool& pool, core::metrics_registry& metrics, const core::clock& clock,
            service_options options = {});
    ~service();
    service(const service&) = delete;
    service& operator=(const service&) = delete;

    void start();
    void stop();

    off::client& po() { return *po_; }
    po_writer& writer() { return *writer_; }
    runner& jobs() { return *runner_; }
    scheduler& schedule() { return *scheduler_; }
    // The spellchecker swapped in by build_spellcheck_corpus (share it with the spellcheck route).
    spellcheck::shared_spellchecker& spellchecker() { return *spellchecker_; }
    const std::vector<scheduled_job>& schedules() const { return schedules_; }
    // The extraction rules (null if data.dir could not be read) and the local OCR pool (null with
    // ocr.backend = gcv or when Tesseract could not start); shared with the OCR routes.
    const extract::rules* rules() const { return rules_.get(); }
    ocr_engine::ocr_service* local_ocr() { return local_ocr_.get(); }

private:
    const core::config& cfg_;
    db::pool& pool_;
    std::unique_ptr<off::client> po_;
    std::unique_ptr<po_writer> writer_;
    taxonomy::taxonomy_set taxonomies_;
    insights::import_references references_;
    insights::insight_environment insight_env_;
    std::unique_ptr<extract::rules> rules_;
    std::mutex matcher_mutex_;   // matcher_ is rebuilt by download_taxonomies while workers read it
    std::shared_ptr<const matcher::category_matcher> matcher_;
    std::unique_ptr<ocr_engine::ocr_service> local_ocr_;
    std::unique_ptr<spellcheck::shared_spellchecker> spellchecker_;
    std::unique_ptr<runner> runner_;
    std::unique_ptr<task_environment> tasks_;
    std::vector<scheduled_job> schedules_;
    std::unique_ptr<scheduler> scheduler_;
};

}  // namespace robotoff::jobs
