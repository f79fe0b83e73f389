// The question routes (api.md §6) and the annotation page routes over HTTP against the real daemon
// (build/robotoffd on port 0) and a throwaway database seeded through SQL.
#include "robotoff/core/json.hpp"
#include "support/test_support.hpp"

#include <catch2/catch.hpp>

#include <set>

using namespace robotoff;
using namespace robotoff::testing;

namespace {

rapidjson::Document json(const http_reply& r) {
    INFO(r.body);
    return core::parse_json(r.body);
}

// One seeded insight; columns not listed keep their defaults.
struct seed_insight {
    std::string id;
    std::string barcode;
    std::string type;
    std::string value_tag;
    std::string value;
    std::string source_image;
    int unique_scans_n = 0;
    int n_votes = 0;
    double random_key = 0.5;
    std::string countries = "[]";
    std::string brands = "[]";
    std::string campaign = "[]";
    std::string predictor = "regex";
    std::string confidence;  // empty = NULL
    bool automatic = false;
    bool reserved = false;
    bool with_image = true;
    std::string annotation;  // empty = open
    std::string server_type = "off";
    std::string data = "{}";
};

void insert(db::connection& conn, const seed_insight& s) {
    auto opt = [](const std::string& v) { return v.empty() ? db::param() : db::param(v); };
    conn.exec("INSERT INTO product_insight (id, barcode, type, data, timestamp, value_tag, value, source_image, "
              "unique_scans_n, n_votes, random_key, countries, brands, campaign, predictor, confidence, "
              "automatic_processing, reserved_barcode, with_image, annotation, server_type) VALUES ($1::uuid, $2, $3, "
              "$4::jsonb, now(), $5, $6, $7, $8::int, $9::int, $10::float8, $11::jsonb, $12::jsonb, $13::jsonb, $14, "
              "$15::float8, $16::bool, $17::bool, $18::bool, $19::int, $20)",
              {s.id, s.barcode, s.type, s.data, opt(s.value_tag), opt(s.value), opt(s.source_image), s.unique_scans_n,
               s.n_votes, s.random_key, s.countries, s.brands, s.campaign, s.predictor, opt(s.confidence), s.automatic,
               s.reserved, s.with_image, opt(s.annotation), s.server_type});
}

std::string uuid(int n) {
    char buffer[40];
    std::snprintf(buffer, sizeof buffer, "00000000-0000-4000-8000-%012d", n);
    return buffer;
}

// Product A (3017620425035, France, popular) has one insight of every kind; product B (3760020507350,
// Germany) a few; reserved barcode 2000000012345 one label.
void seed(db::connection& conn) {
    conn.exec("INSERT INTO product (barcode, product_name, lang, source, record) VALUES "
              "('3017620425035', 'Nutella', 'fr', 'dump', '{\"images\": {\"1\": {\"sizes\": {\"400\": {}}}, "
              "\"front_fr\": {\"imgid\": \"1\", \"rev\": \"12\", \"sizes\": {\"400\": {}}}}}'), "
              "('3760020507350', 'Yaourt', 'fr', 'dump', '{}')");
    const std::string a = "3017620425035";
    const std::string b = "3760020507350";
    const std::string fr = "[\"en:france\"]";
    const std::string de = "[\"en:germany\"]";
    std::vector<seed_insight> rows = {
        {uuid(1), a, "label", "en:organic", "", "/301/762/042/5035/1.jpg", 500, 0, 0.10, fr, "[\"ferrero\"]", "[]",
         "flashtext", "0.9"},
        {uuid(2), a, "category", "en:plain-yogurts", "", "", 500, 1, 0.20, fr, "[\"ferrero\"]",
         "[\"agribalyse-category\", \"missing-category\"]", "matcher", "0.5"},
        {uuid(3), a, "brand", "ferrero", "Ferrero", "/301/762/042/5035/1.jpg", 500, 2, 0.30, fr, "[\"ferrero\"]", "[]",
         "curated-list"},
        {uuid(4), a, "product_weight", "", "750 g", "/301/762/042/5035/1.jpg", 500, 3, 0.40, fr, "[]", "[]", "regex",
         "0.7"},
        {uuid(5), a, "packaging", "", "{}", "/301/762/042/5035/1.jpg", 500, 0, 0.50, fr, "[]", "[]", "grammar"},
        {uuid(6), b, "label", "en:no-gluten", "", "/376/002/050/7350/2.jpg", 20, 0, 0.60, de, "[\"danone\"]", "[]",
         "regex", "0.99"},
        {uuid(7), b, "category", "en:yogurts", "", "", 20, 0, 0.70, de, "[\"danone\"]", "[\"agribalyse-category\"]",
         "matcher"},
        {uuid(8), "2000000012345", "label", "en:organic", "", "", 1000, 0, 0.80, fr},
        {uuid(9), b, "image_orientation", "right", "", "/376/002/050/7350/2.jpg", 20, 0, 0.90, de},
    };
    rows[4].data = R"({"lang": "fr", "element": {"shape": {"value": "bocal", "value_tag": "en:jar"}}})";
    rows[7].reserved = true;
    rows[6].with_image = false;
    rows[8].data = R"({"image_key": "front_fr", "image_rev": "4"})";
    // Never questions: automatic, annotated, a type without a question, another server type.
    seed_insight automatic{uuid(20), a, "label", "en:vegan"};
    automatic.automatic = true;
    seed_insight annotated{uuid(21), a, "label", "en:fair-trade"};
    annotated.annotation = "1";
    seed_insight store{uuid(22), a, "store", "carrefour", "Carrefour"};
    seed_insight beauty{uuid(23), a, "label", "en:organic"};
    beauty.server_type = "obf";
    for (const auto& s : {automatic, annotated, store, beauty}) {
        rows.push_back(s);
    }
    for (const auto& r : rows) {
        insert(conn, r);
    }
}

std::vector<std::string> ids(const rapidjson::Document& doc) {
    std::vector<std::string> out;
    for (const auto& q : doc["questions"].GetArray()) {
        out.emplace_back(q["insight_id"].GetString());
    }
    return out;
}

std::string id_of(int n) { return uuid(n); }

struct fixture {
    temp_database tdb;
    std::unique_ptr<daemon_process> daemon;
    std::uint16_t port = 0;

    fixture() {
        auto conn = tdb.connect();
        seed(*conn);
        daemon = start_daemon(tdb.url());
        port = daemon->port();
    }
};

fixture& shared_fixture() {
    static fixture f;
    return f;
}

}  // namespace

TEST_CASE("questions/{barcode}: eligible insights only, type priority, lang, count, server_type", "[integration]") {
    auto& f = shared_fixture();
    auto r = http_get(f.port, "/api/v1/questions/3017620425035?lang=fr&device_id=d-product");
    REQUIRE(r.status == 200);
    CHECK(r.header("content-type") == "application/json; charset=utf-8");
    auto doc = json(r);
    CHECK(std::string(doc["status"].GetString()) == "found");
    // category, label, brand, then others (packaging / product_weight keep n_votes order: weight 3 > packaging 0)
    CHECK(ids(doc) == std::vector<std::string>{id_of(2), id_of(1), id_of(3), id_of(4), id_of(5)});
    const auto& category = doc["questions"][0];
    CHECK(std::string(category["question"].GetString()) == "Le produit appartient-il à cette catégorie ?");
    CHECK(std::string(category["value"].GetString()) == "Yaourts nature");
    CHECK(std::string(category["value_tag"].GetString()) == "en:plain-yogurts");
    CHECK(std::string(category["type"].GetString()) == "add-binary");
    CHECK(std::string(category["source_image_url"].GetString()) ==
          "https://images.openfoodfacts.org/images/products/301/762/042/5035/front_fr.12.400.jpg");
    const auto& label = doc["questions"][1];
    CHECK(std::string(label["value"].GetString()) == "Bio");
    CHECK(std::string(label["source_image_url"].GetString()) ==
          "https://images.openfoodfacts.org/images/products/301/762/042/5035/1.400.jpg");
    CHECK(std::string(doc["questions"][4]["value"].GetString()) == "Bocal");

    // count takes the most voted first, then sorts by type: weight (3 votes), brand (2), category (1).
    doc = json(http_get(f.port, "/api/v1/questions/3017620425035?count=3&device_id=d-product"));
    CHECK(ids(doc) == std::vector<std::string>{id_of(2), id_of(3), id_of(4)});
    // Unknown language -> English; region suffix stripped.
    doc = json(http_get(f.port, "/api/v1/questions/3017620425035?lang=ja&insight_types=label"));
    CHECK(std::string(doc["questions"][0]["question"].GetString()) == "Does the product have this label?");
    CHECK(std::string(doc["questions"][0]["value"].GetString()) == "Organic");
    doc = json(http_get(f.port, "/api/v1/questions/3017620425035?lang=de_AT&insight_types=label"));
    CHECK(std::string(doc["questions"][0]["question"].GetString()) == "Hat das Produkt dieses Label?");
    // Barcode normalization, optional types, server_type.
    doc = json(http_get(f.port, "/api/v1/questions/03760020507350?insight_types=image_orientation,store"));
    REQUIRE(ids(doc) == std::vector<std::string>{id_of(9)});
    CHECK(std::string(doc["questions"][0]["source_image_url"].GetString()) ==
          "https://images.openfoodfacts.org/images/products/376/002/050/7350/front_fr.4.400.jpg");
    doc = json(http_get(f.port, "/api/v1/questions/3017620425035?server_type=obf"));
    CHECK(ids(doc) == std::vector<std::string>{id_of(23)});
    CHECK(std::string(doc["questions"][0]["server_type"].GetString()) == "obf");
    doc = json(http_get(f.port, "/api/v1/questions/0000000000000"));
    CHECK(std::string(doc["status"].GetString()) == "no_questions");
    CHECK(doc["questions"].GetArray().Size() == 0);
    CHECK(http_get(f.port, "/api/v1/questions/3017620425035?server_type=xyz").status == 400);
    CHECK(http_get(f.port, "/api/v1/questions/3017620425035?count=0").status == 400);
}

TEST_CASE("questions: orders, filters, reserved barcodes, page, count", "[integration]") {
    auto& f = shared_fixture();
    // Popularity (default): reserved barcode 2000000012345 excluded by default.
    auto doc = json(http_get(f.port, "/api/v1/questions?device_id=d-list"));
    CHECK(doc["count"].GetInt() == 7);
    auto got = ids(doc);
    REQUIRE(got.size() == 7);
    CHECK(std::set<std::string>(got.begin(), got.begin() + 5) ==
          std::set<std::string>{id_of(1), id_of(2), id_of(3), id_of(4), id_of(5)});
    CHECK(std::set<std::string>(got.begin() + 5, got.end()) == std::set<std::string>{id_of(6), id_of(7)});
    doc = json(http_get(f.port, "/api/v1/questions/popular?reserved_barcode=true"));
    CHECK(ids(doc).front() == id_of(8));
    CHECK(doc["count"].GetInt() == 8);
    // Page/count.
    doc = json(http_get(f.port, "/api/v1/questions?count=5&page=2"));
    CHECK(ids(doc).size() == 2);
    CHECK(doc["count"].GetInt() == 7);
    doc = json(http_get(f.port, "/api/v1/questions?count=5&page=3"));
    CHECK(std::string(doc["status"].GetString()) == "no_questions");
    // Confidence: desc, nulls last.
    doc = json(http_get(f.port, "/api/v1/questions?order_by=confidence&count=4"));
    CHECK(ids(doc) == std::vector<std::string>{id_of(6), id_of(1), id_of(4), id_of(2)});
    // Filters.
    CHECK(ids(json(http_get(f.port, "/api/v1/questions?countries=de"))) ==
          std::vector<std::string>{id_of(6), id_of(7)});
    CHECK(json(http_get(f.port, "/api/v1/questions?countries=de,fr"))["count"].GetInt() == 7);
    CHECK(ids(json(http_get(f.port, "/api/v1/questions?brands=danone&insight_types=label"))) ==
          std::vector<std::string>{id_of(6)});
    // Quotes, backslashes and braces in list values are data, not syntax.
    CHECK(ids(json(http_get(f.port, "/api/v1/questions?brands=a%22b,c%5Cd,%7Be%7D,danone&insight_types=label"))) ==
          std::vector<std::string>{id_of(6)});
    CHECK(ids(json(http_get(f.port, "/api/v1/questions?campaigns=agribalyse-category,missing-category"))) ==
          std::vector<std::string>{id_of(2)});
    CHECK(json(http_get(f.port, "/api/v1/questions?campaign=agribalyse-category"))["count"].GetInt() == 2);
    CHECK(ids(json(http_get(f.port, "/api/v1/questions?value_tag=en:organic"))) == std::vector<std::string>{id_of(1)});
    CHECK(ids(json(http_get(f.port, "/api/v1/questions?with_image=false"))) == std::vector<std::string>{id_of(7)});
    CHECK(ids(json(http_get(f.port, "/api/v1/questions?predictor=curated-list"))) ==
          std::vector<std::string>{id_of(3)});
    CHECK(ids(json(http_get(f.port, "/api/v1/questions?insight_types=image_orientation"))) ==
          std::vector<std::string>{id_of(9)});
    doc = json(http_get(f.port, "/api/v1/questions?insight_types=store,bogus"));
    CHECK(doc["count"].GetInt() == 0);
    CHECK(std::string(doc["status"].GetString()) == "no_questions");
    // Errors.
    auto bad = http_get(f.port, "/api/v1/questions?order_by=newest");
    CHECK(bad.status == 400);
    CHECK(std::string(json(bad)["description"].GetString()) == "invalid 'newest' value for order_by parameter");
    bad = http_get(f.port, "/api/v1/questions?countries=fr,xx");
    CHECK(bad.status == 400);
    CHECK(std::string(json(bad)["description"].GetString()) == "invalid countries value: fr,xx");
    CHECK(http_get(f.port, "/api/v1/questions?with_image=maybe").status == 400);
}

TEST_CASE("questions/random: every candidate reachable, page ignored, voted ones excluded", "[integration]") {
    auto& f = shared_fixture();
    std::set<std::string> seen;
    for (int i = 0; i < 400 && seen.size() < 7; ++i) {  // voted ones come more often: allow many draws
        auto doc = json(http_get(f.port, "/api/v1/questions/random?count=2&page=3&device_id=d-random"));
        CHECK(doc["count"].GetInt() == 7);
        CHECK(doc["questions"].GetArray().Size() == 2);
        for (const auto& id : ids(doc)) {
            seen.insert(id);
        }
    }
    CHECK(seen == std::set<std::string>{id_of(1), id_of(2), id_of(3), id_of(4), id_of(5), id_of(6), id_of(7)});
    auto doc = json(http_get(f.port, "/api/v1/questions?order_by=random&count=100&countries=de"));
    const auto de_ids = ids(doc);
    CHECK(std::set<std::string>(de_ids.begin(), de_ids.end()) == std::set<std::string>{id_of(6), id_of(7)});
}

TEST_CASE("vote exclusion: by device id for anonymous callers, by user name when authenticated", "[integration]") {
    auto& f = shared_fixture();
    {
        auto conn = f.tdb.connect();
        conn->exec("INSERT INTO annotation_vote (insight_id, username, value, device_id) VALUES "
                   "($1::uuid, NULL, -1, 'dev-1'), ($2::uuid, 'alice', 1, 'dev-alice')",
                   {id_of(6), id_of(7)});
    }
    auto anon = json(http_get(f.port, "/api/v1/questions?countries=de&device_id=dev-1"));
    CHECK(ids(anon) == std::vector<std::string>{id_of(7)});
    CHECK(anon["count"].GetInt() == 1);
    CHECK(ids(json(http_get(f.port, "/api/v1/questions/3760020507350?device_id=dev-1"))) ==
          std::vector<std::string>{id_of(7)});
    // alice:secret as Basic credentials, and as an OFF session cookie.
    auto basic = json(http_get(f.port, "/api/v1/questions?countries=de&device_id=dev-1",
                               {{"Authorization", "Basic YWxpY2U6c2VjcmV0"}}));
    CHECK(ids(basic) == std::vector<std::string>{id_of(6)});
    auto cookie = json(http_get(f.port, "/api/v1/questions/random?countries=de",
                                {{"Cookie", "session=user_id&alice&user_session&abc"}}));
    CHECK(ids(cookie) == std::vector<std::string>{id_of(6)});
    // The literal user name "null" is anonymous.
    auto null_user = json(http_get(f.port, "/api/v1/questions?countries=de&device_id=dev-1",
                                   {{"Cookie", "session=user_id&null&user_session&abc"}}));
    CHECK(ids(null_user) == std::vector<std::string>{id_of(7)});
    // Unanswered counts ignore votes.
    CHECK(json(http_get(f.port, "/api/v1/questions/unanswered?countries=de&device_id=dev-1"))["count"].GetInt() == 3);
    auto conn = f.tdb.connect();
    conn->exec("DELETE FROM annotation_vote");
}

TEST_CASE("questions/unanswered: groups by value_tag, biggest first, filters, pages", "[integration]") {
    auto& f = shared_fixture();
    auto doc = json(http_get(f.port, "/api/v1/questions/unanswered?type=label"));
    CHECK(doc["count"].GetInt() == 2);  // en:organic (1, reserved excluded) and en:no-gluten
    REQUIRE(doc["questions"].GetArray().Size() == 2);
    CHECK(std::string(doc["questions"][0][0].GetString()) == "en:no-gluten");  // tie -> value_tag order
    CHECK(doc["questions"][0][1].GetInt() == 1);
    doc = json(http_get(f.port, "/api/v1/questions/unanswered?type=label&reserved_barcode=true"));
    CHECK(doc["count"].GetInt() == 3);
    CHECK(std::string(doc["questions"][0][0].GetString()) == "en:organic");
    CHECK(doc["questions"][0][1].GetInt() == 2);
    doc = json(http_get(f.port, "/api/v1/questions/unanswered?type=label&reserved_barcode=true&count=1&page=2"));
    REQUIRE(doc["questions"].GetArray().Size() == 1);
    CHECK(std::string(doc["questions"][0][0].GetString()) == "en:no-gluten");
    // Any type, store included (open, not automatic); campaign and predictor filters.
    CHECK(json(http_get(f.port, "/api/v1/questions/unanswered"))["count"].GetInt() == 9);
    CHECK(json(http_get(f.port, "/api/v1/questions/unanswered?type=store"))["count"].GetInt() == 1);
    CHECK(json(http_get(f.port, "/api/v1/questions/unanswered?campaigns=agribalyse-category"))["count"].GetInt() == 2);
    CHECK(json(http_get(f.port, "/api/v1/questions/unanswered?predictor=matcher&countries=de"))["count"].GetInt() == 1);
    doc = json(http_get(f.port, "/api/v1/questions/unanswered?type=nothing"));
    CHECK(std::string(doc["status"].GetString()) == "no_questions");
    CHECK(doc["count"].GetInt() == 0);
}

TEST_CASE("count is capped at 100", "[integration]") {
    auto& f = shared_fixture();
    auto conn = f.tdb.connect();
    conn->exec("INSERT INTO product_insight (barcode, type, timestamp, value_tag, countries) "
               "SELECT lpad(g::text, 13, '3'), 'label', now(), 'en:bulk', '[\"en:italy\"]' "
               "FROM generate_series(1, 130) g");
    auto doc = json(http_get(f.port, "/api/v1/questions?countries=it&count=500"));
    CHECK(doc["count"].GetInt() == 100);
    CHECK(doc["questions"].GetArray().Size() == 100);
    doc = json(http_get(f.port, "/api/v1/questions/random?countries=it&count=500"));
    CHECK(doc["questions"].GetArray().Size() == 100);
    CHECK(json(http_get(f.port, "/api/v1/questions/unanswered?countries=it"))["count"].GetInt() == 130);
    conn->exec("DELETE FROM product_insight WHERE value_tag = 'en:bulk'");
}

TEST_CASE("a decided insight leaves the (cached) question listings at once", "[integration]") {
    auto& f = shared_fixture();
    auto conn = f.tdb.connect();
    conn->exec("INSERT INTO product_insight (id, barcode, type, timestamp, value_tag, countries) "
               "VALUES ($1::uuid, '3017620425035', 'label', now(), 'en:decided', '[\"en:portugal\"]')",
               {id_of(90)});
    auto listed = [&] { return ids(json(http_get(f.port, "/api/v1/questions?countries=pt&device_id=d-decide"))); };
    CHECK(listed() == std::vector<std::string>{id_of(90)});
    auto r = http_post_form(f.port, "/api/v1/insights/annotate", "insight_id=" + id_of(90) + "&annotation=0",
                            {{"Authorization", "Basic YWxpY2U6c2VjcmV0"}});
    CHECK(json(r)["status"] == "saved");
    CHECK(listed().empty());
    conn->exec("DELETE FROM product_insight WHERE id = $1::uuid", {id_of(90)});
}

TEST_CASE("annotation page: HTML, assets, UI strings, product name", "[integration]") {
    auto& f = shared_fixture();
    auto page = http_get(f.port, "/");
    REQUIRE(page.status == 200);
    CHECK(page.header("content-type") == "text/html; charset=utf-8");
    CHECK(page.body.find("<script src=\"/ui/app.js\"") != std::string::npos);
    auto js = http_get(f.port, "/ui/app.js");
    CHECK(js.status == 200);
    CHECK(js.header("content-type") == "text/javascript; charset=utf-8");
    CHECK(http_get(f.port, "/ui/style.css").header("content-type") == "text/css; charset=utf-8");
    CHECK(http_get(f.port, "/ui/missing.js").status == 404);
    auto strings = json(http_get(f.port, "/ui/i18n/pt_BR"));
    CHECK(std::string(strings["Yes"].GetString()) == "Sim");
    CHECK(std::string(json(http_get(f.port, "/ui/i18n/ja"))["Skip"].GetString()) == "Skip");
    auto product = json(http_get(f.port, "/ui/product/3017620425035"));
    CHECK(std::string(product["product_name"].GetString()) == "Nutella");
    CHECK(http_get(f.port, "/ui/product/1234567890123").status == 404);
}
