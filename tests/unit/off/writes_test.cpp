#include "robotoff/off/writes.hpp"

#include <catch2/catch.hpp>

#include <map>

using namespace robotoff;
using off::box;

TEST_CASE("comment texts follow pipeline.md §7.1", "[unit]") {
    const char* id = "6f1c2a9e-0c3d-4f7e-9a51-2b8d6e4c7a10";
    auto w = off::add_label(core::server_type::off, "3017620425035", "en:organic");
    CHECK(off::comment_text(w.action, id, off::decision_origin::automatic) ==
          "[robotoff] Adding label tag 'en:organic', ID: 6f1c2a9e-0c3d-4f7e-9a51-2b8d6e4c7a10 (automated edit)");
    CHECK(off::comment_text(w.action, id, off::decision_origin::vote) ==
          "[robotoff] Adding label tag 'en:organic', ID: 6f1c2a9e-0c3d-4f7e-9a51-2b8d6e4c7a10"
          " (applied after 3 anonymous votes)");
    CHECK(off::comment_text(w.action, id, off::decision_origin::user) ==
          "[robotoff] Adding label tag 'en:organic', ID: 6f1c2a9e-0c3d-4f7e-9a51-2b8d6e4c7a10");
}

TEST_CASE("field edits carry the spec's field names and actions", "[unit]") {
    auto s = core::server_type::off;
    struct expect {
        off::write_request w;
        std::string field, value, action;
    };
    std::vector<expect> cases = {
        {off::set_packager_codes(s, "1", "FR 01.001.001 CE,EMB 12345"), "emb_codes", "FR 01.001.001 CE,EMB 12345",
         "Adding packager codes 'FR 01.001.001 CE,EMB 12345'"},
        {off::add_category(s, "1", "en:yogurts"), "add_categories", "en:yogurts", "Adding category 'en:yogurts'"},
        {off::set_quantity(s, "1", "500 g"), "quantity", "500 g", "Updating quantity to '500 g'"},
        {off::set_expiration_date(s, "1", "2025-01-31"), "expiration_date", "2025-01-31",
         "Adding expiration date '2025-01-31'"},
        {off::add_brand(s, "1", "Ferrero"), "add_brands", "Ferrero", "Adding brand 'Ferrero'"},
        {off::add_store(s, "1", "Carrefour"), "add_stores", "Carrefour", "Adding store 'Carrefour'"},
        {off::set_ingredients_text(s, "1", "fr", "Farine"), "ingredients_text_fr", "Farine",
         "Ingredient spellcheck correction"},
    };
    for (const auto& c : cases) {
        CHECK(c.w.endpoint == off::write_endpoint::field_edit);
        REQUIRE(c.w.fields.size() == 1);
        CHECK(c.w.fields[0].first == c.field);
        CHECK(c.w.fields[0].second == c.value);
        CHECK(c.w.action == c.action);
    }
}

TEST_CASE("rotation table of §7.3", "[unit]") {
    box raw{10, 20, 110, 220};  // y_min, x_min, y_max, x_max on a 400 (W) x 300 (H) image
    double w = 400;
    double h = 300;
    CHECK(off::rotate_box(raw, 0, w, h) == raw);
    CHECK(off::rotate_box(raw, 90, w, h) == box{20, 300 - 110, 220, 300 - 10});
    CHECK(off::rotate_box(raw, 180, w, h) == box{300 - 110, 400 - 220, 300 - 10, 400 - 20});
    CHECK(off::rotate_box(raw, 270, w, h) == box{400 - 220, 10, 400 - 20, 110});
}

TEST_CASE("image selection fields", "[unit]") {
    auto w = off::select_image(core::server_type::off, "3017620425035", "4", "nutrition_fr", 90,
                               off::nutrition_crop(box{0.1, 0.2, 0.5, 0.6}, 90, 1000, 2000));
    CHECK(w.endpoint == off::write_endpoint::image_select);
    CHECK(w.action == "Selecting image 4 as nutrition_fr");
    std::map<std::string, std::string> f(w.fields.begin(), w.fields.end());
    CHECK(f["imgid"] == "4");
    CHECK(f["id"] == "nutrition_fr");
    CHECK(f["angle"] == "90");
    CHECK(f["coordinates_image_size"] == "full");
    // raw box (200, 200, 1000, 600) on W=1000 H=2000, rotated 90 -> (200, 1000, 600, 1800)
    CHECK(f["x1"] == "1000");
    CHECK(f["y1"] == "200");
    CHECK(f["x2"] == "1800");
    CHECK(f["y2"] == "600");

    auto plain = off::select_image(core::server_type::off, "1", "2", "front_en", 0, std::nullopt);
    std::map<std::string, std::string> g(plain.fields.begin(), plain.fields.end());
    CHECK(g.count("angle") == 0);
    CHECK(g.count("x1") == 0);
}

TEST_CASE("orientation crop reuse rules", "[unit]") {
    // No crop or all -1: none.
    CHECK_FALSE(off::orientation_crop(std::nullopt, 1, 2, 3, true, 0, 90, 800, 600));
    CHECK_FALSE(off::orientation_crop(-1, -1, -1, -1, true, 0, 90, 800, 600));
    // Current angle not 0: sent without crop.
    CHECK_FALSE(off::orientation_crop(10, 10, 100, 100, true, 90, 90, 800, 600));
    // Display (400 px) coordinates are scaled by max(W, H) / 400 = 2 before rotation.
    auto c = off::orientation_crop(10, 20, 100, 200, false, 0, 0, 800, 600);
    REQUIRE(c);
    CHECK(*c == box{40, 20, 400, 200});
    // Small images are not scaled up (factor <= 1).
    auto d = off::orientation_crop(10, 20, 100, 200, false, 0, 0, 300, 200);
    REQUIRE(d);
    CHECK(*d == box{20, 10, 200, 100});
}

TEST_CASE("packaging patch and form encoding", "[unit]") {
    auto w = off::add_packaging(core::server_type::off, "1", "en:bottle", "en:glass", "");
    CHECK(w.endpoint == off::write_endpoint::packaging_patch);
    CHECK(w.action == "Updating/adding packaging elements 'en:bottle'");
    CHECK(off::form_encode({{"code", "1"}, {"comment", "[robotoff] a b, ID: x"}}) ==
          "code=1&comment=%5Brobotoff%5D+a+b%2C+ID%3A+x");
}
