// End to end inside one process: webhook routes -> durable jobs -> workers -> Product Opener (the fake one,
// over HTTP) -> extraction -> predictions and insights in PostgreSQL; automatic processing writes back to
// the fake Product Opener; Product Opener failures are retried until it recovers.

#include "fake_po/fake_po.hpp"
#include "robotoff/api/webhook_routes.hpp"
#include "robotoff/core/config.hpp"
#include "robotoff/core/errors.hpp"
#include "robotoff/core/file_io.hpp"
#include "robotoff/db/pool.hpp"
#include "robotoff/jobs/queue.hpp"
#include "robotoff/jobs/service.hpp"
#include "robotoff/spellcheck/spellchecker.hpp"
#include "support/test_support.hpp"

#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>

using namespace robotoff;
using namespace std::chrono;

namespace {

struct stack {
    testing::temp_database db;
    testing::fake_po po;
    core::config cfg;
    db::pool pool;
    core::metrics_registry metrics;
    core::system_clock clock;
    jobs::service svc;
    http::router router;
    api::webhook_services hooks;

    explicit stack(std::map<std::string, std::string> extra = {})
        : cfg(core::config::from_values(settings(po, db, std::move(extra)))),
          pool(pool_settings(db)),
          svc(cfg, pool, metrics, clock, jobs::service_options{2, seconds(1)}),
          hooks{api::webhook_settings::from_config(cfg), pool, [this] { svc.jobs().wake(); }} {
        api::add_webhook_routes(router, hooks);
        svc.jobs().start();
    }
    ~stack() { svc.stop(); }

    static std::map<std::string, std::string> settings(const testing::fake_po& po, const testing::temp_database& db,
                                                       std::map<std::string, std::string> extra) {
        std::map<std::string, std::string> v = {
            {"database.url", db.url()},         {"off.world_url", po.url()},   {"off.images_url", po.url()},
            {"off.static_url", po.url()},       {"data.dir", testing::shared_path("data")},
            {"ocr.backend", "gcv"},             {"jobs.poll_interval_ms", "200"},
            {"jobs.updated_product_wait_s", "0"}, {"off.user", "roboto-app"}, {"off.password", "secret"},
            {"ocr.cache_dir", testing::make_temp_dir()},
            {"dataset.url", po.url() + "/data/openfoodfacts-products.jsonl.gz"},
            {"dataset.dir", testing::make_temp_dir()},
            {"fetch.allowed_networks", "127.0.0.0/8"}};  // the fake image server is on loopback
        for (auto& [k, val] : extra) {
            v[k] = val;
        }
        return v;
    }
    static db::pool_settings pool_settings(const testing::temp_database& db) {
        db::pool_settings s;
        s.url = db.url();
        s.size = 8;
        return s;
    }

    http::response call(const std::string& method, const std::string& path,
                        const std::vector<std::pair<std::string, std::string>>& params,
                        const std::vector<std::pair<std::string, std::string>>& headers = {}) {
        http::request req;
        req.method = method;
        req.path = path;
        req.peer_address = "127.0.0.1";
        req.request_id = "test";
        req.deadline = steady_clock::now() + seconds(10);
        req.headers = headers;
        for (const auto& [k, v] : params) {
            req.params.add(k, v);
        }
        auto m = router.match(method, path);
        REQUIRE(m.matched);
        try {
            return m.matched->fn(req);
        } catch (const core::client_error& e) {
            return http::response::error(e.status(), e.title(), e.description());
        }
    }

    long long scalar(const std::string& sql) {
        auto c = db.connect();
        return c->exec(sql).get_int(0, 0);
    }
    bool all_jobs_settled() {
        return scalar("SELECT count(*) FROM job WHERE state IN ('pending', 'running')") == 0;
    }
};

const char* nutrition_barcode = "4903015130266";

}  // namespace

TEST_CASE("image import through the route: OCR JSON -> predictions -> insights, idempotent", "[integration]") {
    stack s;
    auto r = s.call("POST", "/api/v1/images/import",
                    {{"barcode", nutrition_barcode},
                     {"image_url", s.po.url() + "/images/products/490/301/513/0266/2.jpg"},
                     {"ocr_url", s.po.url() + "/images/products/490/301/513/0266/2.json"}});
    CHECK(r.status == 200);
    CHECK(r.body == "{\"status\":\"scheduled\"}");
    // The job row was committed before the answer.
    CHECK(s.scalar("SELECT count(*) FROM job WHERE kind = 'import_image'") == 1);
    REQUIRE(testing::eventually([&] { return s.all_jobs_settled(); }, seconds(60)));
    CHECK(s.scalar("SELECT count(*) FROM job WHERE state = 'done'") == 1);
    CHECK(s.scalar("SELECT count(*) FROM image WHERE barcode = '4903015130266' AND image_id = '2' AND width > 0") == 1);
    long long predictions = s.scalar("SELECT count(*) FROM prediction WHERE barcode = '4903015130266'");
    CHECK(predictions > 0);
    auto c = s.db.connect();
    auto before = c->exec("SELECT string_agg(id::text || type || coalesce(value_tag, ''), ',' ORDER BY id) "
                          "FROM product_insight").get_optional(0, 0);

    // The same delivery again: same predictions, same insights (ids kept).
    s.call("POST", "/api/v1/images/import",
           {{"barcode", nutrition_barcode},
            {"image_url", s.po.url() + "/images/products/490/301/513/0266/2.jpg"},
            {"ocr_url", s.po.url() + "/images/products/490/301/513/0266/2.json"}});
    REQUIRE(testing::eventually([&] { return s.all_jobs_settled(); }, seconds(60)));
    CHECK(s.scalar("SELECT count(*) FROM job WHERE state = 'done'") == 2);
    CHECK(s.scalar("SELECT count(*) FROM prediction WHERE barcode = '4903015130266'") == predictions);
    auto after = c->exec("SELECT string_agg(id::text || type || coalesce(value_tag, ''), ',' ORDER BY id) "
                         "FROM product_insight").get_optional(0, 0);
    CHECK(before == after);
    CHECK(s.metrics.value("robotoffd_ocr_results_total", {{"engine", "gcv"}, {"result", "ok"}}) == 2);
}

TEST_CASE("webhook events: uploads, deletions, robot edits, guards", "[integration]") {
    stack s(std::map<std::string, std::string>{{"webhooks.token", "s3cret"}});
    auto unauth = s.call("POST", "/api/v1/webhook/product", {{"barcode", nutrition_barcode}, {"action", "updated"}});
    CHECK(unauth.status == 401);
    // The token travels in the Authorization header only: as a parameter it would land in proxy logs.
    auto in_query = s.call("POST", "/api/v1/webhook/product",
                           {{"barcode", nutrition_barcode}, {"action", "updated"}, {"token", "s3cret"}});
    CHECK(in_query.status == 401);
    auto wrong = s.call("POST", "/api/v1/webhook/product", {{"barcode", nutrition_barcode}, {"action", "updated"}},
                        {{"authorization", "Bearer s3creT"}});
    CHECK(wrong.status == 401);
    // POST /products/dataset is a Product Opener hook too.
    CHECK(s.call("POST", "/api/v1/products/dataset", {}).status == 401);
    auto bad_action = s.call("POST", "/api/v1/webhook/product",
                             {{"barcode", "1"}, {"action", "moved"}}, {{"authorization", "Bearer s3cret"}});
    CHECK(bad_action.status == 400);
    CHECK(bad_action.body.find("invalid_action") != std::string::npos);
    auto bad_domain = s.call("POST", "/api/v1/webhook/product",
                             {{"barcode", "1"}, {"action", "updated"}, {"server_domain", "api.example.com"}},
                             {{"authorization", "Bearer s3cret"}});
    CHECK(bad_domain.status == 400);
    CHECK(bad_domain.body.find("invalid server_domain: api.example.com") != std::string::npos);
    CHECK(s.scalar("SELECT count(*) FROM job") == 0);

    // robotoffd's own edit: acknowledged, nothing queued.
    auto own = s.call("POST", "/api/v1/webhook/product",
                      {{"barcode", nutrition_barcode}, {"action", "updated"},
                       {"comment", "[robotoff] Adding label tag 'en:organic', ID: x (automated edit)"}},
                      {{"authorization", "Bearer s3cret"}});
    CHECK(own.status == 200);
    CHECK(s.scalar("SELECT count(*) FROM job") == 0);

    // An upload: one import_image (image and OCR URLs built from the barcode and id) + nothing else.
    auto up = s.call("POST", "/api/v1/webhook/product",
                     {{"barcode", nutrition_barcode}, {"action", "updated"},
                      {"server_domain", "api.openfoodfacts.org"},
                      {"diffs", R"({"uploaded_images":{"add":["2"]}})"}},
                     {{"authorization", "Bearer s3cret"}});
    CHECK(up.status == 200);
    CHECK(s.scalar("SELECT count(*) FROM job WHERE kind = 'import_image' AND payload->>'ocr_url' LIKE "
                   "'%/images/products/490/301/513/0266/2.json'") == 1);
    CHECK(s.scalar("SELECT count(*) FROM job WHERE kind = 'product_updated'") == 0);
    REQUIRE(testing::eventually([&] { return s.all_jobs_settled(); }, seconds(60)));
    long long predictions = s.scalar("SELECT count(*) FROM prediction WHERE source_image = '/490/301/513/0266/2.jpg'");
    CHECK(predictions > 0);

    // Image deletion removes its predictions and open insights.
    s.call("POST", "/api/v1/webhook/product",
           {{"barcode", nutrition_barcode}, {"action", "updated"},
            {"diffs", R"({"uploaded_images":{"delete":["2"]}})"}},
           {{"authorization", "Bearer s3cret"}});
    REQUIRE(testing::eventually([&] { return s.all_jobs_settled(); }, seconds(60)));
    CHECK(s.scalar("SELECT count(*) FROM prediction WHERE source_image = '/490/301/513/0266/2.jpg'") == 0);
    CHECK(s.scalar("SELECT count(*) FROM image WHERE image_id = '2' AND deleted") == 1);

    // Product deletion: product_deleted job.
    s.call("POST", "/api/v1/webhook/product",
           {{"barcode", nutrition_barcode}, {"action", "deleted"}}, {{"authorization", "Bearer s3cret"}});
    REQUIRE(testing::eventually([&] { return s.all_jobs_settled(); }, seconds(60)));
    CHECK(s.scalar("SELECT count(*) FROM job WHERE kind = 'product_deleted' AND state = 'done'") == 1);
}

TEST_CASE("Product Opener failing for a while: jobs retry with back-off and all succeed", "[integration]") {
    stack s;
    // The next 3 product reads answer 500.
    s.po.fail(500, 3, 0, "/api/v2/product/");
    s.call("POST", "/api/v1/images/import",
           {{"barcode", nutrition_barcode},
            {"image_url", s.po.url() + "/images/products/490/301/513/0266/2.jpg"},
            {"ocr_url", s.po.url() + "/images/products/490/301/513/0266/2.json"}});
    REQUIRE(testing::eventually([&] { return s.all_jobs_settled(); }, seconds(60)));
    auto c = s.db.connect();
    auto row = c->exec("SELECT state, attempts, last_error FROM job WHERE kind = 'import_image'");
    REQUIRE(row.rows() == 1);
    CHECK(row.get_string(0, 0) == "done");
    CHECK(row.get_int(0, 1) == 4);
    CHECK(row.get_string(0, 2).find("HTTP 500") != std::string::npos);
    CHECK(s.metrics.value("robotoffd_jobs_total", {{"kind", "import_image"}, {"result", "retry"}}) == 3);
    CHECK(s.scalar("SELECT count(*) FROM prediction WHERE barcode = '4903015130266'") > 0);
}

TEST_CASE("image import flags: without import_insights_from_image the image is only registered", "[integration]") {
    stack s;
    const std::string base = s.po.url() + "/images/products/490/301/513/0266/2";
    auto import = [&](const jobs::image_flags& flags) {
        s.svc.jobs().enqueue({"import_image", jobs::import_image_payload(core::server_type::off, nutrition_barcode,
                                                                         "2", base + ".jpg", base + ".json", flags),
                              seconds(0)});
        REQUIRE(testing::eventually([&] { return s.all_jobs_settled(); }, seconds(60)));
    };
    import(jobs::upload_image_flags());
    CHECK(s.scalar("SELECT count(*) FROM image WHERE barcode = '4903015130266' AND image_id = '2'") == 1);
    CHECK(s.po.reads().find("/0266/2.json") == std::string::npos);  // no OCR fetched, no wait for it
    CHECK(s.scalar("SELECT count(*) FROM prediction WHERE barcode = '4903015130266'") == 0);
    import(jobs::ocr_image_flags());
    CHECK(s.scalar("SELECT count(*) FROM prediction WHERE barcode = '4903015130266'") > 0);
    CHECK(s.scalar("SELECT count(*) FROM job WHERE state <> 'done'") == 0);
}

TEST_CASE("product_type_switched: the old key's rows go, the product is imported on its new server",
          "[integration]") {
    stack s;
    s.call("POST", "/api/v1/images/import",
           {{"barcode", nutrition_barcode},
            {"image_url", s.po.url() + "/images/products/490/301/513/0266/2.jpg"},
            {"ocr_url", s.po.url() + "/images/products/490/301/513/0266/2.json"}});
    REQUIRE(testing::eventually([&] { return s.all_jobs_settled(); }, seconds(60)));
    auto rows = [&](const std::string& table, const std::string& server) {
        return s.scalar("SELECT count(*) FROM " + table + " WHERE server_type = '" + server +
                        "' AND barcode = '4903015130266'");
    };
    const long long predictions = rows("prediction", "off");
    REQUIRE(predictions > 0);
    REQUIRE(rows("image", "off") == 1);
    auto c = s.db.connect();
    // Two insights of the old key: the annotated one survives the switch (spec README §10).
    c->exec("INSERT INTO product_insight (id, annotation, value_tag, barcode, type, data, timestamp, "
            "automatic_processing, server_type, countries, brands, n_votes, reserved_barcode, unique_scans_n) "
            "SELECT v.id::uuid, v.annotation, v.tag, '4903015130266', 'label', '{}', now() AT TIME ZONE 'UTC', "
            "false, 'off', '[]', '[]', 0, false, 0 FROM (VALUES "
            "('6f1c2a9e-0c3d-4f7e-9a51-2b8d6e4c7a11', 1, 'en:organic'), "
            "('6f1c2a9e-0c3d-4f7e-9a51-2b8d6e4c7a12', NULL, 'en:vegan')) AS v(id, annotation, tag)");
    REQUIRE(rows("product_insight", "off") == 2);
    auto run_switch = [&](const std::string& barcode) {
        auto id = s.svc.jobs()
                      .enqueue({"product_type_switched",
                                jobs::product_payload(core::server_type::off, barcode,
                                                      jobs::dedup_key_for("product_type_switched", "off:" + barcode)),
                                seconds(0)})
                      .id;
        REQUIRE(testing::eventually([&] { return s.all_jobs_settled(); }, seconds(60)));
        return jobs::find(*c, id)->state;
    };

    // Still food, or gone from Product Opener: nothing changes.
    CHECK(run_switch(nutrition_barcode) == "done");
    CHECK(run_switch("0000000000017") == "done");
    CHECK(rows("prediction", "off") == predictions);
    CHECK(s.scalar("SELECT count(*) FROM job WHERE payload->>'server_type' = 'obf'") == 0);

    // Product Opener now files it as a cosmetic.
    auto doc = core::parse_json(core::read_file(s.po.fixtures() + "/products/4903015130266.json"));
    doc.AddMember("product_type", "beauty", doc.GetAllocator());
    s.po.put_product(nutrition_barcode, core::to_json(doc));
    CHECK(run_switch(nutrition_barcode) == "done");
    CHECK(s.po.reads().find("/api/v3.4/product/4903015130266?fields=product_type") != std::string::npos);
    CHECK(rows("prediction", "off") == 0);
    CHECK(rows("image", "off") == 0);
    CHECK(s.scalar("SELECT count(*) FROM product_insight WHERE server_type = 'off' AND annotation = 1") == 1);
    CHECK(rows("product_insight", "off") == 1);
    CHECK(s.scalar("SELECT count(*) FROM product WHERE server_type = 'off' AND barcode = '4903015130266' "
                   "AND deleted") == 1);
    // Re-imported on obf: every raw image with all flags, then product_updated with the category model forced.
    CHECK(s.scalar("SELECT count(*) FROM job WHERE kind = 'import_image' AND state = 'done' AND "
                   "payload->>'product_key' = 'obf:4903015130266' AND NOT payload ? 'flags' AND "
                   "payload->>'ocr_url' LIKE '%/images/products/490/301/513/0266/2.json'") == 1);
    CHECK(rows("image", "obf") == 1);
    CHECK(s.scalar("SELECT count(*) FROM job WHERE kind = 'product_updated' AND state = 'done' AND "
                   "payload->>'product_key' = 'obf:4903015130266' AND payload->'diffs' = '{}'::jsonb AND "
                   "(payload->>'force_category')::boolean") == 1);
    CHECK(s.scalar("SELECT count(*) FROM job WHERE state = 'failed'") == 0);
}

TEST_CASE("automatic processing writes to Product Opener with the robot account", "[integration]") {
    stack s;
    auto c = s.db.connect();
    // An automatic label insight whose process_after has passed (as the label importer would create it).
    c->exec("INSERT INTO product_insight (id, barcode, type, data, timestamp, value_tag, automatic_processing, "
            "process_after, server_type, countries, brands, n_votes, reserved_barcode, unique_scans_n) "
            "VALUES ('6f1c2a9e-0c3d-4f7e-9a51-2b8d6e4c7a10', '4903015130266', 'label', '{}', "
            "now() AT TIME ZONE 'UTC', 'en:organic', true, (now() AT TIME ZONE 'UTC') - interval '1 minute', "
            "'off', '[]', '[]', 0, false, 0)");
    auto id = s.svc.jobs().enqueue({"process_insights", R"({"dedup_key":"process_insights"})", seconds(0)}).id;
    REQUIRE(testing::eventually([&] { return s.all_jobs_settled(); }, seconds(30)));
    auto job = c->exec("SELECT state FROM job WHERE id = $1", {id});
    CHECK(job.get_string(0, 0) == "done");
    auto writes = core::parse_json(s.po.writes());
    REQUIRE(writes.IsArray());
    REQUIRE(writes.Size() == 1);
    const auto& w = writes[0];
    CHECK(std::string(w["path"].GetString()) == "/cgi/product_jqm2.pl");
    CHECK(std::string(w["form"]["add_labels"].GetString()) == "en:organic");
    CHECK(std::string(w["form"]["code"].GetString()) == "4903015130266");
    CHECK(std::string(w["form"]["user_id"].GetString()) == "roboto-app");
    CHECK(std::string(w["form"]["comment"].GetString()) ==
          "[robotoff] Adding label tag 'en:organic', ID: 6f1c2a9e-0c3d-4f7e-9a51-2b8d6e4c7a10 (automated edit)");
    CHECK(std::string(w["headers"]["user-agent"].GetString()).find("robotoffd/") != std::string::npos);
    auto ins = c->exec("SELECT annotation, annotated_result FROM product_insight");
    CHECK(ins.get_int(0, 0) == 1);
    CHECK(ins.get_int(0, 1) == 2);
}

TEST_CASE("a failed automatic write leaves the insight open and retries later", "[integration]") {
    stack s;
    auto c = s.db.connect();
    c->exec("INSERT INTO product_insight (id, barcode, type, data, timestamp, value_tag, automatic_processing, "
            "process_after, server_type, countries, brands, n_votes, reserved_barcode, unique_scans_n) "
            "VALUES ('7f1c2a9e-0c3d-4f7e-9a51-2b8d6e4c7a10', '4903015130266', 'label', '{}', "
            "now() AT TIME ZONE 'UTC', 'en:organic', true, (now() AT TIME ZONE 'UTC') - interval '1 minute', "
            "'off', '[]', '[]', 0, false, 0)");
    s.po.fail(503, 1, 0, "/cgi/");
    s.svc.jobs().enqueue({"process_insights", R"({"dedup_key":"process_insights"})", seconds(0)});
    REQUIRE(testing::eventually([&] { return s.all_jobs_settled(); }, seconds(30)));
    auto ins = c->exec("SELECT annotation IS NULL, process_after > (now() AT TIME ZONE 'UTC') + interval '50 minutes' "
                       "FROM product_insight");
    CHECK(ins.get_bool(0, 0));
    CHECK(ins.get_bool(0, 1));
}

TEST_CASE("download_dataset: streamed download, integrity, import, minified copy, ETag", "[integration]") {
    const std::string dir = testing::make_temp_dir();
    stack s(std::map<std::string, std::string>{{"dataset.dir", dir}, {"dataset.min_product_count", "900"}});
    auto first = s.svc.jobs().enqueue({"download_dataset", R"({"dedup_key":"download_dataset"})", seconds(0)}).id;
    REQUIRE(testing::eventually([&] { return s.all_jobs_settled(); }, seconds(120)));
    auto c = s.db.connect();
    CHECK(c->exec("SELECT state FROM job WHERE id = $1", {first}).get_string(0, 0) == "done");
    CHECK(s.scalar("SELECT count(*) FROM product WHERE source = 'dump'") == 1000);
    std::string etag = core::read_file(dir + "/products-etag.txt");
    CHECK(etag.size() == 41);  // sha1 hex + newline, quotes removed
    std::size_t min_lines = 0;
    core::line_reader reader(dir + "/products-min.jsonl.gz");
    std::string line;
    bool has_image_ids = false;
    while (reader.next(line)) {
        ++min_lines;
        has_image_ids = has_image_ids || line.find("\"image_ids\":[\"") != std::string::npos;
    }
    CHECK(min_lines == 1000);
    CHECK(has_image_ids);
    // The GET route reports the ETag.
    auto r = s.call("GET", "/api/v1/products/dataset", {});
    CHECK(r.body == "{\"etag\":\"" + etag.substr(0, 40) + "\"}");

    // Second run: the HEAD answers the same ETag, nothing is downloaded.
    s.po.reset();
    auto post = s.call("POST", "/api/v1/products/dataset", {});
    CHECK(post.body == "{\"status\":\"scheduled\"}");
    REQUIRE(testing::eventually([&] { return s.all_jobs_settled(); }, seconds(60)));
    auto reads = core::parse_json(s.po.reads());
    REQUIRE(reads.Size() == 1);
    CHECK(std::string(reads[0]["method"].GetString()) == "HEAD");

    // category_matcher_batch streams the minified dump: products without categories get matcher predictions.
    s.svc.jobs().enqueue({"category_matcher_batch",
                          R"({"dedup_key":"category_matcher_batch","since":"1970-01-01T00:00:00.000000"})",
                          seconds(0)});
    REQUIRE(testing::eventually([&] { return s.all_jobs_settled(); }, seconds(120)));
    CHECK(s.scalar("SELECT count(*) FROM job WHERE kind = 'category_matcher_batch' AND state = 'done'") == 1);
    CHECK(s.scalar("SELECT count(*) FROM prediction WHERE type = 'category' AND predictor = 'matcher'") > 0);
    CHECK(s.scalar("SELECT count(*) FROM prediction p JOIN product d ON d.barcode = p.barcode "
                   "WHERE p.predictor = 'matcher' AND jsonb_array_length(d.categories_tags) > 0") == 0);

    // The dump download enqueued build_spellcheck_corpus: the spellchecker is in memory now.
    CHECK(s.scalar("SELECT count(*) FROM job WHERE kind = 'build_spellcheck_corpus' AND state = 'done'") == 1);
    REQUIRE(s.svc.spellchecker().get() != nullptr);
    CHECK(s.svc.spellchecker().get()->supports("fr"));
    s.svc.jobs().enqueue({"spellcheck_batch", R"({"dedup_key":"spellcheck_batch","since":"1970-01-01T00:00:00.000000"})",
                          seconds(0)});
    REQUIRE(testing::eventually([&] { return s.all_jobs_settled(); }, seconds(120)));
    CHECK(s.scalar("SELECT count(*) FROM job WHERE kind = 'spellcheck_batch' AND state = 'done'") == 1);

    // refresh_all: yesterday's predictions of a product absent from today's dump go, the others stay.
    c->exec("INSERT INTO prediction (barcode, type, timestamp, value, server_type) VALUES "
            "('0000000000031', 'product_weight', (now() AT TIME ZONE 'UTC') - interval '2 days', '1 kg', 'off'), "
            "((SELECT barcode FROM product ORDER BY barcode LIMIT 1), 'product_weight', "
            "(now() AT TIME ZONE 'UTC') - interval '2 days', '2 kg', 'off')");
    s.svc.jobs().enqueue({"refresh_all", R"({"dedup_key":"refresh_all"})", seconds(0)});
    REQUIRE(testing::eventually([&] { return s.all_jobs_settled(); }, seconds(120)));
    CHECK(s.scalar("SELECT count(*) FROM job WHERE kind = 'refresh_all' AND state = 'done'") == 1);
    CHECK(s.scalar("SELECT count(*) FROM prediction WHERE value = '1 kg'") == 0);
    CHECK(s.scalar("SELECT count(*) FROM prediction WHERE value = '2 kg'") == 1);

    // A dump smaller than dataset.min_product_count fails the integrity check and is discarded.
    std::remove((dir + "/products-etag.txt").c_str());
    stack strict(std::map<std::string, std::string>{{"dataset.dir", testing::make_temp_dir()},
                                                    {"dataset.min_product_count", "5000"},
                                                    {"jobs.max_attempts", "1"}});
    strict.svc.jobs().enqueue({"download_dataset", R"({"dedup_key":"download_dataset"})", seconds(0)});
    REQUIRE(testing::eventually([&] { return strict.all_jobs_settled(); }, seconds(60)));
    CHECK(strict.scalar("SELECT count(*) FROM job WHERE state = 'failed' AND last_error LIKE '%integrity%'") == 1);
    CHECK(strict.scalar("SELECT count(*) FROM product") == 0);
}

TEST_CASE("download_taxonomies: conditional GET, install, cache, ETag", "[integration]") {
    namespace fs = std::filesystem;
    // A writable data.dir (the cache goes to data.dir/taxonomies/cache) made of links to ../shared/data.
    const fs::path data = testing::make_temp_dir();
    const fs::path shared = testing::shared_path("data");
    for (const auto& entry : fs::directory_iterator(shared)) {
        if (entry.path().filename() != "taxonomies") {
            fs::create_symlink(entry.path(), data / entry.path().filename());
        }
    }
    fs::create_directories(data / "taxonomies");
    for (const auto& entry : fs::directory_iterator(shared / "taxonomies")) {
        if (entry.is_regular_file()) {
            fs::create_symlink(entry.path(), data / "taxonomies" / entry.path().filename());
        }
    }
    stack s(std::map<std::string, std::string>{{"data.dir", data.string()}});
    // The fake Product Opener serves the labels taxonomy (gzip-encoded) under /data/taxonomies/.
    fs::create_directories(fs::path(s.po.fixtures()) / "static/data/taxonomies");
    fs::copy_file(shared / "taxonomies/labels.full.json.gz",
                  fs::path(s.po.fixtures()) / "static/data/taxonomies/labels.full.json.gz");
    s.svc.jobs().enqueue({"download_taxonomies", R"({"dedup_key":"download_taxonomies_test"})", seconds(0)});
    REQUIRE(testing::eventually([&] { return s.all_jobs_settled(); }, seconds(60)));
    CHECK(s.scalar("SELECT count(*) FROM job WHERE kind = 'download_taxonomies' AND state = 'done'") == 1);
    CHECK(fs::exists(data / "taxonomies/cache/labels.full.json"));
    CHECK(fs::exists(data / "taxonomies/cache/labels.etag"));
    // Second run: If-None-Match with the cached ETag -> 304, nothing installed.
    s.po.reset();
    s.svc.jobs().enqueue({"download_taxonomies", R"({"dedup_key":"download_taxonomies_test2"})", seconds(0)});
    REQUIRE(testing::eventually([&] { return s.all_jobs_settled(); }, seconds(60)));
    auto reads = core::parse_json(s.po.reads());
    bool not_modified = false;
    for (const auto& r : reads.GetArray()) {
        if (std::string(r["path"].GetString()).find("labels.full.json") != std::string::npos) {
            not_modified = r["status"].IsInt() && r["status"].GetInt() == 304;
        }
    }
    CHECK(not_modified);
}
