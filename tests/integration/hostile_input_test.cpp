// Hostile input against the real daemon (issue 13, findings 1, 2, 4 and 9): deep JSON, invalid UTF-8, NUL
// bytes and odd values in every parameter of every documented route never give a 5xx or a crash, every
// error body is valid UTF-8 JSON, and nothing is written.
#include "robotoff/core/json.hpp"
#include "robotoff/core/utf8.hpp"
#include "support/test_support.hpp"

#include <catch2/catch.hpp>

#include <csignal>
#include <iostream>

using namespace robotoff::testing;

namespace {

const std::string deep_json(1000000, '[');

// Values sent URL-encoded: invalid UTF-8 (lone byte, overlong, surrogate, above U+10FFFF, truncated), NUL,
// numbers out of every range, long text, SQL and JSON fragments.
const std::vector<std::string> hostile_values = {
    "%FF",     "a%00b",       "%C0%AF", "%ED%A0%80", "%F4%90%80%80", "%E2%82", "99999999999999999999999",
    "-1",      "nan",         "1e999",  "%27%3B%20DROP%20TABLE%20job%3B--",   "%5B%5B%5B%5B", "%7B%7D",
    std::string(3000, 'x'), "00000000-0000-0000-0000-00000000000G",
};

// A failing check prints the request and the answer.
void check_answer(const std::string& what, const http_reply& r, int& requests) {
    ++requests;
    INFO(what << " -> " << r.status << " " << r.body.substr(0, 300));
    CHECK(r.status > 0);
    // 503 only for a capability that is not ready on this node (the spellchecker without its corpus).
    const bool not_ready = r.status == 503 && r.body.find("not built yet") != std::string::npos;
    CHECK((r.status < 500 || not_ready));
    CHECK(robotoff::core::is_valid_utf8(r.body));
    if (r.status >= 400 && r.header("content-type").find("json") != std::string::npos) {
        CHECK(robotoff::core::try_parse_json(r.body).has_value());
    }
}

struct documented_param {
    std::string name;
    std::string in;  // query, path, formData
};

struct documented_route {
    std::string method;
    std::string path;
    std::vector<documented_param> params;
};

// Every operation and parameter the daemon documents in its OpenAPI document.
std::vector<documented_route> documented_routes(std::uint16_t port) {
    const auto doc = robotoff::core::parse_json(http_get(port, "/api/v1/openapi.json").body);
    std::vector<documented_route> out;
    for (const auto& path : doc["paths"].GetObject()) {
        for (const auto& op : path.value.GetObject()) {
            documented_route route{op.name.GetString(), path.name.GetString(), {}};
            for (auto& c : route.method) {
                c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
            }
            if (op.value.HasMember("parameters")) {
                for (const auto& p : op.value["parameters"].GetArray()) {
                    route.params.push_back({p["name"].GetString(), p["in"].GetString()});
                }
            }
            if (op.value.HasMember("requestBody")) {
                const auto& content = op.value["requestBody"]["content"];
                if (content.HasMember("application/x-www-form-urlencoded")) {
                    for (const auto& p :
                         content["application/x-www-form-urlencoded"]["schema"]["properties"].GetObject()) {
                        route.params.push_back({p.name.GetString(), "formData"});
                    }
                }
            }
            out.push_back(std::move(route));
        }
    }
    return out;
}

// The route's target with every path placeholder replaced: `bad` for the one named `target_param`.
std::string fill_path(const std::string& pattern, const std::string& target_param, const std::string& bad) {
    std::string out;
    std::size_t i = 0;
    while (i < pattern.size()) {
        if (pattern[i] == '{') {
            const auto close = pattern.find('}', i);
            const std::string name = pattern.substr(i + 1, close - i - 1);
            out += name == target_param ? bad : "3017620425035";
            i = close + 1;
        } else {
            out += pattern[i++];
        }
    }
    return out;
}

long long count_rows(temp_database& tdb, const std::string& table) {
    return tdb.connect()->exec("SELECT count(*) FROM " + table).get_int(0, 0);
}

}  // namespace

TEST_CASE("deep JSON in bodies, form values and prediction files is a 400, not a crash", "[integration][security]") {
    temp_database tdb;
    auto daemon = start_daemon(tdb.url());
    const auto port = daemon->port();
    int requests = 0;
    check_answer("predict/category", http_post_json(port, "/api/v1/predict/category", deep_json), requests);
    check_answer("annotate data",
                 http_post_form(port, "/api/v1/insights/annotate",
                                "insight_id=00000000-0000-0000-0000-000000000001&annotation=2&update=1&data=" +
                                    std::string(200000, '[')),
                 requests);
    check_answer("webhook diffs",
                 http_post_form(port, "/api/v1/webhook/product",
                                "barcode=3017620425035&action=updated&server_domain=api.openfoodfacts.org&diffs=" +
                                    std::string(200000, '[')),
                 requests);
    const auto json_answer = http_post_json(port, "/api/v1/predict/category", deep_json);
    CHECK(json_answer.status == 400);
    CHECK(json_answer.body.find("not valid JSON") != std::string::npos);
    // A prediction file with a deep line: the import job rejects that line and the daemon lives on, also
    // after a restart (no poison job).
    const auto imported = http_request(port, "POST", "/api/v1/insights/import?type=packager_code",
                                       std::string(1000000, '[') + "\n", {{"Content-Type", "application/jsonl"}});
    check_answer("insights/import deep line", imported, requests);
    CHECK(http_get(port, "/api/v1/status").status == 200);
    CHECK(daemon->running());
    daemon->signal(SIGTERM);
    CHECK(daemon->wait_exit() == 0);
    // The same database with a job worker: the job runs, ends, and the daemon lives on.
    auto again = start_daemon(tdb.url(), {"--jobs.workers=1"});
    CHECK(http_get(again->port(), "/api/v1/status").status == 200);
    INFO(tdb.connect()->exec("SELECT string_agg(kind || ' ' || state || ' ' || COALESCE(last_error, ''), '; ') FROM job").get_string(0, 0));
    CHECK(eventually([&] {
        return tdb.connect()->exec("SELECT count(*) FROM job WHERE state IN ('done', 'failed') AND kind = "
                                   "'import_predictions_file'").get_int(0, 0) == 1;
    }, std::chrono::seconds(30)));
    CHECK(again->running());
    again->signal(SIGTERM);
    CHECK(again->wait_exit() == 0);
}

TEST_CASE("every parameter of every route x hostile values: no 5xx, valid UTF-8 errors, nothing written",
          "[integration][security]") {
    temp_database tdb;
    auto daemon = start_daemon(tdb.url());
    const auto port = daemon->port();
    const long long insights_before = count_rows(tdb, "product_insight");
    const long long votes_before = count_rows(tdb, "annotation_vote");
    int requests = 0;
    for (const auto& route : documented_routes(port)) {
        for (const auto& param : route.params) {
            for (const auto& bad : hostile_values) {
                const std::string what = route.method + " " + route.path + " " + param.name + "=" + bad.substr(0, 40);
                if (param.in == "path") {
                    check_answer(what, http_request(port, route.method, fill_path(route.path, param.name, bad)),
                                 requests);
                    continue;
                }
                const std::string target = fill_path(route.path, "", "");
                const std::string pair = param.name + "=" + bad;
                if (param.in == "formData") {
                    check_answer(what, http_post_form(port, target, pair), requests);
                } else {
                    check_answer(what, http_request(port, route.method, target + "?" + pair), requests);
                }
            }
        }
    }
    // Invalid bytes in names and paths of routes that exist, and in the path of a route that does not.
    for (const char* target :
         {"/api/v1/insights?%FF=1", "/api/v1/questions/%FF%FE", "/api/v1/no%00such%FF", "/api/v1/insights/%ED%A0%80"}) {
        check_answer(target, http_get(port, target), requests);
    }
    const auto named = http_get(port, "/api/v1/questions?lang=fr%FF");
    CHECK(named.status == 400);
    CHECK(named.body.find("\\\"lang\\\" parameter") != std::string::npos);
    std::cout << "hostile_input: " << requests << " hostile requests, none answered 5xx\n";
    CHECK(requests > 1000);
    CHECK(count_rows(tdb, "product_insight") == insights_before);
    CHECK(count_rows(tdb, "annotation_vote") == votes_before);
    CHECK(daemon->running());
    daemon->signal(SIGTERM);
    CHECK(daemon->wait_exit() == 0);
}
