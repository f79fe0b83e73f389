// Every insight/prediction/annotation route over real HTTP: the real router, handlers, HTTP server and
// PostgreSQL, served in-process on port 0 (so the test does not depend on how the daemon is composed), plus
// the import-dataset and import-predictions commands of the real binary.
#include "robotoff/api/caller.hpp"
#include "robotoff/api/insights_routes.hpp"
#include "robotoff/core/file_io.hpp"
#include "robotoff/core/json.hpp"
#include "robotoff/core/metrics.hpp"
#include "robotoff/core/thread_pool.hpp"
#include "robotoff/http/server.hpp"
#include "robotoff/products/repository.hpp"
#include "support/test_support.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <set>
#include <thread>

using namespace robotoff;
using namespace robotoff::testing;

namespace {

struct served {
    temp_database tdb;
    core::config cfg;
    db::pool pool;
    api::insight_services services;
    http::router router;
    core::thread_pool handlers{"handler", 4, 256};
    core::metrics_registry metrics;
    http::server server;

    explicit served(const std::string& token = "")
        : cfg(core::config::from_values({{"database.url", tdb.url()},
                                         {"data.dir", ROBOTOFF_SHARED_DIR "/data"},
                                         {"import.token", token}})),
          pool(db::pool_settings{tdb.url(), 4}),
          services(cfg, pool, nullptr),
          server(http::server_settings{"127.0.0.1", 0}, router, handlers, metrics) {
        api::add_insight_routes(router, services);
        server.start();
    }
    ~served() {
        server.stop(std::chrono::milliseconds(1000));
        services.stop();
    }
    std::uint16_t port() const { return server.port(); }
};

rapidjson::Document json(const http_reply& r) {
    INFO(r.body);
    return core::parse_json(r.body);
}

// Seeds products and insights through SQL (the import path has its own tests).
void seed(db::connection& conn) {
    for (const char* sql : {
             "INSERT INTO product (barcode, source, countries_tags) "
             "VALUES ('3017620425035', 'dump', '[\"en:france\"]')",
             "INSERT INTO product_insight (id, barcode, type, timestamp, value_tag, countries, brands, unique_scans_n, "
             "predictor, campaign, lc) VALUES "
             "('00000000-0000-4000-8000-000000000001', '3017620425035', 'label', '2024-01-01', 'en:organic', "
             "'[\"en:france\"]', '[\"lu\"]', 50, 'regex', '[\"c1\"]', NULL),"
             "('00000000-0000-4000-8000-000000000002', '3017620425035', 'category', '2024-01-02', 'en:cookies', "
             "'[\"en:france\"]', '[]', 50, 'matcher', '[\"missing-category\"]', NULL),"
             "('00000000-0000-4000-8000-000000000003', '00012345', 'label', '2024-01-03', 'en:vegan', "
             "'[\"en:germany\"]', '[]', 900, 'flashtext', '[]', NULL),"
             "('00000000-0000-4000-8000-000000000004', '3017620425035', 'ingredient_spellcheck', '2024-01-04', 'fr', "
             "'[]', '[]', 1, 'spellcheck', '[]', ARRAY['fr']::varchar[])",
             "INSERT INTO product_insight (id, barcode, type, timestamp, value_tag, annotation, username, server_type) "
             "VALUES ('00000000-0000-4000-8000-000000000005', '3017620425035', 'label', '2024-01-05', 'en:fair-trade', "
             "1, 'alice', 'off'),"
             "('00000000-0000-4000-8000-000000000006', '3017620425035', 'label', '2024-01-06', 'en:fair-trade', "
             "NULL, NULL, 'obf')",
             "INSERT INTO prediction (barcode, type, timestamp, value_tag, predictor) VALUES "
             "('3017620425035', 'label', '2024-01-01', 'en:organic', 'regex'),"
             "('3017620425035', 'brand', '2024-01-01', 'lu', 'curated-list'),"
             "('00012345', 'label', '2024-01-01', 'en:vegan', 'flashtext')",
             // Evenly spread random keys: every open insight has the same chance in the random walk.
             "UPDATE product_insight SET random_key = (right(id::text, 1)::int - 0.5) / 4.0"}) {
        conn.exec(sql);
    }
}

std::vector<std::string> ids(const rapidjson::Value& insights) {
    std::vector<std::string> out;
    for (const auto& x : insights.GetArray()) {
        out.push_back(x["id"].GetString());
    }
    return out;
}

std::string id(int n) { return "00000000-0000-4000-8000-00000000000" + std::to_string(n); }

}  // namespace

TEST_CASE("GET /api/v1/insights/{barcode} and /detail/{id}", "[integration]") {
    served s;
    auto conn = s.tdb.connect();
    seed(*conn);
    auto r = http_get(s.port(), "/api/v1/insights/3017620425035");
    CHECK(r.status == 200);
    CHECK(r.header("content-type") == "application/json; charset=utf-8");
    auto d = json(r);
    CHECK(d["status"] == "found");
    // Open insights only, ordered by type then timestamp desc.
    CHECK(ids(d["insights"]) == std::vector<std::string>{id(2), id(4), id(1)});
    CHECK(d["insights"][0]["barcode"] == "3017620425035");
    // Barcodes are normalized: 12345 and 0000000012345 are both 00012345.
    CHECK(ids(json(http_get(s.port(), "/api/v1/insights/12345"))["insights"]) == std::vector<std::string>{id(3)});
    CHECK(json(http_get(s.port(), "/api/v1/insights/0000000012345"))["status"] == "found");
    CHECK(json(http_get(s.port(), "/api/v1/insights/99999999"))["status"] == "no_insights");
    CHECK(json(http_get(s.port(), "/api/v1/insights/3017620425035?server_type=obf"))["insights"].Size() == 1);
    auto bad = http_get(s.port(), "/api/v1/insights/3017620425035?server_type=xx");
    CHECK(bad.status == 400);
    CHECK(json(bad)["description"] == "invalid server_type: xx");

    // Concurrent requests share batched queries (core::batcher): each still gets exactly its product's
    // insights, whatever the mix of barcodes and server types in a batch.
    const std::vector<std::pair<std::string, std::vector<std::string>>> expected = {
        {"/api/v1/insights/3017620425035", {id(2), id(4), id(1)}},
        {"/api/v1/insights/12345", {id(3)}},
        {"/api/v1/insights/3017620425035?server_type=obf", {id(6)}},
        {"/api/v1/insights/99999999", {}}};
    std::atomic<int> wrong = 0;
    {
        std::vector<std::jthread> clients;
        for (int c = 0; c < 8; ++c) {
            clients.emplace_back([&, c] {
                for (int n = 0; n < 40; ++n) {
                    const auto& [path, want] = expected[static_cast<std::size_t>(c + n) % expected.size()];
                    auto reply = http_get(s.port(), path);
                    auto doc = core::try_parse_json(reply.body);
                    const bool ok = reply.status == 200 && doc && doc->IsObject() &&
                                    (want.empty() ? (*doc)["status"] == "no_insights"
                                                  : ids((*doc)["insights"]) == want);
                    wrong += ok ? 0 : 1;
                }
            });
        }
    }
    CHECK(wrong == 0);
    CHECK(s.services.open_insights.stats().lookups >= 320);

    auto detail = http_get(s.port(), "/api/v1/insights/detail/" + id(5));
    CHECK(detail.status == 200);
    CHECK(json(detail)["annotation"].GetInt() == 1);
    CHECK(http_get(s.port(), "/api/v1/insights/detail/not-a-uuid").status == 404);
    CHECK(http_get(s.port(), "/api/v1/insights/detail/00000000-0000-4000-8000-0000000000ff").status == 404);
}

TEST_CASE("GET /api/v1/insights: filters, pagination, ordering, capped count, errors", "[integration]") {
    served s;
    auto conn = s.tdb.connect();
    seed(*conn);
    auto list = [&](const std::string& q) { return json(http_get(s.port(), "/api/v1/insights" + q)); };
    auto all = list("");
    CHECK(all["count"].GetInt() == 5);  // off only
    CHECK(ids(all["insights"]) == std::vector<std::string>{id(5), id(4), id(3), id(2), id(1)});
    CHECK(list("?insight_types=label")["count"].GetInt() == 3);
    CHECK(list("?insight_types=label,category&annotated=false")["count"].GetInt() == 3);
    CHECK(list("?annotated=true")["count"].GetInt() == 1);
    CHECK(list("?annotation=1")["count"].GetInt() == 1);
    CHECK(list("?barcode=12345")["count"].GetInt() == 1);
    CHECK(list("?value_tag=en:cookies")["count"].GetInt() == 1);
    CHECK(list("?brands=lu")["count"].GetInt() == 1);
    CHECK(list("?predictor=flashtext")["count"].GetInt() == 1);
    CHECK(list("?countries=fr")["count"].GetInt() == 2);
    CHECK(list("?countries=de,fr")["count"].GetInt() == 3);
    CHECK(list("?campaigns=missing-category")["count"].GetInt() == 1);
    CHECK(list("?lc=fr")["count"].GetInt() == 1);
    CHECK(list("?server_type=obf")["count"].GetInt() == 1);
    auto page2 = list("?count=2&page=2");
    CHECK(ids(page2["insights"]) == std::vector<std::string>{id(3), id(2)});
    CHECK(page2["count"].GetInt() == 5);
    CHECK(list("?count=2&page=9")["status"] == "no_insights");
    CHECK(list("?count=2&page=9")["insights"].Size() == 0);
    CHECK(ids(list("?order_by=popularity&annotated=false&count=1")["insights"]) == std::vector<std::string>{id(3)});
    CHECK(list("?order_by=random&count=50")["insights"].Size() == 5);
    CHECK(list("?count=5000")["insights"].Size() == 5);  // clamped, accepted

    auto err = [&](const std::string& q) { return http_get(s.port(), "/api/v1/insights" + q); };
    auto order = err("?order_by=oldest");
    CHECK(order.status == 400);
    CHECK(json(order)["description"] == "invalid order_by value: oldest");
    auto countries = err("?countries=zz");
    CHECK(countries.status == 400);
    CHECK(json(countries)["description"] == "invalid countries value: zz");
    CHECK(err("?count=0").status == 400);
    CHECK(json(err("?count=x"))["title"] == "Invalid parameter");
    CHECK(err("?page=0").status == 400);
    CHECK(err("?annotated=maybe").status == 400);
    CHECK(err("?annotation=3").status == 400);
    CHECK(err("?insight_types=label").status == 200);

    SECTION("insights the caller voted on are hidden") {
        conn->exec("INSERT INTO annotation_vote (insight_id, value, device_id) VALUES ($1::uuid, 1, 'dev1')", {id(1)});
        CHECK(list("?device_id=dev1")["count"].GetInt() == 4);
        CHECK(list("?device_id=dev2")["count"].GetInt() == 5);
        // Without device_id: SHA-1 of the client address. The peer is no trusted proxy, so X-Forwarded-For
        // is ignored: another value does not make another voter.
        std::string peer_id = api::sha1_hex("127.0.0.1");
        conn->exec("INSERT INTO annotation_vote (insight_id, value, device_id) VALUES ($1::uuid, 1, $2)",
                   {id(2), peer_id});
        auto r = http_get(s.port(), "/api/v1/insights", {{"X-Forwarded-For", "10.1.1.1"}});
        CHECK(json(r)["count"].GetInt() == 4);
        CHECK(json(http_get(s.port(), "/api/v1/insights", {{"X-Forwarded-For", "10.9.9.9"}}))["count"].GetInt() == 4);
        conn->exec("INSERT INTO annotation_vote (insight_id, value, device_id, username) "
                   "VALUES ($1::uuid, 1, 'x', 'bob')", {id(3)});
        auto basic = http_get(s.port(), "/api/v1/insights", {{"Authorization", "Basic Ym9iOnNlY3JldA=="}});
        CHECK(json(basic)["count"].GetInt() == 4);
        CHECK(http_get(s.port(), "/api/v1/insights", {{"Authorization", "Token abc"}}).status == 401);
    }
}

TEST_CASE("GET /api/v1/insights/random", "[integration]") {
    served s;
    auto conn = s.tdb.connect();
    seed(*conn);
    auto r = json(http_get(s.port(), "/api/v1/insights/random?type=label&count=10"));
    CHECK(r["status"] == "found");
    CHECK(r["count"].GetInt() == 2);  // open labels on off
    CHECK(r["insights"].Size() == 2);
    auto fr = json(http_get(s.port(), "/api/v1/insights/random?type=label&countries=fr"));
    CHECK(ids(fr["insights"]) == std::vector<std::string>{id(1)});
    CHECK(json(http_get(s.port(), "/api/v1/insights/random?value_tag=en:vegan"))["insights"].Size() == 1);
    CHECK(json(http_get(s.port(), "/api/v1/insights/random?predictor=matcher"))["insights"].Size() == 1);
    auto none = json(http_get(s.port(), "/api/v1/insights/random?type=brand"));
    CHECK(none["status"] == "no_insights");
    CHECK(none["count"].GetInt() == 0);
    // Every open insight is reachable from any random starting point (wrap-around).
    std::set<std::string> seen;
    for (int i = 0; i < 40; ++i) {
        auto one = json(http_get(s.port(), "/api/v1/insights/random?count=1"));
        REQUIRE(one["insights"].Size() == 1);
        seen.insert(one["insights"][0]["id"].GetString());
    }
    CHECK(seen.size() == 4);
    CHECK(http_get(s.port(), "/api/v1/insights/random?countries=xx").status == 400);
    CHECK(http_get(s.port(), "/api/v1/insights/random?count=-1").status == 400);
}

TEST_CASE("GET /api/v1/insights/dump (CSV)", "[integration]") {
    served s;
    auto conn = s.tdb.connect();
    seed(*conn);
    auto r = http_get(s.port(), "/api/v1/insights/dump?insight_types=label&annotated=false");
    CHECK(r.status == 200);
    CHECK(r.header("content-type") == "text/csv; charset=utf-8");
    CHECK(r.body.rfind("id,barcode,type,data,timestamp,completed_at,annotation,", 0) == 0);
    CHECK(std::count(r.body.begin(), r.body.end(), '\n') == 3);  // header + 2 rows
    CHECK(r.body.find("\"[\"\"en:france\"\"]\"") != std::string::npos);
    CHECK(http_get(s.port(), "/api/v1/insights/dump?value_tag=nothing").status == 204);
    CHECK(http_get(s.port(), "/api/v1/insights/dump?count=10001").status == 400);
    CHECK(std::count(http_get(s.port(), "/api/v1/insights/dump?count=1").body.begin(),
                     http_get(s.port(), "/api/v1/insights/dump?count=1").body.end(), '\n') >= 1);
    conn->exec("INSERT INTO product_insight (barcode, type, timestamp) "
               "SELECT 'b' || g, 'label', now() FROM generate_series(1, 10001) g");
    auto big = http_get(s.port(), "/api/v1/insights/dump");
    CHECK(big.status == 400);
    CHECK(json(big)["description"] ==
          "more than 10 000 insights match (here: 10006); narrow the criteria or pass count");
    auto capped = http_get(s.port(), "/api/v1/insights/dump?count=3");
    CHECK(std::count(capped.body.begin(), capped.body.end(), '\n') == 4);
}

TEST_CASE("GET /api/v1/predictions and /api/v1/users/statistics/{username}", "[integration]") {
    served s;
    auto conn = s.tdb.connect();
    seed(*conn);
    auto all = json(http_get(s.port(), "/api/v1/predictions"));
    CHECK(all["count"].GetInt() == 3);
    CHECK(all["predictions"][0]["type"] == "label");  // id descending
    CHECK(all["predictions"][0]["barcode"] == "00012345");
    CHECK(json(http_get(s.port(), "/api/v1/predictions?types=brand"))["count"].GetInt() == 1);
    CHECK(json(http_get(s.port(), "/api/v1/predictions?barcode=3017620425035"))["count"].GetInt() == 2);
    CHECK(json(http_get(s.port(), "/api/v1/predictions?value_tag=lu"))["count"].GetInt() == 1);
    auto page = json(http_get(s.port(), "/api/v1/predictions?count=1&page=3"));
    CHECK(page["predictions"].Size() == 1);
    CHECK(json(http_get(s.port(), "/api/v1/predictions?server_type=obf"))["status"] == "no_predictions");
    CHECK(http_get(s.port(), "/api/v1/predictions?page=-2").status == 400);
    CHECK(json(http_get(s.port(), "/api/v1/users/statistics/alice"))["count"]["annotations"].GetInt() == 1);
    CHECK(json(http_get(s.port(), "/api/v1/users/statistics/nobody"))["count"]["annotations"].GetInt() == 0);
}

TEST_CASE("POST /api/v1/insights/annotate: checks, votes, decisions", "[integration]") {
    served s;
    auto conn = s.tdb.connect();
    seed(*conn);
    auto post = [&](const std::string& form, std::vector<std::pair<std::string, std::string>> headers = {}) {
        return http_post_form(s.port(), "/api/v1/insights/annotate", form, headers);
    };
    auto err = [&](const std::string& form, const char* description) {
        auto r = post(form, {{"Authorization", "Basic YWxpY2U6cHc="}});
        CHECK(r.status == 400);
        CHECK(json(r)["description"] == description);
    };
    err("insight_id=" + id(2) + "&annotation=2", "data must be provided when annotation is 2");
    err("insight_id=" + id(2) + "&annotation=2&update=0&data=%7B%7D", "update must be true when annotation is 2");
    err("insight_id=" + id(2) + "&annotation=1&data=%7B%7D", "annotation must be 2 when data is provided");
    auto anon2 = post("insight_id=" + id(2) + "&annotation=2&data=%7B%22value_tag%22%3A%22en%3Ax%22%7D");
    CHECK(json(anon2)["description"] == "data cannot be provided when the user is not authenticated");
    CHECK(json(post("annotation=1"))["title"] == "Missing parameter");
    CHECK(post("insight_id=nope&annotation=1").status == 400);
    CHECK(post("insight_id=" + id(2) + "&annotation=5").status == 400);
    CHECK(post("insight_id=" + id(2) + "&annotation=1&data=%7Bx").status == 400);

    auto unknown = json(post("insight_id=00000000-0000-4000-8000-0000000000ff&annotation=1"));
    CHECK(unknown["status_code"].GetInt() == 6);
    CHECK(unknown["status"] == "error_unknown_insight");
    CHECK(json(post("insight_id=" + id(5) + "&annotation=1"))["status"] == "error_already_annotated");

    // Anonymous votes (device ids from the parameter), then the decision needs a Product Opener write.
    CHECK(json(post("insight_id=" + id(1) + "&annotation=1&device_id=a"))["status"] == "vote_saved");
    CHECK(json(post("insight_id=" + id(1) + "&annotation=1&device_id=b"))["status"] == "vote_saved");
    auto third = json(post("insight_id=" + id(1) + "&annotation=1&device_id=c"));
    CHECK(third["status_code"].GetInt() == 10);  // no Product Opener writer yet: nothing saved
    CHECK(conn->exec("SELECT annotation IS NULL, n_votes FROM product_insight WHERE id = $1::uuid", {id(1)})
              .get_bool(0, 0));

    // Authenticated "no": decided at once, no write needed; it leaves the cached popularity listing at once.
    auto open_by_popularity = [&] {
        auto listed = ids(json(http_get(s.port(), "/api/v1/insights?order_by=popularity&annotated=false"))["insights"]);
        return std::set<std::string>(listed.begin(), listed.end());
    };
    CHECK(open_by_popularity().contains(id(3)));
    auto no = json(post("insight_id=" + id(3) + "&annotation=0", {{"Authorization", "Basic YWxpY2U6cHc="}}));
    CHECK(no["status"] == "saved");
    CHECK_FALSE(open_by_popularity().contains(id(3)));
    CHECK(conn->exec("SELECT username FROM product_insight WHERE id = $1::uuid", {id(3)}).get_string(0, 0) == "alice");
    // update=false: the decision is stored, nothing is sent.
    auto session = json(post("insight_id=" + id(2) + "&annotation=1&update=false",
                             {{"Cookie", "session=user_id&carol&user_session&xyz"}}));
    CHECK(session["status_code"].GetInt() == 1);
    CHECK(conn->exec("SELECT username FROM product_insight WHERE id = $1::uuid", {id(2)}).get_string(0, 0) == "carol");
    // The literal user name "null" is anonymous: a vote.
    auto anonymous = json(post("insight_id=" + id(4) + "&annotation=1",
                               {{"Cookie", "session=user_id&null&user_session&xyz"}}));
    CHECK(anonymous["status"] == "vote_saved");
}

TEST_CASE("POST /api/v1/insights/import: multipart or JSONL, token, job rows of <= 500 lines", "[integration]") {
    served s("s3cret");
    auto conn = s.tdb.connect();
    std::string lines;
    for (int i = 0; i < 1201; ++i) {
        lines += R"({"type":"label","barcode":"3017620425035","value_tag":"en:organic","predictor":"regex"})";
        lines += "\n";
    }
    std::string body = "--XyZ\r\nContent-Disposition: form-data; name=\"type\"\r\n\r\nlabel\r\n"
                       "--XyZ\r\nContent-Disposition: form-data; name=\"server_type\"\r\n\r\nobf\r\n"
                       "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"p.jsonl\"\r\n"
                       "Content-Type: application/octet-stream\r\n\r\n" +
                       lines + "\r\n--XyZ--\r\n";
    std::vector<std::pair<std::string, std::string>> headers = {
        {"Content-Type", "multipart/form-data; boundary=XyZ"}, {"Authorization", "Bearer s3cret"}};
    auto r = http_request(s.port(), "POST", "/api/v1/insights/import", body, headers);
    CHECK(r.status == 200);
    CHECK(json(r)["status"] == "scheduled");
    auto jobs = conn->exec("SELECT jsonb_array_length(payload->'lines'), payload->>'type', payload->>'server_type' "
                           "FROM job WHERE kind = 'import_predictions_file' ORDER BY id");
    REQUIRE(jobs.rows() == 3);
    CHECK(jobs.get_int(0, 0) == 500);
    CHECK(jobs.get_int(2, 0) == 201);
    CHECK(jobs.get_string(0, 1) == "label");
    CHECK(jobs.get_string(0, 2) == "obf");

    auto gz = http_request(s.port(), "POST", "/api/v1/insights/import?type=label", core::gzip_compress(lines),
                           {{"Content-Type", "application/x-ndjson"}, {"Authorization", "Bearer s3cret"}});
    CHECK(gz.status == 200);
    CHECK(conn->exec("SELECT count(*) FROM job").get_int(0, 0) == 6);

    auto unauthorized = http_request(s.port(), "POST", "/api/v1/insights/import?type=label", lines,
                                     {{"Content-Type", "application/x-ndjson"}});
    CHECK(unauthorized.status == 401);
    auto wrong = http_request(s.port(), "POST", "/api/v1/insights/import?type=label", lines,
                              {{"Content-Type", "application/x-ndjson"}, {"Authorization", "Bearer nope"}});
    CHECK(wrong.status == 401);
    auto bad_type = http_request(s.port(), "POST", "/api/v1/insights/import?type=nutrient", lines,
                                 {{"Content-Type", "application/x-ndjson"}, {"Authorization", "Bearer s3cret"}});
    CHECK(bad_type.status == 400);
    CHECK(json(bad_type)["description"] == "unknown insight type: 'nutrient'");
    auto no_type = http_request(s.port(), "POST", "/api/v1/insights/import", lines,
                                {{"Content-Type", "application/x-ndjson"}, {"Authorization", "Bearer s3cret"}});
    CHECK(json(no_type)["title"] == "Missing parameter");
    auto no_file = http_request(s.port(), "POST", "/api/v1/insights/import",
                                "--XyZ\r\nContent-Disposition: form-data; name=\"type\"\r\n\r\nlabel\r\n--XyZ--\r\n",
                                headers);
    CHECK(no_file.status == 400);
    CHECK(json(no_file)["description"] == "The \"file\" parameter is required.");
    CHECK(conn->exec("SELECT count(*) FROM job").get_int(0, 0) == 6);
}

TEST_CASE("robotoffd import-dataset and import-predictions commands", "[integration]") {
    temp_database tdb;
    auto sample = shared_path("samples/products/openfoodfacts-products-min.jsonl.gz");
    auto r = run_robotoffd({"import-dataset", sample, "--database.url=" + tdb.url()});
    INFO(r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("imported 1000 products from 1000 lines") != std::string::npos);
    CHECK(std::count(r.out.begin(), r.out.end(), '\n') == 1);  // one summary line when not on a terminal

    auto cut_dir = make_temp_dir();
    std::string cut = cut_dir + "/cut.jsonl.gz";
    {
        std::string gz = core::gzip_compress(core::read_file(sample));
        std::ofstream(cut, std::ios::binary) << gz.substr(0, gz.size() / 3);
    }
    auto broken = run_robotoffd({"import-dataset", cut, "--database.url=" + tdb.url()});
    CHECK(broken.exit_code == 1);
    CHECK(broken.out.find("stopped early") != std::string::npos);
    CHECK(run_robotoffd({"import-dataset", "--database.url=" + tdb.url()}).exit_code == 2);

    std::string preds = cut_dir + "/preds.jsonl";
    std::ofstream(preds) << R"({"type":"store","value":"Lidl","value_tag":"lidl","data":{},"predictor":"regex",)"
                            R"("predictor_version":"1","automatic_processing":true,"barcode":"0000101209159"})"
                         << "\n{oops\n";
    auto imported = run_robotoffd({"import-predictions", preds, "--database.url=" + tdb.url(),
                                   "--data.dir=" + shared_path("data")});
    INFO(imported.err);
    CHECK(imported.exit_code == 0);
    CHECK(imported.out.find("malformed 1") != std::string::npos);
    CHECK(imported.out.find("insights inserted 1") != std::string::npos);
    auto conn = tdb.connect();
    CHECK(conn->exec("SELECT count(*) FROM product_insight WHERE barcode = '0000101209159' AND value_tag = 'lidl'")
              .get_int(0, 0) == 1);
}
