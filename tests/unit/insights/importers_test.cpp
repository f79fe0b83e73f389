// Per-type candidate and conflict rules (pipeline.md §4), positive and negative, with the real taxonomies
// and data files of ../shared/data.
#include "test_helpers.hpp"

#include "robotoff/core/json.hpp"
#include "robotoff/insights/types.hpp"

#include <catch2/catch.hpp>

using namespace robotoff;
using namespace robotoff::insights;
using namespace robotoff::insights::test;

TEST_CASE("types: importer inputs and reserved barcodes", "[unit]") {
    CHECK(insight_types().size() == 11);
    CHECK(is_insight_type("label"));
    CHECK_FALSE(is_insight_type("nutrient"));
    CHECK(is_prediction_type("nutrient"));
    CHECK(required_prediction_types("nutrition_image") ==
          std::vector<std::string>{"nutrient_mention", "image_orientation"});
    CHECK(input_prediction_types("nutrition_image").size() == 3);
    CHECK(importers_for({"nutrient"}) == std::vector<std::string>{"nutrition_image"});
    CHECK(importers_for({"label", "trace"}) == std::vector<std::string>{"label"});
    CHECK(is_reserved_barcode("0212345678901"));
    CHECK(is_reserved_barcode("2000000012345"));
    CHECK_FALSE(is_reserved_barcode("3760012345678"));
}

TEST_CASE("packager_code: codes the product has are not proposed", "[unit]") {
    auto product = make_product();
    product.emb_codes_tags = {"fr-56-178-002-ec"};
    auto ctx = context(&product);
    std::vector<prediction> preds = {make_prediction("packager_code", "FR 56.178.002 CE", std::nullopt),
                                     make_prediction("packager_code", "EMB 29232B", std::nullopt)};
    auto c = generate_candidates("packager_code", preds, ctx);
    REQUIRE(c.size() == 1);
    CHECK(c[0].value == "EMB 29232B");
    CHECK(conflicts("packager_code", c[0], c[0], ctx));
    insight other = c[0];
    other.value = "EMB 1";
    CHECK_FALSE(conflicts("packager_code", c[0], other, ctx));
}

TEST_CASE("label: canonical, deepest, not already on the product, whitelist decides automatic", "[unit]") {
    auto product = make_product();
    auto ctx = context(&product);
    auto organic = make_prediction("label", std::nullopt, "en:organic", R"({"text":"bio"})");
    organic.predictor = "regex";
    auto eu_organic = make_prediction("label", std::nullopt, "en:eu-organic");
    eu_organic.predictor = "google-cloud-vision";
    eu_organic.automatic_processing = false;
    auto c = generate_candidates("label", {organic, eu_organic}, ctx);
    REQUIRE(c.size() == 1);
    CHECK(c[0].value_tag == "en:eu-organic");
    CHECK_FALSE(c[0].automatic_processing);

    SECTION("synonyms are canonicalized") {
        auto p = make_prediction("label", std::nullopt, "fr:sans-gluten");
        p.predictor = "flashtext";
        auto c2 = generate_candidates("label", {p}, ctx);
        REQUIRE(c2.size() == 1);
        CHECK(c2[0].value_tag == "en:no-gluten");
    }
    SECTION("eu-agriculture is never proposed") {
        auto p = make_prediction("label", std::nullopt, "en:eu-agriculture");
        CHECK(generate_candidates("label", {p}, ctx).empty());
    }
    SECTION("a tag the product has, or an ancestor of one, is dropped") {
        product.labels_tags = {"en:eu-organic"};
        auto ctx2 = context(&product);
        CHECK(generate_candidates("label", {organic}, ctx2).empty());
        CHECK(generate_candidates("label", {eu_organic}, ctx2).empty());
    }
    SECTION("regex labels are automatic only when whitelisted") {
        const auto& white = shared_fixtures().references.label_whitelist;
        REQUIRE_FALSE(white.empty());
        std::string listed = *white.begin();
        auto p = make_prediction("label", std::nullopt, listed);
        p.predictor = "regex";
        auto c2 = generate_candidates("label", {p}, ctx);
        if (shared_fixtures().labels->contains(listed)) {
            REQUIRE(c2.size() == 1);
            CHECK(c2[0].automatic_processing);
        }
        auto q = make_prediction("label", std::nullopt, "en:organic");
        q.predictor = "regex";
        auto c3 = generate_candidates("label", {q}, ctx);
        REQUIRE(c3.size() == 1);
        CHECK(c3[0].automatic_processing == (white.count("en:organic") > 0));
    }
    SECTION("conflict: same tag or candidate is an ancestor") {
        insight a;
        a.value_tag = "en:organic";
        insight b;
        b.value_tag = "en:eu-organic";
        CHECK(conflicts("label", a, b, ctx));
        CHECK_FALSE(conflicts("label", b, a, ctx));
    }
}

TEST_CASE("category: unresolvable dropped, deepest only, campaigns", "[unit]") {
    auto product = make_product();
    auto ctx = context(&product);
    auto unknown = make_prediction("category", std::nullopt, "en:not-a-real-category-xyz");
    auto dairies = make_prediction("category", std::nullopt, "en:dairies");
    auto yogurts = make_prediction("category", std::nullopt, "en:yogurts");
    auto c = generate_candidates("category", {unknown, dairies, yogurts}, ctx);
    REQUIRE(c.size() == 1);
    CHECK(c[0].value_tag == "en:yogurts");
    CHECK_FALSE(c[0].automatic_processing);
    set_derived_fields(c[0], ctx);
    CHECK(std::find(c[0].campaign.begin(), c[0].campaign.end(), "missing-category") != c[0].campaign.end());
    product.categories_tags = {"en:plain-yogurts"};
    auto ctx2 = context(&product);
    CHECK(generate_candidates("category", {yogurts}, ctx2).empty());
}

TEST_CASE("product_weight: first prediction, automatic only when unambiguous", "[unit]") {
    auto product = make_product();
    auto ctx = context(&product);
    auto a = make_prediction("product_weight", "30 g net", std::nullopt, R"({"matcher_type":"no_mention"})");
    auto b = make_prediction("product_weight", "150 g", std::nullopt, R"({"matcher_type":"no_mention"})");
    a.automatic_processing = true;
    auto c = generate_candidates("product_weight", {a, b}, ctx);
    REQUIRE(c.size() == 1);
    CHECK(c[0].value == "30 g net");
    CHECK_FALSE(c[0].automatic_processing);

    auto d = make_prediction("product_weight", "150 g", std::nullopt, R"({"matcher_type":"with_ending_mention"})");
    d.automatic_processing = true;
    auto c2 = generate_candidates("product_weight", {d, b}, ctx);
    REQUIRE(c2.size() == 1);
    CHECK(c2[0].automatic_processing);

    auto e =
        make_prediction("product_weight", "500 g", std::nullopt, R"({"matcher_type":"x","source":"product_name"})");
    e.automatic_processing = true;
    CHECK_FALSE(generate_candidates("product_weight", {e}, ctx)[0].automatic_processing);

    product.quantity = "500 g";
    auto ctx2 = context(&product);
    CHECK(generate_candidates("product_weight", {a}, ctx2).empty());
}

TEST_CASE("expiration_date: greatest date, automatic only when all agree", "[unit]") {
    auto product = make_product();
    auto ctx = context(&product);
    auto a = make_prediction("expiration_date", "2025-01-02", std::nullopt);
    auto b = make_prediction("expiration_date", "2026-03-04", std::nullopt);
    a.automatic_processing = b.automatic_processing = true;
    auto c = generate_candidates("expiration_date", {a, b}, ctx);
    REQUIRE(c.size() == 1);
    CHECK(c[0].value == "2026-03-04");
    CHECK_FALSE(c[0].automatic_processing);
    CHECK(generate_candidates("expiration_date", {a, a}, ctx)[0].automatic_processing);
    product.expiration_date = "01/01/2030";
    auto ctx2 = context(&product);
    CHECK(generate_candidates("expiration_date", {a}, ctx2).empty());
}

TEST_CASE("brand: blacklist, barcode prefix range, product brands", "[unit]") {
    const auto& refs = shared_fixtures().references;
    REQUIRE_FALSE(refs.brand_prefixes.empty());
    REQUIRE_FALSE(refs.brand_blacklist.empty());
    // A real (brand, prefix) pair from brand_prefix.json.gz.
    std::string pair = *refs.brand_prefixes.begin();
    std::string brand = pair.substr(0, pair.find('|'));
    std::string prefix = pair.substr(pair.find('|') + 1, 7);
    auto product = make_product(prefix + "000000");
    auto ctx = context(&product);
    auto p = make_prediction("brand", "Brand", brand);
    p.barcode = prefix + "000000";
    p.predictor = "curated-list";
    CHECK(generate_candidates("brand", {p}, ctx).size() == 1);
    SECTION("13-digit barcode outside the brand's range") {
        p.barcode = "9999999000000";
        CHECK(generate_candidates("brand", {p}, ctx).empty());
    }
    SECTION("other lengths pass") {
        p.barcode = "12345678";
        CHECK(generate_candidates("brand", {p}, ctx).size() == 1);
    }
    SECTION("blacklisted tags are dropped") {
        p.value_tag = *refs.brand_blacklist.begin();
        p.barcode = "12345678";
        CHECK(generate_candidates("brand", {p}, ctx).empty());
    }
    SECTION("vision predictions are not range-checked") {
        p.predictor = "google-cloud-vision";
        p.barcode = "9999999000000";
        CHECK(generate_candidates("brand", {p}, ctx).size() == 1);
    }
    SECTION("no candidate when the product has brands") {
        product.brands_tags = {"other"};
        auto ctx2 = context(&product);
        CHECK(generate_candidates("brand", {p}, ctx2).empty());
    }
}

TEST_CASE("store: not for stores the product has; always automatic", "[unit]") {
    auto product = make_product();
    product.stores_tags = {"carrefour"};
    auto ctx = context(&product);
    auto a = make_prediction("store", "Carrefour", "carrefour");
    auto b = make_prediction("store", "Intermarché", "intermarche");
    auto c = generate_candidates("store", {a, b}, ctx);
    REQUIRE(c.size() == 1);
    CHECK(c[0].value_tag == "intermarche");
    CHECK(c[0].automatic_processing);
}

TEST_CASE("ingredient_spellcheck: only a real correction of the current text in the main language", "[unit]") {
    auto product = make_product();
    product.texts["ingredients_text_fr"] = "fraise, sucre";
    auto ctx = context(&product);
    auto good = make_prediction("ingredient_spellcheck", std::nullopt, "fr",
                                R"({"original":"fraise, sucre","correction":"fraise, sucre.","lang":"fr"})");
    auto same = make_prediction("ingredient_spellcheck", std::nullopt, "fr",
                                R"({"original":"fraise, sucre","correction":"fraise, sucre","lang":"fr"})");
    auto stale = make_prediction("ingredient_spellcheck", std::nullopt, "fr",
                                 R"({"original":"fraise","correction":"fraises","lang":"fr"})");
    auto other_lang = make_prediction("ingredient_spellcheck", std::nullopt, "en",
                                      R"({"original":"fraise, sucre","correction":"x","lang":"en"})");
    auto c = generate_candidates("ingredient_spellcheck", {good, same, stale, other_lang}, ctx);
    REQUIRE(c.size() == 1);
    set_derived_fields(c[0], ctx);
    REQUIRE(c[0].lc);
    CHECK(*c[0].lc == std::vector<std::string>{"fr"});
}

TEST_CASE("sort_predictions: priority, newest image, predictor with null last", "[unit]") {
    auto a = make_prediction("label", std::nullopt, "a", R"({"priority":2})");
    auto b = make_prediction("label", std::nullopt, "b");
    b.source_image = "/376/009/431/0634/3.jpg";
    auto c = make_prediction("label", std::nullopt, "c");
    c.source_image = "/376/009/431/0634/12.jpg";
    auto d = make_prediction("label", std::nullopt, "d");
    d.predictor = "regex";
    auto e = make_prediction("label", std::nullopt, "e");
    std::vector<prediction> v = {a, b, e, c, d};
    sort_predictions(v);
    std::vector<std::string> order;
    for (const auto& p : v) {
        order.push_back(*p.value_tag);
    }
    CHECK(order == std::vector<std::string>{"c", "b", "d", "e", "a"});
}
