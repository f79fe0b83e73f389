// The composed daemon: every route of the spec's route list is served (and documented in OpenAPI), plus the
// image listing, language shares and category predictor routes over real HTTP.
#include "robotoff/core/json.hpp"
#include "support/test_support.hpp"

#include <catch2/catch.hpp>

#include <csignal>

using namespace robotoff::testing;

TEST_CASE("every route of api.md §3 is routed and in the OpenAPI document", "[integration][app]") {
    temp_database tdb;
    auto daemon = start_daemon(tdb.url());
    const auto port = daemon->port();
    const auto doc = robotoff::core::parse_json(http_get(port, "/api/v1/openapi.json").body);
    const std::vector<std::pair<std::string, std::string>> spec_routes = {
        {"get", "/api/v1/insights/{barcode}"},       {"get", "/api/v1/insights/detail/{insight_id}"},
        {"get", "/api/v1/insights"},                 {"get", "/api/v1/insights/random"},
        {"get", "/api/v1/insights/dump"},            {"post", "/api/v1/insights/annotate"},
        {"post", "/api/v1/insights/import"},         {"get", "/api/v1/questions/{barcode}"},
        {"get", "/api/v1/questions"},                {"get", "/api/v1/questions/random"},
        {"get", "/api/v1/questions/popular"},        {"get", "/api/v1/questions/unanswered"},
        {"get", "/api/v1/predictions"},              {"get", "/api/v1/predict/ocr_prediction"},
        {"get", "/api/v1/predict/lang/product"},     {"post", "/api/v1/predict/category"},
        {"post", "/api/v1/predict/ingredients/spellcheck"}, {"get", "/api/v1/products/dataset"},
        {"post", "/api/v1/products/dataset"},        {"post", "/api/v1/webhook/product"},
        {"post", "/api/v1/images/import"},           {"get", "/api/v1/images"},
        {"get", "/api/v1/images/crop"},              {"get", "/api/v1/users/statistics/{username}"},
        {"get", "/api/v1/status"},                   {"get", "/api/v1/health"},
        {"get", "/api/v1/openapi.json"},             {"get", "/metrics"},
        {"get", "/robots.txt"},
    };
    for (const auto& [method, path] : spec_routes) {
        INFO(method << " " << path);
        REQUIRE(doc["paths"].HasMember(path.c_str()));
        CHECK(doc["paths"][path.c_str()].HasMember(method.c_str()));
    }
    // And the router really serves them: no spec route answers 404 "No route".
    for (const auto& [method, path] : spec_routes) {
        std::string target = path;
        for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
                 {"{barcode}", "3017620425035"}, {"{insight_id}", "00000000-0000-0000-0000-000000000000"},
                 {"{username}", "alice"}}) {
            if (const auto at = target.find(from); at != std::string::npos) {
                target.replace(at, from.size(), to);
            }
        }
        const auto r = http_request(port, method == "get" ? "GET" : "POST", target, "");
        INFO(method << " " << target << " -> " << r.status << " " << r.body);
        CHECK(r.body.find("No route for") == std::string::npos);
        CHECK(r.status != 405);
    }
    daemon->signal(SIGTERM);
    CHECK(daemon->wait_exit() == 0);
}

TEST_CASE("images listing and per-product language shares", "[integration][app]") {
    temp_database tdb;
    {
        auto conn = tdb.connect();
        conn->exec("INSERT INTO image (barcode, image_id, source_image, width, height, uploaded_at) VALUES "
                   "('3017620425035', '1', '/301/762/042/5035/1.jpg', 1000, 800, '2024-05-02 14:03:11.482913'), "
                   "('3017620425035', '2', '/301/762/042/5035/2.jpg', 1000, 800, NULL), "
                   "('5410088002341', '6', '/541/008/800/2341/6.jpg', 600, 900, NULL)");
        conn->exec("INSERT INTO prediction (barcode, type, data, timestamp, source_image) VALUES "
                   "('3017620425035', 'image_lang', $1, now(), '/301/762/042/5035/1.jpg'), "
                   "('3017620425035', 'image_lang', $2, now(), '/301/762/042/5035/2.jpg')",
                   {R"({"count":{"fr":30,"en":10,"null":2,"words":40},"percent":{}})",
                    R"({"count":{"fr":5,"de":10,"words":15},"percent":{}})"});
    }
    auto daemon = start_daemon(tdb.url());
    const auto port = daemon->port();

    auto r = http_get(port, "/api/v1/images");
    REQUIRE(r.status == 200);
    auto doc = robotoff::core::parse_json(r.body);
    CHECK(doc["count"].GetInt() == 1);  // only the image without predictions
    CHECK(std::string(doc["images"][0]["source_image"].GetString()) == "/541/008/800/2341/6.jpg");

    r = http_get(port, "/api/v1/images?with_predictions=true&barcode=3017620425035&count=1");
    doc = robotoff::core::parse_json(r.body);
    CHECK(doc["count"].GetInt() == 2);
    REQUIRE(doc["images"].Size() == 1);
    CHECK(std::string(doc["images"][0]["image_id"].GetString()) == "2");  // id descending
    CHECK(std::string(doc["status"].GetString()) == "found");

    r = http_get(port, "/api/v1/images?count=0");
    CHECK(r.status == 400);

    r = http_get(port, "/api/v1/predict/lang/product?barcode=3017620425035");
    REQUIRE(r.status == 200);
    doc = robotoff::core::parse_json(r.body);
    REQUIRE(doc["counts"].Size() == 4);
    CHECK(std::string(doc["counts"][0]["lang"].GetString()) == "fr");
    CHECK(doc["counts"][0]["count"].GetInt() == 35);
    CHECK(std::string(doc["counts"][1]["lang"].GetString()) == "de");
    CHECK(std::string(doc["counts"][2]["lang"].GetString()) == "en");  // ties broken by language code
    CHECK(doc["percent"][0]["percent"].GetDouble() == Approx(35.0 * 100 / 55));
    REQUIRE(doc["image_ids"].Size() == 2);
    CHECK(doc["image_ids"][0].GetInt() == 1);

    r = http_get(port, "/api/v1/predict/lang/product?barcode=123");
    CHECK(r.body == R"({"counts":[],"percent":[],"image_ids":[]})");
    r = http_get(port, "/api/v1/predict/lang/product");
    CHECK(r.status == 400);
    daemon->signal(SIGTERM);
    CHECK(daemon->wait_exit() == 0);
}

TEST_CASE("category predictor over HTTP with the real taxonomy", "[integration][app]") {
    temp_database tdb;
    auto daemon = start_daemon(tdb.url());
    const auto port = daemon->port();
    auto r = http_post_json(port, "/api/v1/predict/category",
                            R"({"product": {"product_name": "Yaourts nature"}, "lang": "fr"})");
    INFO(r.body);
    REQUIRE(r.status == 200);
    const auto doc = robotoff::core::parse_json(r.body);
    REQUIRE(doc["matcher"]["predictions"].Size() == 1);
    CHECK(std::string(doc["matcher"]["predictions"][0]["value_tag"].GetString()) == "en:plain-yogurts");
    r = http_post_json(port, "/api/v1/predict/category", "not json");
    CHECK(r.status == 400);

    // Spellcheck: parameter errors come first; before the corpus is built the route answers 503.
    r = http_post_form(port, "/api/v1/predict/ingredients/spellcheck", "lang=fr");
    CHECK(r.status == 400);
    CHECK(robotoff::core::parse_json(r.body)["title"].GetString() == std::string("Missing parameter"));
    r = http_post_form(port, "/api/v1/predict/ingredients/spellcheck", "text=" + std::string(20001, 'a'));
    CHECK(r.status == 413);
    r = http_post_form(port, "/api/v1/predict/ingredients/spellcheck", "text=farinne&lang=xx");
    CHECK(r.status == 400);
    r = http_post_form(port, "/api/v1/predict/ingredients/spellcheck", "text=farinne%20de%20bl%C3%A9");
    CHECK(r.status == 503);
    CHECK_FALSE(r.header("retry-after").empty());
    daemon->signal(SIGTERM);
    CHECK(daemon->wait_exit() == 0);
}

TEST_CASE("predict-categories runs the matcher over products without categories", "[integration][app]") {
    temp_database tdb;
    const auto url = "--database.url=" + tdb.url();
    const auto data = "--data.dir=" + shared_path("data");
    auto r = run_robotoffd({"--config=/dev/null", "import-dataset",
                            shared_path("samples/products/openfoodfacts-products-min.jsonl.gz"), url, data});
    REQUIRE(r.exit_code == 0);
    r = run_robotoffd({"--config=/dev/null", "predict-categories", url, data});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(r.out.find("predict-categories: ") != std::string::npos);
    auto conn = tdb.connect();
    auto q = conn->exec("SELECT count(*), count(*) FILTER (WHERE predictor = 'matcher' AND annotation IS NULL "
                        "AND automatic_processing = false) FROM product_insight WHERE type = 'category'");
    const long long created = q.get_int(0, 0);
    CHECK(created > 0);
    CHECK(q.get_int(0, 1) == created);
    // Products that already have categories get no matcher insight.
    q = conn->exec("SELECT count(*) FROM product_insight i JOIN product p ON p.barcode = i.barcode "
                   "WHERE i.type = 'category' AND p.categories_tags <> '[]'::jsonb");
    CHECK(q.get_int(0, 0) == 0);
    // A second run replaces the previous run's predictions: same insights, no duplicates.
    r = run_robotoffd({"--config=/dev/null", "predict-categories", url, data});
    REQUIRE(r.exit_code == 0);
    q = conn->exec("SELECT count(*), count(DISTINCT barcode) FROM product_insight WHERE type = 'category'");
    CHECK(q.get_int(0, 0) == created);
    CHECK(q.get_int(0, 1) == created);
    CHECK(run_robotoffd({"--config=/dev/null", "predict-categories", "--limit=0", url, data}).exit_code == 2);
}
