#include "application.hpp"

#include "robotoff/core/errors.hpp"
#include "robotoff/core/log.hpp"
#include "robotoff/core/version.hpp"
#include "robotoff/api/url_cache.hpp"
#include "robotoff/db/migrations.hpp"
#include "robotoff/extract/rules.hpp"
#include "routes.hpp"

#include <boost/version.hpp>
#include <libpq-fe.h>
#include <rapidjson/rapidjson.h>
#include <systemd/sd-daemon.h>
#include <unicode/uversion.h>

#include <csignal>
#include <cstdlib>
#include <ctime>
#include <thread>
#include <unistd.h>

namespace robotoff::app {

namespace {

std::string hostname() {
    char buffer[256] = {};
    if (::gethostname(buffer, sizeof buffer - 1) != 0) {
        return "unknown";
    }
    return buffer;
}

// Waits for one of `signals` up to `timeout`; returns the signal number or 0 on timeout.
int wait_signal(const sigset_t& signals, std::chrono::milliseconds timeout) {
    timespec ts{};
    ts.tv_sec = static_cast<time_t>(timeout.count() / 1000);
    ts.tv_nsec = static_cast<long>((timeout.count() % 1000) * 1000000);
    const int sig = sigtimedwait(&signals, nullptr, &ts);
    return sig > 0 ? sig : 0;
}

}  // namespace

std::unique_ptr<taxonomy::taxonomy_set> load_taxonomies(const core::config& cfg) {
    auto set = std::make_unique<taxonomy::taxonomy_set>();
    const auto missing = set->load_from_dirs(cfg.get_string("data.dir"));
    core::log::info("taxonomies.loaded", {{"loaded", set->loaded_names().size()}, {"missing", missing.size()}});
    return set;
}

db::pool_settings pool_settings_from(const core::config& cfg) {
    db::pool_settings s;
    s.url = cfg.get_string("database.url");
    s.size = static_cast<std::size_t>(cfg.get_int("database.pool_size"));
    s.statement_timeout_ms = static_cast<int>(cfg.get_int("database.statement_timeout_ms"));
    s.connect_timeout_s = static_cast<int>(cfg.get_int("database.connect_timeout_s"));
    s.acquire_timeout = std::chrono::milliseconds(cfg.get_int("database.acquire_timeout_ms"));
    return s;
}

http::response map_errors(std::exception_ptr error, const http::request& req) {
    try {
        std::rethrow_exception(error);
    } catch (const db::pool_exhausted& e) {
        core::log::warning("http.db_pool_exhausted", {{"request_id", req.request_id}, {"path", req.path}});
    } catch (const db::unavailable& e) {
        core::log::warning("http.db_unavailable",
                           {{"request_id", req.request_id}, {"path", req.path}, {"error", e.what()}});
    } catch (const db::db_error& e) {
        if (e.sqlstate().starts_with("22")) {
            // Class 22 (data exception): a value the client sent does not fit (bad text, number out of
            // range...). Their input, not our bug; PostgreSQL's message may quote it, so it is not echoed.
            core::log::info("http.db_data_error",
                            {{"request_id", req.request_id}, {"path", req.path}, {"sqlstate", e.sqlstate()}});
            return http::response::error(400, "400 Bad Request",
                                         "A parameter value is not valid here (SQLSTATE " + e.sqlstate() + ").");
        }
        if (e.sqlstate() != "57014") {  // statement timeout: overloaded, not a bug
            core::log::error("http.db_error", {{"request_id", req.request_id},
                                               {"path", req.path},
                                               {"sqlstate", e.sqlstate()},
                                               {"error", e.what()}});
            return http::response::error(500, "500 Internal Server Error", "An unexpected error occurred.");
        }
    } catch (...) {
        return http::map_common_errors(std::current_exception(), req);
    }
    auto r = http::response::error(503, "503 Service Unavailable", "The database is unavailable or saturated; retry later.");
    r.headers.emplace_back("Retry-After", "5");
    return r;
}

application::signal_mask::signal_mask() {
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    all = stop;
    sigaddset(&all, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &all, nullptr);
}

application::application(const core::config& cfg)
    : cfg_(cfg),
      pool_(pool_settings_from(cfg)),
      handler_pool_("handler", static_cast<std::size_t>(cfg.get_int("http.handler_threads")),
                    static_cast<std::size_t>(cfg.get_int("http.max_queued_requests"))),
      system_services_{metrics_, router_, health_checks_, std::string(core::version()), hostname()},
      taxonomies_(load_taxonomies(cfg)),
      question_services_(cfg, pool_, taxonomies_.get()),
      insight_services_(cfg, pool_, taxonomies_.get()) {
    metrics_.describe("robotoffd_db_pool_in_use", core::metrics_registry::kind::gauge, "DB connections in use");
    metrics_.describe("robotoffd_db_pool_idle", core::metrics_registry::kind::gauge, "DB connections idle");
    metrics_.describe("robotoffd_db_pool_waiting", core::metrics_registry::kind::gauge,
                      "threads waiting for a DB connection");
    metrics_.add_collector([this](core::metrics_registry& m) {
        const auto s = pool_.stats();
        m.set_gauge("robotoffd_db_pool_in_use", {}, static_cast<double>(s.in_use));
        m.set_gauge("robotoffd_db_pool_idle", {}, static_cast<double>(s.idle));
        m.set_gauge("robotoffd_db_pool_waiting", {}, static_cast<double>(s.waiting));
    });
    configure_predictors();
    jobs::service_options job_options;
    job_options.taxonomies = taxonomies_.get();
    job_options.refreshable_taxonomies = taxonomies_.get();  // download_taxonomies swaps into the shared set
    jobs_ = std::make_unique<jobs::service>(cfg, pool_, metrics_, clock_, job_options);
    insight_services_.writer = &jobs_->writer();
    // A decision taken on this node leaves its cached question listings at their next read (hot_listing.hpp).
    insight_services_.after_decision = [this] {
        question_services_.random_pools.expire_all();
        question_services_.popular_pools.expire_all();
    };
    configure_ocr_routes();
    predict_services_.spellchecker = &jobs_->spellchecker();
    webhook_services_ = std::make_unique<api::webhook_services>(
        api::webhook_services{api::webhook_settings::from_config(cfg), pool_, [this] { jobs_->jobs().wake(); }});
    health_checks_.push_back({"postgres", [this] {
                                  auto conn = pool_.acquire(std::chrono::steady_clock::now() + std::chrono::seconds(5));
                                  conn->exec("SELECT 1");
                                  return api::check_result{true, "connection ok"};
                              }});
    // Only PostgreSQL and the schema make the node fail (503); every other check makes it "degraded".
    health_checks_.push_back({"schema", [this] {
                                  auto conn = pool_.acquire(std::chrono::steady_clock::now() + std::chrono::seconds(5));
                                  const int applied = db::applied_version(*conn);
                                  const int latest = db::latest_version();
                                  return api::check_result{applied >= latest, "version " + std::to_string(applied) +
                                                                                  " (this build needs " +
                                                                                  std::to_string(latest) + ")"};
                              }});
    health_checks_.push_back({"taxonomies", [this] {
                                  std::string missing;
                                  for (const char* name : {"categories", "labels", "countries", "packaging_shapes",
                                                           "packaging_materials", "packaging_recycling"}) {
                                      if (!taxonomies_->get(name)) {
                                          missing += (missing.empty() ? "" : ", ") + std::string(name);
                                      }
                                  }
                                  return api::check_result{missing.empty(),
                                                           missing.empty() ? "all loaded" : "missing: " + missing};
                              },
                              false});
    health_checks_.push_back({"data_files", [this] {
                                  const auto* rules = jobs_->rules();
                                  if (!rules) {
                                      return api::check_result{false, "extraction rules not loaded"};
                                  }
                                  std::string disabled;
                                  for (const auto& type : rules->disabled()) {
                                      disabled += (disabled.empty() ? "" : ", ") + type;
                                  }
                                  return api::check_result{disabled.empty(), disabled.empty()
                                                                                 ? "all loaded"
                                                                                 : "extractors disabled: " + disabled};
                              },
                              false});
    health_checks_.push_back({"jobs", [this] {
                                  auto conn = pool_.acquire(std::chrono::steady_clock::now() + std::chrono::seconds(5));
                                  auto r = conn->exec("SELECT count(*) FILTER (WHERE run_after < now() - interval "
                                                      "'15 minutes'), count(*) FROM job WHERE state = 'pending'");
                                  const long long overdue = r.get_int(0, 0);
                                  const long long pending = r.get_int(0, 1);
                                  const bool ok = overdue == 0 && pending < 10000;
                                  return api::check_result{ok, std::to_string(pending) + " pending, " +
                                                                   std::to_string(overdue) + " overdue"};
                              },
                              false});
    configure_intake();
    build_routes();
}

application::~application() {
    // The batch threads answer through the HTTP server's I/O context: they stop before it is destroyed.
    insight_services_.stop();
}

void application::configure_ocr_routes() {
    fetch_client_ = std::make_unique<off::http_client>(cfg_.get_string("off.user_agent") + " " +
                                                       std::string(core::product_token()));
    ocr_services_.ocr = jobs_->local_ocr();
    ocr_services_.rules = jobs_->rules();
    // Outbound fetch policy (README "Security"): a bad network or host entry stops the start-up here.
    const off::fetcher fetcher(*fetch_client_, off::fetch_settings::from_config(cfg_));
    ocr_services_.images_url = cfg_.get_string("off.images_url");
    ocr_services_.tld = cfg_.tld();
    ocr_services_.ocr_allowed_hosts = off::parse_allow_list(cfg_.get_list("fetch.ocr_allowed_hosts"));
    ocr_services_.crop_allowed_domains = cfg_.get_list("crop.allowed_domains");
    auto ocr_hosts = off::image_servers(ocr_services_.images_url, ocr_services_.tld);
    ocr_hosts.insert(ocr_hosts.end(), ocr_services_.ocr_allowed_hosts.begin(), ocr_services_.ocr_allowed_hosts.end());
    ocr_services_.fetch = api::fetch_with_policy(fetcher, std::move(ocr_hosts));
    // api.md §4.8 and data-model.md §10: crop sources are kept 24 h under cache/images (the cleanup job purges).
    ocr_services_.crop_fetch =
        api::cached_fetcher(api::fetch_with_policy(fetcher, off::parse_allow_list(ocr_services_.crop_allowed_domains)),
                            "cache/images", std::chrono::hours(24));
    ocr_services_.limits.max_bytes = static_cast<std::uint64_t>(cfg_.get_int("ocr.max_image_bytes"));
    ocr_services_.limits.max_pixels = static_cast<std::uint64_t>(cfg_.get_int("ocr.max_image_pixels"));
}

void application::configure_intake() {
    if (cfg_.get_string("redis.url").empty()) {
        return;
    }
    intake_ = std::make_unique<intake::consumer>(intake::consumer_settings::from_config(cfg_, hostname()), pool_,
                                                 metrics_, [this] { jobs_->jobs().wake(); });
    // Redis down is "degraded": the API, the webhooks and the workers keep going (intake.md §3.6).
    health_checks_.push_back({"redis",
                              [this] {
                                  const auto h = intake_->health();
                                  return api::check_result{h.ok, h.output};
                              },
                              false});
}

void application::configure_predictors() {
    predict_services_.spellcheck_langs = cfg_.get_list("spellcheck.langs");
    predict_services_.find_product = api::product_names_from_pool(pool_);
    const auto langs = cfg_.get_list("category_matcher.langs");
    auto rebuild = [this, langs](const std::shared_ptr<const taxonomy::taxonomy>& categories) {
        if (!categories) {
            return;
        }
        try {
            predict_services_.matcher.set(matcher::category_matcher::build(*categories, langs));
        } catch (const std::exception& e) {
            core::log::warning("matcher.build_failed", {{"error", e.what()}});
        }
    };
    rebuild(taxonomies_->get("categories"));
    taxonomies_->add_listener([rebuild](const std::string& name, const std::shared_ptr<const taxonomy::taxonomy>& t) {
        if (name == "categories") {
            rebuild(t);
        }
    });
}

void application::build_routes() {
    add_all_routes(router_, route_context{system_services_, question_services_, insight_services_,
                                          webhook_services_.get(), &predict_services_,
                                          &ocr_services_});
}

void application::reload() {
    // Only the question message catalogs are reloaded: question_services swaps them as a shared_ptr under a
    // mutex, so a request keeps the catalog it started with. The extraction rules (data.dir keyword lists)
    // are not: jobs::service owns them through a unique_ptr whose raw pointer the task environment and the
    // OCR routes hold for the life of the process, so there is nothing to swap atomically; new lists need a
    // restart. Taxonomies are refreshed by the download_taxonomies job.
    sd_notify(0, "RELOADING=1");
    try {
        question_services_.reload_messages();
        core::log::info("app.reloaded", {{"signal", "SIGHUP"},
                                         {"languages", question_services_.messages()->languages().size()},
                                         {"not_reloaded", "extraction_rules"}});
    } catch (const std::exception& e) {
        core::log::error("app.reload_failed", {{"signal", "SIGHUP"}, {"error", e.what()}});
    }
    sd_notify(0, "READY=1");
}

bool application::wait_for_database(const sigset_t& signals) {
    auto delay = std::chrono::milliseconds(500);
    for (int attempt = 1;; ++attempt) {
        try {
            auto conn = pool_.acquire();
            const int applied = db::applied_version(*conn);
            const int latest = db::latest_version();
            if (applied < latest) {
                core::log::error("startup.schema_behind", {{"applied", applied},
                                                           {"required", latest},
                                                           {"hint", "run `robotoffd migrate` first"}});
                std::fprintf(stderr, "robotoffd: the database schema is at version %d, this binary needs %d: "
                                     "run `robotoffd migrate` first\n", applied, latest);
                return false;
            }
            core::log::info("startup.database_ready", {{"schema_version", applied}, {"attempts", attempt}});
            return true;
        } catch (const db::db_error& e) {
            core::log::warning("startup.database_unavailable",
                               {{"attempt", attempt}, {"retry_in_ms", delay.count()}, {"error", e.what()}});
        }
        if (const int sig = wait_signal(signals, delay)) {
            core::log::notice("startup.interrupted", {{"signal", sig}});
            throw std::runtime_error("interrupted while waiting for the database");
        }
        delay = std::min(delay * 2, std::chrono::milliseconds(30000));
    }
}

int application::run() {
    // Signals are handled synchronously by this thread; every thread has them blocked (signal_mask). SIGHUP
    // is only waited for once serving: one arriving earlier stays pending and is handled after READY=1; one
    // arriving during shutdown is ignored.
    const sigset_t& stop_signals = signals_.stop;
    const sigset_t& signals = signals_.all;

    http::server_settings http_settings;
    http::parse_listen_address(cfg_.get_string("http.listen"), http_settings);
    http_settings.io_threads = static_cast<std::size_t>(cfg_.get_int("http.threads"));
    http_settings.max_body_bytes = static_cast<std::uint64_t>(cfg_.get_int("http.max_body_bytes"));
    http_settings.request_timeout = std::chrono::milliseconds(cfg_.get_int("http.request_timeout_ms"));
    http_settings.trusted_proxies = core::parse_cidr_list(cfg_.get_list("http.trusted_proxies"), "http.trusted_proxies");

    core::log::info("startup", {{"version", core::version()},
                                {"config", cfg_.source_path()},
                                {"http_listen", cfg_.get_string("http.listen")},
                                {"http_threads", http_settings.io_threads},
                                {"handler_threads", handler_pool_.size()},
                                {"db_pool_size", pool_.settings().size},
                                {"job_workers", cfg_.get_int("jobs.workers")},
                                {"boost", BOOST_LIB_VERSION},
                                {"libpq", PQlibVersion()},
                                {"rapidjson", RAPIDJSON_VERSION_STRING},
                                {"icu", U_ICU_VERSION}});

    server_ = std::make_unique<http::server>(http_settings, router_, handler_pool_, metrics_, map_errors);
    try {
        server_->start();
    } catch (const std::exception& e) {
        core::log::error("startup.listen_failed", {{"address", cfg_.get_string("http.listen")}, {"error", e.what()}});
        return 1;
    }
    core::log::info("http.listening", {{"address", http_settings.host}, {"port", server_->port()}});

    try {
        if (!wait_for_database(stop_signals)) {
            server_->stop(std::chrono::milliseconds(0));
            return 1;
        }
    } catch (const std::exception&) {
        server_->stop(std::chrono::milliseconds(0));
        return 0;
    }

    jobs_->start();
    if (intake_) {
        intake_->start();
    }
    sd_notify(0, "READY=1");
    core::log::info("startup.ready", {{"port", server_->port()}});

    // Wait for a termination signal, reloading on SIGHUP and pinging the systemd watchdog at half its period
    // (also after a reload, so that frequent SIGHUPs cannot starve it).
    uint64_t watchdog_usec = 0;
    const bool watchdog = sd_watchdog_enabled(0, &watchdog_usec) > 0;
    const auto tick = watchdog ? std::chrono::milliseconds(watchdog_usec / 2000) : std::chrono::milliseconds(60000);
    int sig = 0;
    while ((sig = wait_signal(signals, tick)) == 0 || sig == SIGHUP) {
        if (sig == SIGHUP) {
            reload();
        }
        if (watchdog) {
            sd_notify(0, "WATCHDOG=1");
        }
    }

    sd_notify(0, "STOPPING=1");
    core::log::info("shutdown.started", {{"signal", sig}});
    // A second signal during shutdown exits at once.
    std::thread second_signal([stop_signals = signals_.stop] {
        int s = 0;
        sigwait(&stop_signals, &s);
        core::log::warning("shutdown.forced", {{"signal", s}});
        std::_Exit(1);
    });
    second_signal.detach();  // it ends with the process; nothing to join on the normal path

    server_->stop(std::chrono::milliseconds(cfg_.get_int("http.shutdown_grace_ms")));
    insight_services_.stop();
    if (intake_) {
        intake_->stop();  // no new jobs from the streams; unacked entries are redelivered
    }
    // Scheduler first, then workers: running jobs finish; pending ones stay in the table.
    jobs_->stop();
    // Requests still queued when the listener closed have lost their connection: drop them.
    if (const auto dropped = handler_pool_.discard_queued()) {
        core::log::warning("shutdown.dropped_requests", {{"count", dropped}});
    }
    handler_pool_.stop();
    pool_.close();
    core::log::info("shutdown.done");
    return 0;
}

}  // namespace robotoff::app
