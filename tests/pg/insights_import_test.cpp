// Prediction import and insight generation against PostgreSQL: idempotence, reconciliation (annotated kept,
// unannotated updated in place), stale deletion, product checks, concurrent imports for one product.
#include "robotoff/core/json.hpp"
#include "robotoff/insights/file_import.hpp"
#include "robotoff/insights/generation.hpp"
#include "robotoff/products/repository.hpp"
#include "support/test_support.hpp"

#include <catch2/catch.hpp>

#include <thread>

using namespace robotoff;
using namespace robotoff::insights;
using robotoff::testing::temp_database;

namespace {

const std::string code = "3760094310634";

products::product sample_product() {
    auto doc = core::parse_json(R"({"code":"3760094310634","lang":"fr","countries_tags":["en:france"],
        "brands_tags":[],"unique_scans_n":17,"images":{
            "1":{"sizes":{"full":{"w":1000,"h":800}}},"2":{"sizes":{"full":{"w":1000,"h":800}}}}})");
    return products::normalize_product(doc, core::server_type::off);
}

insight_environment environment() {
    insight_environment env;
    env.settings.product_check = true;
    env.settings.automatic_processing_wait_min = 10;
    return env;  // no taxonomies: store/brand/packager rules do not need them
}

prediction store(const std::string& tag, const std::string& image = "/376/009/431/0634/1.jpg") {
    prediction p;
    p.type = "store";
    p.value = tag;
    p.value_tag = tag;
    p.predictor = "regex";
    p.predictor_version = "1";
    p.source_image = image;
    p.data = R"({"text":")" + tag + R"("})";
    return p;
}

long long scalar(db::connection& conn, const std::string& sql, const db::params& params = {}) {
    return conn.exec(sql, params).get_int(0, 0);
}

}  // namespace

TEST_CASE("importing the same predictions twice changes nothing", "[pg]") {
    temp_database tdb;
    auto conn = tdb.connect();
    auto product = sample_product();
    products::upsert_product(*conn, product, "api");
    auto env = environment();
    std::vector<prediction> preds = {store("lidl"), store("carrefour"), store("lidl")};
    auto first = import_product_predictions(*conn, env, core::server_type::off, code, preds, product);
    CHECK(first.predictions.inserted == 2);  // the duplicate tuple collapses
    CHECK(first.insights.inserted == 2);
    auto snapshot = [&] {
        return conn->exec("SELECT id::text, timestamp::text, data::text FROM product_insight ORDER BY id");
    };
    auto before = snapshot();
    auto predictions_before = conn->exec("SELECT id, data::text FROM prediction ORDER BY id");
    auto second = import_product_predictions(*conn, env, core::server_type::off, code, preds, product);
    CHECK(second.predictions.inserted == 0);
    CHECK(second.predictions.updated == 0);
    CHECK(second.predictions.deleted == 0);
    CHECK(second.importers_run.empty());
    CHECK(second.insights.inserted + second.insights.updated + second.insights.deleted == 0);
    auto after = snapshot();
    REQUIRE(after.rows() == before.rows());
    for (int i = 0; i < after.rows(); ++i) {
        CHECK(after.get_string(i, 0) == before.get_string(i, 0));
        CHECK(after.get_string(i, 1) == before.get_string(i, 1));
    }
    CHECK(scalar(*conn, "SELECT count(*) FROM prediction") == predictions_before.rows());
    // The stored rows carry the derived fields of data-model.md §5.
    auto row = conn->exec("SELECT countries::text, unique_scans_n, automatic_processing, process_after IS NOT NULL, "
                          "with_image, reserved_barcode FROM product_insight LIMIT 1");
    CHECK(row.get_string(0, 0) == R"(["en:france"])");
    CHECK(row.get_int(0, 1) == 17);
    CHECK(row.get_bool(0, 2));
    CHECK(row.get_bool(0, 3));
    CHECK(row.get_bool(0, 4));
    CHECK_FALSE(row.get_bool(0, 5));
}

TEST_CASE("reconciliation keeps annotated insights and updates open ones in place", "[pg]") {
    temp_database tdb;
    auto conn = tdb.connect();
    auto product = sample_product();
    products::upsert_product(*conn, product, "api");
    auto env = environment();
    auto p1 = store("lidl");
    p1.data = R"({"text":"LIDL"})";
    import_product_predictions(*conn, env, core::server_type::off, code, {p1, store("auchan"), store("carrefour")},
                               product);
    REQUIRE(scalar(*conn, "SELECT count(*) FROM product_insight") == 3);
    // Store insights are automatic; open them up so they count as "open" references, give one votes,
    // and decide another.
    conn->exec("UPDATE product_insight SET automatic_processing = false, process_after = NULL");
    conn->exec("UPDATE product_insight SET n_votes = 2 WHERE value_tag = 'lidl'");
    conn->exec("UPDATE product_insight SET annotation = 1, completed_at = now() WHERE value_tag = 'auchan'");
    auto lidl_id = conn->exec("SELECT id::text FROM product_insight WHERE value_tag = 'lidl'").get_string(0, 0);
    auto auchan_id = conn->exec("SELECT id::text FROM product_insight WHERE value_tag = 'auchan'").get_string(0, 0);

    // New predictions of the same image: lidl's data changed, carrefour and auchan are gone (a scoped replace
    // of that image, as an extraction run does).
    auto p2 = store("lidl");
    p2.data = R"({"text":"Lidl"})";
    prediction_scope scope;
    scope.types = {"store"};
    scope.match_source_image = true;
    scope.source_image = "/376/009/431/0634/1.jpg";
    auto r = replace_product_predictions(*conn, env, core::server_type::off, code, scope, {p2}, product);
    CHECK(r.predictions.updated == 1);
    CHECK(r.predictions.deleted == 2);
    auto lidl = conn->exec("SELECT id::text, n_votes, data->>'text', automatic_processing FROM product_insight "
                           "WHERE value_tag = 'lidl'");
    REQUIRE(lidl.rows() == 1);
    CHECK(lidl.get_string(0, 0) == lidl_id);  // same row
    CHECK(lidl.get_int(0, 1) == 2);           // votes kept
    CHECK(lidl.get_string(0, 2) == "Lidl");
    CHECK(lidl.get_bool(0, 3));               // regenerated as the rule says (store: automatic)
    CHECK(scalar(*conn, "SELECT count(*) FROM product_insight WHERE id = $1::uuid AND annotation = 1",
                 {auchan_id}) == 1);  // annotated: never deleted
    CHECK(scalar(*conn, "SELECT count(*) FROM product_insight WHERE value_tag = 'carrefour'") == 0);  // stale
}

TEST_CASE("product checks: unknown product or image drops predictions; a gone product clears open insights",
          "[pg]") {
    temp_database tdb;
    auto conn = tdb.connect();
    auto env = environment();
    auto product = sample_product();
    auto missing = import_product_predictions(*conn, env, core::server_type::off, code, {store("lidl")}, std::nullopt);
    CHECK(missing.dropped_invalid == 1);
    CHECK(scalar(*conn, "SELECT count(*) FROM prediction") == 0);

    auto bad_image = import_product_predictions(*conn, env, core::server_type::off, code,
                                                {store("lidl", "/376/009/431/0634/9.jpg"), store("aldi")}, product);
    CHECK(bad_image.dropped_invalid == 1);
    CHECK(scalar(*conn, "SELECT count(*) FROM product_insight") == 1);
    conn->exec("INSERT INTO product_insight (barcode, type, timestamp, annotation, value_tag) "
               "VALUES ($1, 'store', now(), 0, 'kept')", {code});
    auto refreshed = refresh_product(*conn, env, core::server_type::off, code, std::nullopt);
    CHECK(refreshed.deleted == 1);
    CHECK(scalar(*conn, "SELECT count(*) FROM product_insight") == 1);
    CHECK(scalar(*conn, "SELECT count(*) FROM product_insight WHERE value_tag = 'kept'") == 1);
}

TEST_CASE("concurrent imports for one product create no duplicates", "[pg]") {
    temp_database tdb;
    {
        auto conn = tdb.connect();
        products::upsert_product(*conn, sample_product(), "api");
    }
    auto env = environment();
    constexpr int threads = 6;
    std::vector<std::thread> workers;
    std::vector<std::string> errors(threads);
    for (int t = 0; t < threads; ++t) {
        workers.emplace_back([&, t] {
            try {
                auto conn = tdb.connect();
                auto product = products::find_product(*conn, core::server_type::off, code);
                for (int round = 0; round < 5; ++round) {
                    // Different image per thread: every import changes predictions and regenerates insights.
                    std::string image = (t % 2 == 0) ? "/376/009/431/0634/1.jpg" : "/376/009/431/0634/2.jpg";
                    import_product_predictions(*conn, env, core::server_type::off, code,
                                               {store("lidl", image), store("aldi", image)}, product);
                }
            } catch (const std::exception& e) {
                errors[static_cast<std::size_t>(t)] = e.what();
            }
        });
    }
    for (auto& w : workers) {
        w.join();
    }
    for (const auto& e : errors) {
        CHECK(e.empty());
    }
    auto conn = tdb.connect();
    CHECK(scalar(*conn, "SELECT count(*) FROM product_insight WHERE value_tag = 'lidl'") == 1);
    CHECK(scalar(*conn, "SELECT count(*) FROM product_insight WHERE value_tag = 'aldi'") == 1);
    CHECK(scalar(*conn, "SELECT count(*) FROM prediction") == 4);
}

TEST_CASE("prediction files: lines grouped per product, malformed lines counted", "[pg]") {
    temp_database tdb;
    auto conn = tdb.connect();
    products::upsert_product(*conn, sample_product(), "api");
    auto env = environment();
    std::vector<std::string> lines = {
        R"({"type":"store","value":"Lidl","value_tag":"lidl","data":{},"predictor":"regex","predictor_version":"1",)"
        R"("automatic_processing":true,"confidence":null,"barcode":"3760094310634",)"
        R"("source_image":"/376/009/431/0634/1.jpg"})",
        "{broken",
        R"({"type":"store","value":"Aldi","value_tag":"aldi","barcode":"0000000000017"})",
    };
    auto s = import_prediction_lines(*conn, env, lines, std::nullopt, core::server_type::off);
    CHECK(s.lines == 3);
    CHECK(s.malformed == 1);
    CHECK(s.malformed_lines == std::vector<std::uint64_t>{2});
    CHECK(s.products == 2);
    CHECK(s.products_not_found == 1);
    CHECK(s.insights.inserted == 1);
    CHECK(scalar(*conn, "SELECT count(*) FROM product_insight WHERE barcode = $1", {code}) == 1);
}

TEST_CASE("string lists read back from jsonb: quotes, backslashes, commas, accents, non-strings", "[pg]") {
    temp_database tdb;
    auto conn = tdb.connect();
    const std::string id = "00000000-0000-4000-8000-000000000042";
    conn->exec(
        "INSERT INTO product_insight (id, barcode, type, timestamp, countries, brands, campaign, lc) VALUES "
        "($1::uuid, $2, 'label', now(), $3::jsonb, $4::jsonb, $5::jsonb, ARRAY['fr', 'de, \"x\"']::varchar[])",
        {id, code, R"(["en:france", "en:côte-d'ivoire", "a, \"b\""])", R"(["back\\slash", "tab\there", ""])",
         R"(["kept", 1, null, "also kept", {"k": "v"}])"});
    auto x = load_insight(*conn, id);
    REQUIRE(x);
    CHECK(x->countries == std::vector<std::string>{"en:france", "en:côte-d'ivoire", "a, \"b\""});
    CHECK(x->brands == std::vector<std::string>{"back\\slash", "tab\there", ""});
    CHECK(x->campaign == std::vector<std::string>{"kept", "also kept"});
    REQUIRE(x->lc);
    CHECK(*x->lc == std::vector<std::string>{"fr", "de, \"x\""});

    conn->exec("UPDATE product_insight SET countries = '[]', brands = '[\"solo\"]', campaign = '[1]' WHERE id = $1::uuid",
               {id});
    x = load_insight(*conn, id);
    REQUIRE(x);
    CHECK(x->countries.empty());
    CHECK(x->brands == std::vector<std::string>{"solo"});
    CHECK(x->campaign.empty());
}
