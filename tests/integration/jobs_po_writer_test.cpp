// The type actions of pipeline.md §6.4 through jobs::po_writer against the fake Product Opener (real
// product documents): status codes, the requests actually written, and annotation-2 rewrites.

#include "fake_po/fake_po.hpp"
#include "robotoff/jobs/po_writer.hpp"
#include "support/test_support.hpp"

#include <catch2/catch.hpp>

using namespace robotoff;
namespace st = insights::status;

namespace {

insights::insight make(std::string barcode, std::string type, std::optional<std::string> value_tag,
                       std::optional<std::string> value = std::nullopt, std::string data = "{}") {
    insights::insight i;
    i.id = "11111111-2222-3333-4444-555555555555";
    i.barcode = std::move(barcode);
    i.type = std::move(type);
    i.value_tag = std::move(value_tag);
    i.value = std::move(value);
    i.data = std::move(data);
    return i;
}

off::client_settings settings_for(const testing::fake_po& po) {
    off::client_settings s;
    s.world_url = po.url();
    s.images_url = po.url();
    s.static_url = po.url();
    s.fetch.allowed_networks = {off::parse_network("127.0.0.0/8")};  // the fake image server is on loopback
    s.user = "roboto-app";
    s.password = "pw";
    return s;
}

}  // namespace

TEST_CASE("type actions: already present, missing product, writes", "[integration]") {
    testing::fake_po po;
    off::client client(settings_for(po));
    jobs::po_writer writer(client);
    insights::credentials robot;

    // 3088543506255 has emb_codes "1013314", labels fr:faible-indice-glycemique, quantity "350g".
    auto pc = make("3088543506255", "packager_code", std::nullopt, "EMB 1013314");
    CHECK(writer.apply(pc, 1, std::nullopt, robot, false) == st::updated);
    auto same = make("3088543506255", "packager_code", std::nullopt, "1013314");
    CHECK(writer.apply(same, 1, std::nullopt, robot, false) == st::already_annotated);
    auto label = make("3088543506255", "label", "fr:faible-indice-glycemique");
    CHECK(writer.apply(label, 1, std::nullopt, robot, false) == st::already_annotated);
    auto weight = make("3088543506255", "product_weight", std::nullopt, "500 g");
    CHECK(writer.apply(weight, 1, std::nullopt, robot, false) == st::already_annotated);
    auto missing = make("0000000000017", "label", "en:organic");
    CHECK(writer.apply(missing, 1, std::nullopt, robot, false) == st::missing_product);
    auto store = make("3088543506255", "store", "carrefour", "Carrefour");
    CHECK(writer.apply(store, 1, std::nullopt, robot, true) == st::updated);

    auto w = core::parse_json(po.writes());
    REQUIRE(w.Size() == 2);
    CHECK(std::string(w[0]["form"]["emb_codes"].GetString()) == "1013314,EMB 1013314");
    CHECK(std::string(w[1]["form"]["add_stores"].GetString()) == "Carrefour");
    CHECK(std::string(w[1]["form"]["comment"].GetString()).ends_with("(applied after 3 anonymous votes)"));

    // Product Opener down: 10, nothing written.
    po.fail(502, 2);
    auto brand = make("3225350000501", "brand", "x", "X");
    CHECK(writer.apply(brand, 1, std::nullopt, robot, false) == st::failed_update);
}

TEST_CASE("annotation 2 and image actions", "[integration]") {
    testing::fake_po po;
    off::client client(settings_for(po));
    jobs::po_writer writer(client);
    insights::credentials user;
    user.username = "alice";
    user.basic_user = "alice";
    user.basic_password = "pw2";

    auto cat = make("3088543506255", "category", "en:syrups", std::nullopt, R"({"lang":"fr"})");
    CHECK(writer.apply(cat, 2, std::string(R"({"value_tag":"en:honeys"})"), user, false) ==
          st::user_input_updated);
    CHECK(cat.value_tag == "en:honeys");
    auto data = core::parse_json(cat.data);
    CHECK(std::string(data["original_value_tag"].GetString()) == "en:syrups");
    CHECK(data["user_input"].GetBool());
    auto w = core::parse_json(po.writes());
    REQUIRE(w.Size() == 1);
    CHECK(std::string(w[0]["form"]["add_categories"].GetString()) == "en:honeys");
    CHECK(std::string(w[0]["form"]["user_id"].GetString()) == "alice");
    CHECK(std::string(w[0]["form"]["password"].GetString()) == "pw2");

    // Spellcheck on a text that changed since: 4.
    auto spell = make("3225350000501", "ingredient_spellcheck", "fr", std::nullopt,
                      R"({"original":"something else","correction":"x"})");
    CHECK(writer.apply(spell, 1, std::nullopt, user, false) == st::updated_product);

    // nutrition_image: the product already has nutrition_fr -> 5; an unknown image -> 8.
    auto nut = make("3088543506255", "nutrition_image", "fr", std::nullopt, R"({"rotation":90})");
    nut.source_image = "/308/854/350/6255/1.jpg";
    CHECK(writer.apply(nut, 1, std::nullopt, user, false) == st::already_annotated);
    nut.source_image = "/308/854/350/6255/9999.jpg";
    CHECK(writer.apply(nut, 1, std::nullopt, user, false) == st::invalid_image);

    // image_orientation: re-select front_fr (image 79, no crop) rotated by 270.
    auto orient = make("3088543506255", "image_orientation", "left", std::nullopt,
                       R"({"rotation":270,"image_key":"front_fr","image_rev":"176"})");
    orient.source_image = "/308/854/350/6255/79.jpg";
    CHECK(writer.apply(orient, 1, std::nullopt, user, false) == st::updated);
    w = core::parse_json(po.writes());
    REQUIRE(w.Size() == 2);
    const auto& crop = w[1]["form"];
    CHECK(std::string(w[1]["path"].GetString()) == "/cgi/product_image_crop.pl");
    CHECK(std::string(crop["imgid"].GetString()) == "79");
    CHECK(std::string(crop["id"].GetString()) == "front_fr");
    CHECK(std::string(crop["angle"].GetString()) == "270");
    CHECK_FALSE(crop.HasMember("x1"));  // front_fr has no crop (-1)
}
