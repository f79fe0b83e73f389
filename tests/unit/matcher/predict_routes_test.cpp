// POST /api/v1/predict/category and /api/v1/predict/ingredients/spellcheck as plain handlers (no server).
#include "robotoff/api/predict_routes.hpp"
#include "robotoff/core/errors.hpp"

#include <catch2/catch.hpp>

using namespace robotoff;

namespace {

api::predict_services& services() {
    static api::predict_services* s = [] {
        auto* out = new api::predict_services();
        auto categories = taxonomy::taxonomy::load_json("categories", R"({
            "en:yogurts": {"name": {"fr": "Yaourts", "en": "Yogurts"}},
            "en:plain-yogurts": {"name": {"fr": "Yaourts nature"}, "parents": ["en:yogurts"]}})");
        out->matcher.set(matcher::category_matcher::build(*categories, {"fr", "en", "es", "de"}));
        out->find_product = [](const std::string& barcode,
                               std::chrono::steady_clock::time_point) -> std::optional<api::product_names> {
            if (barcode == "3017620425035") {
                return api::product_names{{"en", "Yogurts"}, {"fr", "Yaourts nature"}, {"it", "Yogurt"}};
            }
            return std::nullopt;
        };
        out->spellcheck_langs = {"fr", "de"};
        out->max_text_chars = 100;
        return out;
    }();
    return *s;
}

void with_spellchecker() {
    spellcheck::corpus_builder b("fr");
    for (int i = 0; i < 20; ++i) {
        b.add_document("farine de blé, huile de tournesol, sel");
    }
    for (int i = 0; i < 200; ++i) {
        b.add_document("eau, sucre");
    }
    services().spellchecker->set(
        std::make_shared<spellcheck::spellchecker>(std::vector<std::shared_ptr<const spellcheck::corpus>>{b.build()}));
}

http::request post(std::string body, std::string content_type = "application/json") {
    http::request r;
    r.method = "POST";
    r.body = std::move(body);
    r.headers.emplace_back("content-type", std::move(content_type));
    return r;
}

http::request form(const std::string& urlencoded) {
    http::request r = post("", "application/x-www-form-urlencoded");
    r.params.add_urlencoded(urlencoded);
    return r;
}

unsigned status_of(const api::predict_services& s, const http::request& r, bool spell) {
    try {
        return (spell ? api::predict_spellcheck(s, r) : api::predict_category(s, r)).status;
    } catch (const core::client_error& e) {
        return e.status();
    }
}

std::string description_of(const http::request& r, bool spell) {
    try {
        spell ? api::predict_spellcheck(services(), r) : api::predict_category(services(), r);
    } catch (const core::client_error& e) {
        return e.description();
    }
    return "";
}

}  // namespace

TEST_CASE("predict/category: product form", "[unit]") {
    auto r =
        api::predict_category(services(), post(R"({"product": {"product_name": "Yaourts nature"}, "lang": "fr"})"));
    CHECK(r.status == 200);
    auto doc = core::parse_json(r.body);
    const auto& preds = doc["matcher"]["predictions"];
    REQUIRE(preds.Size() == 1);
    CHECK(std::string(preds[0]["value_tag"].GetString()) == "en:plain-yogurts");
    CHECK(preds[0]["confidence"].GetDouble() == Approx(1.0));
    CHECK(std::string(preds[0]["lang"].GetString()) == "fr");
    CHECK(std::string(preds[0]["product_name"].GetString()) == "Yaourts nature");
    // lang defaults to en
    r = api::predict_category(services(), post(R"({"product": {"product_name": "yogurts"}})"));
    CHECK(core::parse_json(r.body)["matcher"]["predictions"].Size() == 1);
    // nothing matches: empty list
    r = api::predict_category(services(), post(R"({"product": {"product_name": "Sprite"}, "lang": "fr"})"));
    CHECK(r.body == R"({"matcher":{"predictions":[]}})");
}

TEST_CASE("predict/category: barcode form, one result per language, by confidence", "[unit]") {
    auto r = api::predict_category(services(), post(R"({"barcode": "3017620425035"})"));
    auto doc = core::parse_json(r.body);
    const auto& preds = doc["matcher"]["predictions"];
    REQUIRE(preds.Size() == 2);
    CHECK(std::string(preds[0]["lang"].GetString()) == "en");
    CHECK(std::string(preds[1]["value_tag"].GetString()) == "en:plain-yogurts");
    CHECK(status_of(services(), post(R"({"barcode": "123"})"), false) == 404);
    CHECK(description_of(post(R"({"barcode": "0000000000123"})"), false).find("not found") != std::string::npos);
}

TEST_CASE("predict/category: bad input", "[unit]") {
    CHECK(status_of(services(), post("not json"), false) == 400);
    CHECK(status_of(services(), post("[1]"), false) == 400);
    CHECK(status_of(services(), post("{}"), false) == 400);
    CHECK(status_of(services(), post(R"({"barcode": "1", "product": {"product_name": "x"}})"), false) == 400);
    CHECK(status_of(services(), post(R"({"product": {"product_name": "x", "brands": "y"}})"), false) == 400);
    CHECK(description_of(post(R"({"product": {"product_name": "x", "brands": "y"}})"), false).find("brands") !=
          std::string::npos);
    CHECK(status_of(services(), post(R"({"product": {"product_name": 3}})"), false) == 400);
    CHECK(status_of(services(), post(R"({"product": "x"})"), false) == 400);
    CHECK(description_of(post(R"({"barcode": "3017620425035", "server_type": "obf"})"), false) ==
          "category predictor is only available for 'off' server type");
    CHECK(status_of(services(), post(R"({"barcode": "3017620425035", "server_type": "nope"})"), false) == 400);
    auto q = post(R"({"barcode": "3017620425035"})");
    q.params.add("server_type", "opff");
    CHECK(status_of(services(), q, false) == 400);
    api::predict_services empty;
    CHECK(status_of(empty, post(R"({"barcode": "1"})"), false) == 503);
}

TEST_CASE("predict/spellcheck: form and JSON bodies", "[unit]") {
    with_spellchecker();
    auto r = api::predict_spellcheck(services(), form("text=farinne%20de%20bl%C3%A9%2C%20sel&lang=fr"));
    CHECK(r.status == 200);
    auto doc = core::parse_json(r.body);
    CHECK(std::string(doc["corrected"].GetString()) == "farine de blé, sel");
    CHECK(std::string(doc["text"].GetString()) == "farinne de blé, sel");
    CHECK(doc["corrections"][0]["term_corrections"][0]["end_offset"].GetUint() == 7);
    r = api::predict_spellcheck(services(), post(R"({"text": "huile de tournesl", "confidence": 2.5})"));
    CHECK(std::string(core::parse_json(r.body)["corrected"].GetString()) == "huile de tournesol");
    r = api::predict_spellcheck(services(), form("text=huile%20de%20tournesl&confidence=1e30"));
    CHECK(std::string(core::parse_json(r.body)["corrected"].GetString()) == "huile de tournesl");
}

TEST_CASE("predict/spellcheck: bad input and corpus not built", "[unit]") {
    with_spellchecker();
    CHECK(status_of(services(), form("lang=fr"), true) == 400);
    CHECK(description_of(form("lang=fr"), true) == "The \"text\" parameter is required.");
    CHECK(status_of(services(), form("text=" + std::string(101, 'a')), true) == 413);
    CHECK(description_of(form("text=" + std::string(101, 'a')), true).find("100") != std::string::npos);
    CHECK(status_of(services(), form("text=sel&lang=it"), true) == 400);
    CHECK(status_of(services(), form("text=sel&confidence=0"), true) == 400);
    CHECK(status_of(services(), form("text=sel&confidence=abc"), true) == 400);
    CHECK(status_of(services(), post(R"({"text": 5})"), true) == 400);
    CHECK(status_of(services(), post("{oops"), true) == 400);
    CHECK(status_of(services(), form("text=sel&lang=de"), true) == 503);  // allowed, but no de corpus
    api::predict_services none;
    const auto r = api::predict_spellcheck(none, form("text=sel"));
    CHECK(r.status == 503);
    CHECK(std::find(r.headers.begin(), r.headers.end(), std::pair<std::string, std::string>{"Retry-After", "60"}) !=
          r.headers.end());
}

TEST_CASE("predict routes are registered", "[unit]") {
    http::router router;
    api::add_predict_routes(router, services());
    CHECK(router.match("POST", "/api/v1/predict/category").matched != nullptr);
    CHECK(router.match("POST", "/api/v1/predict/ingredients/spellcheck").matched != nullptr);
    CHECK(router.match("GET", "/api/v1/predict/category").matched == nullptr);
}
