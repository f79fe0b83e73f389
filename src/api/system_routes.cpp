#include "robotoff/api/system_routes.hpp"

#include "robotoff/core/clock.hpp"
#include "robotoff/core/json.hpp"

namespace robotoff::api {

std::pair<bool, std::string> run_health_checks(const std::vector<health_check>& checks, const std::string& hostname) {
    using namespace rapidjson;
    Document doc(kObjectType);
    auto& a = doc.GetAllocator();
    Value results(kArrayType);
    bool all_passed = true;
    bool degraded = false;
    const double now = core::unix_seconds(std::chrono::system_clock::now());
    for (const auto& check : checks) {
        check_result r;
        try {
            r = check.run();
        } catch (const std::exception& e) {
            r = {false, e.what()};
        }
        if (!r.passed) {
            if (check.critical) {
                all_passed = false;
            } else {
                degraded = true;
            }
        }
        Value item(kObjectType);
        item.AddMember("checker", Value(check.name.c_str(), a), a);
        item.AddMember("output", Value(r.output.c_str(), a), a);
        item.AddMember("passed", r.passed, a);
        item.AddMember("critical", check.critical, a);  // failing: "failure" (503) if true, else "degraded"
        item.AddMember("timestamp", now, a);
        item.AddMember("expires", now + 27, a);
        results.PushBack(item, a);
    }
    Value message(kObjectType);
    message.AddMember("hostname", Value(hostname.c_str(), a), a);
    message.AddMember("status", rapidjson::StringRef(!all_passed ? "failure" : degraded ? "degraded" : "success"), a);
    message.AddMember("timestamp", now, a);
    message.AddMember("results", results, a);
    doc.AddMember("message", message, a);
    doc.AddMember("status", all_passed ? 200 : 503, a);
    Value headers(kObjectType);
    headers.AddMember("Content-Type", "application/json", a);
    doc.AddMember("headers", headers, a);
    return {all_passed, core::to_json(doc)};
}

void add_system_routes(http::router& router, system_services& services) {
    router.add({"GET", "/api/v1/status",
                [](const http::request&) { return http::response::json(R"({"status":"running"})"); },
                "Liveness: answers as soon as the HTTP listener is up", {}, "operations"});
    router.add({"GET", "/api/v1/health",
                [&services](const http::request&) {
                    auto [ok, body] = run_health_checks(services.checks, services.hostname);
                    return http::response::json(std::move(body), ok ? 200 : 503);
                },
                "Readiness: PostgreSQL and the other dependencies (503 when one fails)", {}, "operations"});
    router.add({"GET", "/metrics",
                [&services](const http::request&) {
                    return http::response::text(services.metrics.render(), "text/plain; version=0.0.4; charset=utf-8");
                },
                "Prometheus metrics (text format 0.0.4)", {}, "operations"});
    router.add({"GET", "/api/v1/openapi.json",
                [&services](const http::request&) {
                    return http::response::json(services.router.openapi_json(services.version));
                },
                "This OpenAPI 3.1 document, generated from the route table", {}, "operations"});
    router.add({"GET", "/robots.txt",
                [](const http::request&) { return http::response::text("User-agent: *\nDisallow: /\n"); },
                "Robots exclusion: everything disallowed", {}, "operations"});
}

}  // namespace robotoff::api
