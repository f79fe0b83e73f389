#pragma once
// Operations routes (api.md §9): /api/v1/status, /api/v1/health, /metrics, /api/v1/openapi.json,
// /robots.txt. Health runs every registered check (each bounded to 5 s) and answers 200 when all pass,
// 503 otherwise, with the body shape of api.md §9.2.

#include "robotoff/core/metrics.hpp"
#include "robotoff/http/router.hpp"

#include <functional>
#include <string>
#include <vector>

namespace robotoff::api {

struct check_result {
    bool passed = false;
    std::string output;
};

struct health_check {
    std::string name;                         // "postgres", "taxonomies", "data_files", "jobs"
    std::function<check_result()> run;        // may block up to ~5 s; must not throw (exceptions = failure)
    // A failing non-critical check makes the node "degraded" (200: a load balancer keeps it), a failing
    // critical one makes it fail (503).
    bool critical = true;
};

struct system_services {
    core::metrics_registry& metrics;
    const http::router& router;               // for the OpenAPI document
    std::vector<health_check>& checks;
    std::string version;
    std::string hostname;
};

void add_system_routes(http::router& router, system_services& services);

// Runs the checks; exposed for tests. Returns (all passed, JSON body).
std::pair<bool, std::string> run_health_checks(const std::vector<health_check>& checks, const std::string& hostname);

}  // namespace robotoff::api
