// The real daemon over real HTTP: operations routes, errors, CORS, outages, shutdown, command line.
#include "robotoff/core/json.hpp"
#include "support/test_support.hpp"

#include <catch2/catch.hpp>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>

using namespace robotoff::testing;

namespace {

double metric_value(const std::string& text, const std::string& series) {
    const auto at = text.find(series + " ");
    if (at == std::string::npos) {
        return 0;
    }
    return std::stod(text.substr(at + series.size() + 1));
}

// The lines of a daemon log carrying `event=<event>`, in order.
std::vector<std::string> log_lines(const std::string& log, const std::string& event) {
    std::vector<std::string> lines;
    std::size_t start = 0;
    while (start < log.size()) {
        auto end = log.find('\n', start);
        if (end == std::string::npos) {
            end = log.size();
        }
        const auto line = log.substr(start, end - start);
        if (line.find("event=" + event + " ") != std::string::npos || line.ends_with("event=" + event)) {
            lines.push_back(line);
        }
        start = end + 1;
    }
    return lines;
}

// The unquoted value of ` key=` on a log line, or "" if absent.
std::string log_field(const std::string& line, const std::string& key) {
    const auto at = line.find(" " + key + "=");
    if (at == std::string::npos) {
        return {};
    }
    const auto begin = at + key.size() + 2;
    return line.substr(begin, line.find(' ', begin) - begin);
}

void write_file(const std::string& path, const std::string& text) {
    std::filesystem::create_directories(std::filesystem::path(path).parent_path());
    std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

// The question text of the only question of product 3017620425035 in `lang`.
std::string weight_question(std::uint16_t port, const std::string& lang) {
    const auto r = http_get(port, "/api/v1/questions/3017620425035?insight_types=product_weight&lang=" + lang);
    INFO(r.body);
    REQUIRE(r.status == 200);
    const auto doc = robotoff::core::parse_json(r.body);
    REQUIRE(doc["questions"].Size() == 1);
    return doc["questions"][0]["question"].GetString();
}

}  // namespace

TEST_CASE("operations routes, errors and CORS over HTTP", "[integration][foundation]") {
    temp_database tdb;
    auto daemon = start_daemon(tdb.url(), {"--http.max_body_bytes=2048"});
    const auto port = daemon->port();

    SECTION("status and health") {
        auto r = http_get(port, "/api/v1/status");
        CHECK(r.status == 200);
        CHECK(r.body == R"({"status":"running"})");
        CHECK(r.header("content-type") == "application/json; charset=utf-8");
        r = http_get(port, "/api/v1/health");
        CHECK(r.status == 200);
        const auto doc = robotoff::core::parse_json(r.body);
        CHECK(std::string(doc["message"]["status"].GetString()) == "success");
        std::map<std::string, bool> passed;
        for (const auto& result : doc["message"]["results"].GetArray()) {
            passed[result["checker"].GetString()] = result["passed"].GetBool();
        }
        CHECK(passed == std::map<std::string, bool>{
                            {"postgres", true}, {"schema", true}, {"taxonomies", true}, {"data_files", true},
                            {"jobs", true}});
        CHECK(doc["status"].GetInt() == 200);
    }

    SECTION("metrics counters move") {
        const auto series = R"(robotoffd_http_requests_total{route="/api/v1/status",method="GET",status="200"})";
        const double before = metric_value(http_get(port, "/metrics").body, series);
        http_get(port, "/api/v1/status");
        http_get(port, "/api/v1/status");
        const auto text = http_get(port, "/metrics").body;
        CHECK(metric_value(text, series) == before + 2);
        CHECK(text.find("robotoffd_db_pool_in_use") != std::string::npos);
        CHECK(text.find("robotoffd_http_request_duration_seconds_bucket") != std::string::npos);
    }

    SECTION("404, 405 and 413 are JSON errors") {
        auto r = http_get(port, "/api/v1/no-such-route");
        CHECK(r.status == 404);
        CHECK(robotoff::core::parse_json(r.body)["title"].GetString() == std::string("404 Not Found"));
        r = http_request(port, "POST", "/api/v1/status", "x");
        CHECK(r.status == 405);
        CHECK(r.header("allow") == "GET");
        CHECK(robotoff::core::parse_json(r.body)["title"].GetString() == std::string("405 Method Not Allowed"));
        r = http_request(port, "POST", "/api/v1/status", std::string(4096, 'x'));
        CHECK(r.status == 413);
        CHECK(robotoff::core::parse_json(r.body)["title"].GetString() == std::string("413 Payload Too Large"));
    }

    SECTION("CORS: preflight and origin echo") {
        auto r = http_request(port, "OPTIONS", "/api/v1/status", "",
                              {{"Origin", "https://hunger.openfoodfacts.org"},
                               {"Access-Control-Request-Headers", "X-Custom"}});
        CHECK(r.status == 200);
        CHECK(r.body.empty());
        CHECK(r.header("access-control-allow-methods") == "GET, OPTIONS");
        CHECK(r.header("access-control-allow-headers") == "X-Custom");
        CHECK(r.header("access-control-max-age") == "86400");
        CHECK(r.header("access-control-allow-origin") == "https://hunger.openfoodfacts.org");
        CHECK(r.header("access-control-allow-credentials") == "true");
        r = http_get(port, "/api/v1/status");
        CHECK(r.header("access-control-allow-origin") == "*");
        CHECK(r.header("vary") == "Origin");
        CHECK(r.header("access-control-expose-headers") == "Retry-After");
    }

    SECTION("OpenAPI lists the routes; robots.txt disallows everything") {
        auto r = http_get(port, "/api/v1/openapi.json");
        CHECK(r.status == 200);
        const auto doc = robotoff::core::parse_json(r.body);
        for (const char* path : {"/api/v1/status", "/api/v1/health", "/metrics", "/api/v1/openapi.json", "/robots.txt"}) {
            CHECK(doc["paths"].HasMember(path));
        }
        r = http_get(port, "/robots.txt");
        CHECK(r.body == "User-agent: *\nDisallow: /\n");
    }

    SECTION("keep-alive: trailing slash ignored") {
        CHECK(http_get(port, "/api/v1/status/").status == 200);
    }

    daemon->signal(SIGTERM);
    CHECK(daemon->wait_exit() == 0);
    CHECK(daemon->stderr_text().find("event=shutdown.done") != std::string::npos);
}

TEST_CASE("SIGHUP reloads the question catalogs and the daemon keeps serving", "[integration][foundation]") {
    temp_database tdb;
    {
        auto conn = tdb.connect();
        conn->exec("INSERT INTO product (barcode, product_name, lang, source) VALUES "
                   "('3017620425035', 'Nutella', 'fr', 'dump')");
        conn->exec("INSERT INTO product_insight (barcode, type, timestamp, value, predictor) VALUES "
                   "('3017620425035', 'product_weight', now(), '750 g', 'regex')");
    }
    const std::string i18n = make_temp_dir();
    const std::string po = i18n + "/zz/LC_MESSAGES/robotoff.po";
    auto daemon = start_daemon(tdb.url(), {"--i18n.dir=" + i18n});
    const auto port = daemon->port();
    const auto ready = log_lines(daemon->stderr_text(), "questions.ready");
    REQUIRE_FALSE(ready.empty());
    const int languages = std::stoi(log_field(ready.front(), "languages"));
    const std::string english = "Does this weight match the weight displayed on the product?";
    CHECK(weight_question(port, "zz") == english);

    // A language dropped into i18n.dir is served after SIGHUP, without a restart.
    write_file(po, "msgid \"" + english + "\"\nmsgstr \"Zz weight?\"\n");
    daemon->signal(SIGHUP);
    REQUIRE(daemon->wait_for_log("event=app.reloaded", std::chrono::seconds(10)));
    auto reloaded = log_lines(daemon->stderr_text(), "app.reloaded");
    REQUIRE(reloaded.size() == 1);
    CHECK(log_field(reloaded[0], "languages") == std::to_string(languages + 1));
    CHECK(daemon->running());
    CHECK(http_get(port, "/api/v1/status").status == 200);
    CHECK(weight_question(port, "zz") == "Zz weight?");

    // A burst: signals arriving while the daemon reloads wait for the next reload instead of killing it.
    for (int i = 0; i < 50; ++i) {
        daemon->signal(SIGHUP);
    }
    CHECK(eventually([&] { return log_lines(daemon->stderr_text(), "app.reloaded").size() >= 2; }));
    CHECK(daemon->running());
    CHECK(http_get(port, "/api/v1/status").status == 200);

    // A malformed PO file: logged, the previous catalogs stay in use, the daemon keeps serving.
    write_file(po, "msgid no quotes\n");
    daemon->signal(SIGHUP);
    REQUIRE(daemon->wait_for_log("event=app.reload_failed", std::chrono::seconds(10)));
    CHECK(daemon->running());
    CHECK(http_get(port, "/api/v1/status").status == 200);
    CHECK(weight_question(port, "zz") == "Zz weight?");

    daemon->signal(SIGTERM);
    CHECK(daemon->wait_exit() == 0);
    const auto log = daemon->stderr_text();
    CHECK(log.find("event=shutdown.done") != std::string::npos);
    std::filesystem::remove_all(i18n);
}

TEST_CASE("health turns 503 while PostgreSQL is unreachable and heals without restart", "[integration][foundation]") {
    temp_database tdb;
    const auto [host, pg_port] = url_host_port(tdb.url());
    tcp_proxy proxy(host, pg_port);
    const auto proxied = "postgresql://postgres@127.0.0.1:" + std::to_string(proxy.port()) + "/" + tdb.name();
    auto daemon = start_daemon(proxied, {"--database.connect_timeout_s=1", "--database.acquire_timeout_ms=1000"});
    const auto port = daemon->port();
    CHECK(http_get(port, "/api/v1/health").status == 200);

    proxy.set_open(false);
    auto r = http_get(port, "/api/v1/health");
    CHECK(r.status == 503);
    CHECK(robotoff::core::parse_json(r.body)["message"]["status"].GetString() == std::string("failure"));
    CHECK(http_get(port, "/api/v1/status").status == 200);  // the API keeps answering

    proxy.set_open(true);
    CHECK(eventually([&] { return http_get(port, "/api/v1/health").status == 200; }, std::chrono::seconds(15)));
    daemon->signal(SIGTERM);
    CHECK(daemon->wait_exit() == 0);
}

TEST_CASE("serve waits for a database that is down at start", "[integration][foundation]") {
    temp_database tdb;
    const auto [host, pg_port] = url_host_port(tdb.url());
    tcp_proxy proxy(host, pg_port);
    proxy.set_open(false);
    const auto proxied = "postgresql://postgres@127.0.0.1:" + std::to_string(proxy.port()) + "/" + tdb.name();
    daemon_process daemon({"serve", "--http.listen=127.0.0.1:0", "--database.url=" + proxied,
                           "--database.connect_timeout_s=1", "--jobs.workers=0", "--ocr.backend=gcv",
                           "--data.dir=" + shared_path("data")});
    const auto port = daemon.port();
    REQUIRE(daemon.wait_for_log("event=startup.database_unavailable"));
    CHECK(http_get(port, "/api/v1/status").status == 200);
    CHECK(http_get(port, "/api/v1/health").status == 503);
    proxy.set_open(true);
    CHECK(daemon.wait_for_log("event=startup.ready", std::chrono::seconds(30)));
    CHECK(http_get(port, "/api/v1/health").status == 200);
    daemon.signal(SIGTERM);
    CHECK(daemon.wait_exit() == 0);
}

TEST_CASE("serve refuses to start when the schema is behind", "[integration][foundation]") {
    temp_database tdb(false);
    daemon_process daemon({"serve", "--http.listen=127.0.0.1:0", "--database.url=" + tdb.url(), "--jobs.workers=0",
                           "--ocr.backend=gcv"});
    CHECK(daemon.wait_exit() == 1);
    CHECK(daemon.stderr_text().find("robotoffd migrate") != std::string::npos);

    auto r = run_robotoffd({"--config=/dev/null", "migrate", "--database.url=" + tdb.url()});
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("applied)") != std::string::npos);
    CHECK(r.out.find("(0 migrations") == std::string::npos);
    r = run_robotoffd({"--config=/dev/null", "migrate", "--database.url=" + tdb.url()});
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("(0 migrations applied)") != std::string::npos);
}

TEST_CASE("command line: help, version, usage errors", "[integration][foundation]") {
    auto r = run_robotoffd({"--version"});
    CHECK(r.exit_code == 0);
    CHECK(r.out.rfind("robotoffd ", 0) == 0);
    r = run_robotoffd({"--help"});
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("serve") != std::string::npos);
    CHECK(r.out.find("migrate") != std::string::npos);
    r = run_robotoffd({"help", "migrate"});
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("usage: robotoffd migrate") != std::string::npos);
    r = run_robotoffd({"frobnicate"});
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("unknown command 'frobnicate'") != std::string::npos);
    r = run_robotoffd({"--frobnicate", "serve"});
    CHECK(r.exit_code == 2);
    r = run_robotoffd({"--config=/dev/null", "check-config", "--database.pool_size=0"});
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("database.pool_size") != std::string::npos);
    r = run_robotoffd({"--config=/dev/null", "check-config", "--http.unknown_key=1"});
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("unknown setting 'http.unknown_key'") != std::string::npos);
    r = run_robotoffd({"--config=/dev/null", "check-config", "--print"},
                      {{"ROBOTOFF_OFF_PASSWORD", "hunter2"}, {"ROBOTOFF_HTTP_THREADS", "3"}});
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("hunter2") == std::string::npos);
    CHECK(r.out.find("http.threads = 3  (env)") != std::string::npos);
    r = run_robotoffd({"--config=/nonexistent.conf", "check-config"});
    CHECK(r.exit_code == 2);
}

TEST_CASE("missing taxonomies and keyword lists make the node degraded (200), not failed", "[integration][foundation]") {
    temp_database tdb;
    const std::string empty_data = make_temp_dir();
    auto daemon = start_daemon(tdb.url(), {"--data.dir=" + empty_data});
    const auto port = daemon->port();
    const auto r = http_get(port, "/api/v1/health");
    CHECK(r.status == 200);  // a load balancer keeps a node that answers
    const auto doc = robotoff::core::parse_json(r.body);
    CHECK(doc["message"]["status"].GetString() == std::string("degraded"));
    std::map<std::string, std::pair<bool, bool>> checks;  // name -> (passed, critical)
    for (const auto& result : doc["message"]["results"].GetArray()) {
        checks[result["checker"].GetString()] = {result["passed"].GetBool(), result["critical"].GetBool()};
    }
    CHECK(checks["postgres"] == std::make_pair(true, true));
    CHECK(checks["schema"] == std::make_pair(true, true));
    CHECK(checks["taxonomies"] == std::make_pair(false, false));
    daemon->signal(SIGTERM);
    CHECK(daemon->wait_exit() == 0);
    std::filesystem::remove_all(empty_data);
}
