#pragma once
// DESIGN: the composition root of `robotoffd serve`. It owns every long-lived object as a member, declared
// in start-up order; destruction runs in reverse, which is the shutdown order. No singletons, no globals.
//
// Start-up: settings -> metrics -> DB pool -> handler pool -> routes -> HTTP listener (status answers at once;
// health reports the database) -> wait for the database with back-off and check the schema (behind -> exit 1)
// -> READY=1. SIGHUP while serving reloads the question message catalogs (see reload()) and keeps serving.
// Shutdown on SIGTERM/SIGINT: STOPPING=1 -> stop accepting -> drain in-flight requests within
// http.shutdown_grace_ms -> stop handler pool -> close the pool -> exit 0. A second signal exits at once.
// Threads: main thread (signals, systemd watchdog), HTTP I/O threads, handler pool threads.

#include "robotoff/api/insights_routes.hpp"
#include "robotoff/api/ocr_routes.hpp"
#include "robotoff/api/predict_routes.hpp"
#include "robotoff/api/question_routes.hpp"
#include "robotoff/api/system_routes.hpp"
#include "robotoff/api/webhook_routes.hpp"
#include "robotoff/intake/consumer.hpp"
#include "robotoff/jobs/service.hpp"
#include "robotoff/off/http_client.hpp"
#include "robotoff/taxonomy/taxonomy.hpp"
#include "robotoff/core/config.hpp"
#include "robotoff/core/metrics.hpp"
#include "robotoff/core/thread_pool.hpp"
#include "robotoff/db/pool.hpp"
#include "robotoff/http/router.hpp"
#include "robotoff/http/server.hpp"

#include <csignal>
#include <memory>
#include <string>
#include <vector>

namespace robotoff::app {

class application {
public:
    explicit application(const core::config& cfg);
    ~application();

    // Runs until a termination signal; returns the process exit code.
    int run();

private:
    void build_routes();
    // The category matcher from the categories taxonomy and the spellcheck settings of predict_services_.
    void configure_predictors();
    // Local OCR, extraction rules and downloads for the OCR routes (shared with the job system).
    void configure_ocr_routes();
    // The Redis Streams consumer and its health check, when redis.url is set.
    void configure_intake();
    bool wait_for_database(const sigset_t& signals);
    // SIGHUP: reloads what can be swapped under running requests. Blocks (file I/O) on the main thread; a
    // failed reload is logged and the previous data stays in use.
    void reload();

    // Blocks SIGTERM, SIGINT and SIGHUP in the constructing (main) thread before any member starts a thread:
    // threads inherit the mask, so only run()'s sigtimedwait receives them. A thread that left them unblocked
    // would take the default action whenever the main thread is not waiting (reloading, or not yet in its
    // loop), and the process would die. Declared first. A signal during construction stays pending for run().
    struct signal_mask {
        signal_mask();
        sigset_t stop;  // SIGTERM, SIGINT: shut down
        sigset_t all;   // stop + SIGHUP (reload)
    };
    signal_mask signals_;
    const core::config& cfg_;
    core::metrics_registry metrics_;
    db::pool pool_;
    std::vector<api::health_check> health_checks_;
    core::thread_pool handler_pool_;
    http::router router_;
    api::system_services system_services_;
    // One copy of the taxonomies for every module; refreshed by the download_taxonomies job.
    std::unique_ptr<taxonomy::taxonomy_set> taxonomies_;
    api::question_services question_services_;
    api::insight_services insight_services_;
    api::predict_services predict_services_;                // category matcher, ingredient spellchecker
    core::system_clock clock_;
    std::unique_ptr<jobs::service> jobs_;                   // workers, scheduler, Product Opener client
    std::unique_ptr<api::webhook_services> webhook_services_;
    std::unique_ptr<intake::consumer> intake_;              // Product Opener's Redis Streams (redis.url set)
    std::unique_ptr<off::http_client> fetch_client_;        // image and OCR downloads of the OCR routes
    api::ocr_route_services ocr_services_;
    std::unique_ptr<http::server> server_;
};

// The taxonomies of data.dir (cache first, then the bundled copies); missing ones are logged.
std::unique_ptr<taxonomy::taxonomy_set> load_taxonomies(const core::config& cfg);

// db::pool_settings from the configuration (shared by serve and the other commands).
db::pool_settings pool_settings_from(const core::config& cfg);

// The error mapper of the HTTP server: core errors plus database errors (pool exhausted / unreachable -> 503).
http::response map_errors(std::exception_ptr error, const http::request& req);

}  // namespace robotoff::app
