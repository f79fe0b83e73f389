// Reconciliation (pipeline.md §3.4), derived fields (§3.5), box conversion (§3.3), product not found (§3.2).
#include "test_helpers.hpp"

#include <catch2/catch.hpp>

using namespace robotoff;
using namespace robotoff::insights;
using namespace robotoff::insights::test;

namespace {

insight stored(const std::string& id, const std::string& value_tag, std::optional<int> annotation = std::nullopt,
               bool automatic = false) {
    insight x;
    x.id = id;
    x.barcode = "3760094310634";
    x.type = "store";
    x.value_tag = value_tag;
    x.annotation = annotation;
    x.automatic_processing = automatic;
    x.n_votes = 2;
    return x;
}

prediction store_prediction(const std::string& tag) {
    auto p = make_prediction("store", tag, tag);
    p.predictor = "regex";
    return p;
}

}  // namespace

TEST_CASE("reconcile: locked wins, open matched in place, stale open deleted, annotated kept", "[unit]") {
    auto product = make_product();
    product.countries_tags = {"en:france"};
    product.unique_scans_n = 42;
    auto ctx = context(&product);
    std::vector<insight> refs = {stored("a1", "lidl", 1), stored("o1", "carrefour"), stored("o2", "auchan"),
                                 stored("x1", "old", 0)};
    auto plan = plan_import("store", {store_prediction("lidl"), store_prediction("carrefour"),
                                      store_prediction("monoprix")},
                            refs, ctx);
    REQUIRE(plan.updates.size() == 1);
    CHECK(plan.updates[0].id == "o1");
    CHECK(plan.updates[0].n_votes == 2);  // votes kept on in-place update
    REQUIRE(plan.inserts.size() == 1);
    CHECK(plan.inserts[0].value_tag == "monoprix");
    CHECK(plan.inserts[0].countries == std::vector<std::string>{"en:france"});
    CHECK(plan.inserts[0].unique_scans_n == 42);
    CHECK(plan.inserts[0].process_after == ctx.process_after);  // store insights are automatic
    CHECK(plan.deletes == std::vector<std::string>{"o2"});      // never a1 or x1 (annotated)
}

TEST_CASE("reconcile: duplicates among candidates collapse to the first in order", "[unit]") {
    auto product = make_product();
    product.images["3"].full_width = 100;
    product.images["5"].full_width = 100;
    auto ctx = context(&product);
    auto older = store_prediction("lidl");
    older.source_image = "/376/009/431/0634/3.jpg";
    auto newer = store_prediction("lidl");
    newer.source_image = "/376/009/431/0634/5.jpg";
    auto plan = plan_import("store", {older, newer}, {}, ctx);
    REQUIRE(plan.inserts.size() == 1);
    CHECK(plan.inserts[0].source_image == newer.source_image);
    CHECK(plan.inserts[0].with_image == true);
}

TEST_CASE("reconcile: an open reference with another image is replaced, not updated", "[unit]") {
    auto product = make_product();
    product.images["3"].full_width = 100;
    auto ctx = context(&product);
    auto p = store_prediction("lidl");
    p.source_image = "/376/009/431/0634/3.jpg";
    auto plan = plan_import("store", {p}, {stored("o1", "lidl")}, ctx);
    CHECK(plan.updates.empty());
    CHECK(plan.inserts.size() == 1);
    CHECK(plan.deletes == std::vector<std::string>{"o1"});
}

TEST_CASE("product not found: open references deleted (automatic included), annotated kept", "[unit]") {
    auto ctx = context(nullptr);
    std::vector<insight> refs = {stored("a", "x", 1), stored("b", "y", std::nullopt, true), stored("c", "z")};
    auto plan = plan_import("store", {store_prediction("x")}, refs, ctx);
    CHECK(plan.inserts.empty());
    CHECK(plan.updates.empty());
    CHECK(plan.deletes == std::vector<std::string>{"b", "c"});
}

TEST_CASE("no prediction of the required type: no candidates, locked references untouched", "[unit]") {
    auto product = make_product();
    auto ctx = context(&product);
    auto plan = plan_import("store", {}, {stored("a", "x", std::nullopt, true), stored("c", "z")}, ctx);
    CHECK(plan.deletes == std::vector<std::string>{"c"});
}

TEST_CASE("candidates of images the product no longer has are dropped", "[unit]") {
    auto product = make_product();
    auto ctx = context(&product);
    auto p = store_prediction("lidl");
    p.source_image = "/376/009/431/0634/9.jpg";
    CHECK(generate_candidates("store", {p}, ctx).empty());
}

TEST_CASE("box conversion: relative box from the full image size; unknown size removes it", "[unit]") {
    CHECK(*relative_box({100, 50, 900, 1200}, 1000, 800) == "[0.125,0.05,1,1]");
    CHECK_FALSE(relative_box({1, 2, 3, 4}, 0, 10));
    auto product = make_product();
    product.images["4"].full_width = 1000;
    product.images["4"].full_height = 800;
    product.images["5"].uploaded_t = 1;  // no size
    auto ctx = context(&product);
    auto p = make_prediction("packager_code", "EMB 1", std::nullopt,
                             R"({"raw":"EMB 1","bounding_box_absolute":[100,50,900,1200]})");
    p.source_image = "/376/009/431/0634/4.jpg";
    auto c = generate_candidates("packager_code", {p}, ctx);
    REQUIRE(c.size() == 1);
    CHECK(c[0].bounding_box == "[0.125,0.05,1,1]");
    CHECK(c[0].data == R"({"raw":"EMB 1","bounding_box":[0.125,0.05,1,1]})");
    p.source_image = "/376/009/431/0634/5.jpg";
    auto c2 = generate_candidates("packager_code", {p}, ctx);
    REQUIRE(c2.size() == 1);
    CHECK_FALSE(c2[0].bounding_box);
    CHECK(c2[0].data == R"({"raw":"EMB 1"})");
}

TEST_CASE("derived fields: with_image, reserved barcode, product checks off", "[unit]") {
    auto product = make_product("0212345678901");
    auto ctx = context(&product);
    insight label;
    label.barcode = "0212345678901";
    label.type = "label";
    set_derived_fields(label, ctx);
    CHECK(label.reserved_barcode);
    CHECK(label.with_image == false);
    CHECK_FALSE(label.process_after);
    product.images["1"].full_width = 10;
    set_derived_fields(label, context(&product));
    CHECK(label.with_image == true);
    auto off = context(nullptr);
    off.product_check = false;
    set_derived_fields(label, off);
    CHECK_FALSE(label.with_image.has_value());
    insight weight;
    weight.type = "product_weight";
    set_derived_fields(weight, off);
    CHECK(weight.with_image == false);
}
