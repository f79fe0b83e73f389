// packaging, image_orientation and nutrition_image rules, driven where possible by the reference cases of
// ../shared/vectors/cases.jsonl (suite "importer").
#include "test_helpers.hpp"

#include "robotoff/core/file_io.hpp"
#include "robotoff/core/json.hpp"

#include <catch2/catch.hpp>

#include <sstream>

using namespace robotoff;
using namespace robotoff::insights;
using namespace robotoff::insights::test;

namespace {

std::vector<rapidjson::Document> cases(const std::string& note_prefix) {
    std::istringstream in(core::read_file(ROBOTOFF_SHARED_DIR "/vectors/cases.jsonl"));
    std::vector<rapidjson::Document> out;
    std::string line;
    while (std::getline(in, line)) {
        auto doc = core::parse_json(line);
        if (std::string(doc["suite"].GetString()) == "importer" &&
            std::string(doc["notes"].GetString()).find(note_prefix) != std::string::npos) {
            out.push_back(std::move(doc));
        }
    }
    return out;
}

packaging_element element_of(const rapidjson::Value& v) {
    packaging_element e;
    for (const char* key : {"shape", "material", "recycling"}) {
        auto it = v.FindMember(key);
        if (it != v.MemberEnd() && it->value.IsString()) {
            (std::string(key) == "shape" ? e.shape : std::string(key) == "material" ? e.material : e.recycling) =
                it->value.GetString();
        }
    }
    return e;
}

}  // namespace

TEST_CASE("packaging: uninformative elements (reference cases)", "[unit]") {
    auto ctx = context(nullptr);
    auto rows = cases("TestPackagingImporter.test_discard_packaging_element");
    REQUIRE(rows.size() == 9);
    for (const auto& row : rows) {
        auto cand = element_of(row["input"]["candidate_element"]);
        auto ref = element_of(row["input"]["ref_element"]);
        bool expected = row["expected"].GetBool();
        INFO(core::to_json(row["input"]));
        CHECK(packaging_uninformative(cand, ref, ctx) == expected);
        if (row["input"]["reverse"].GetBool()) {
            CHECK(packaging_uninformative(ref, cand, ctx) == !expected);
        }
    }
}

TEST_CASE("packaging: candidates from predictions", "[unit]") {
    auto product = make_product();
    product.packagings_json = R"([{"shape":{"id":"en:bottle"},"material":"en:glass"}])";
    auto ctx = context(&product);
    auto jar = make_prediction("packaging", R"({"shape":"en:jar","material":"en:glass","recycling":null})",
                               std::nullopt,
                               R"({"lang":"fr","element":{"shape":{"value":"bocal","value_tag":"en:jar"},)"
                               R"("material":{"value":"verre","value_tag":"en:glass"}}})");
    auto bottle = make_prediction("packaging", R"({"shape":"en:bottle","material":"en:glass","recycling":null})",
                                  std::nullopt,
                                  R"({"lang":"fr","element":{"shape":{"value":"bouteille","value_tag":"en:bottle"},)"
                                  R"("material":{"value":"verre","value_tag":"en:glass"}}})");
    auto tray = make_prediction("packaging", R"({"shape":"en:tray","material":null,"recycling":null})", std::nullopt,
                                R"({"lang":"fr","element":{"shape":{"value":"barquette","value_tag":"en:tray"}}})");
    auto c = generate_candidates("packaging", {tray, bottle, jar}, ctx);
    REQUIRE(c.size() == 1);  // tray alone is excluded, the bottle adds nothing to the product
    CHECK(c[0].value == jar.value);
    CHECK_FALSE(c[0].automatic_processing);
    CHECK(conflicts("packaging", c[0], c[0], ctx));
}

TEST_CASE("packaging: predictions sorted by number of properties (reference cases)", "[unit]") {
    auto rows = cases("TestPackagingImporter.test_sort_predictions");
    REQUIRE(rows.size() == 2);
    for (const auto& row : rows) {
        std::vector<insight> items;
        int index = 0;
        for (const auto& el : row["input"].GetArray()) {
            rapidjson::Document element;
            element.SetObject();
            for (const auto& m : el.GetObject()) {
                rapidjson::Value prop(rapidjson::kObjectType);
                prop.AddMember("value_tag", "en:x", element.GetAllocator());
                element.AddMember(rapidjson::Value(m.name, element.GetAllocator()), prop, element.GetAllocator());
            }
            insight x;
            x.data = std::string(R"({"element":)") + core::to_json(element) + "}";
            x.value = std::to_string(index++);
            items.push_back(x);
        }
        sort_candidates("packaging", items);
        std::vector<int> order;
        for (const auto& x : items) {
            order.push_back(std::stoi(*x.value));
        }
        std::vector<int> expected;
        for (const auto& e : row["expected"].GetArray()) {
            expected.push_back(e.GetInt());
        }
        CHECK(order == expected);
    }
}

TEST_CASE("image_orientation: candidates (reference cases)", "[unit]") {
    auto rows = cases("TestImageOrientationImporter.test_image_orientation_generate_candidates");
    REQUIRE(rows.size() >= 5);
    int checked = 0;
    for (const auto& row : rows) {
        const auto& in = row["input"];
        if (!in["selected"].GetBool()) {
            continue;  // the reference patched is_selected_image; our rule reads the selected keys directly
        }
        rapidjson::Document images;
        images.CopyFrom(in["image_data"], images.GetAllocator());
        rapidjson::Document product_json;
        product_json.SetObject();
        product_json.AddMember("code", "3760094310634", product_json.GetAllocator());
        product_json.AddMember("images", rapidjson::Value(images, product_json.GetAllocator()),
                               product_json.GetAllocator());
        auto product = products::normalize_product(product_json, core::server_type::off);
        auto ctx = context(&product);
        rapidjson::Document data;
        data.SetObject();
        auto& a = data.GetAllocator();
        data.AddMember("orientation", rapidjson::Value(in["orientation"], a), a);
        data.AddMember("rotation", rapidjson::Value(in["rotation"], a), a);
        data.AddMember("count", rapidjson::Value(in["counts"], a), a);
        auto p = make_prediction("image_orientation", std::nullopt, std::string(in["orientation"].GetString()),
                                 core::to_json(data));
        p.source_image = "/376/009/431/0634/1.jpg";
        auto c = generate_candidates("image_orientation", {p}, ctx);
        INFO(core::to_json(in));
        REQUIRE(static_cast<int>(c.size()) == row["expected"].GetInt());
        if (!c.empty()) {
            double total = 0;
            for (const auto& m : in["counts"].GetObject()) {
                total += m.value.GetDouble();
            }
            CHECK(c[0].automatic_processing == (total >= 10));
            CHECK(*c[0].confidence == Approx(in["counts"][in["orientation"].GetString()].GetDouble() / total));
            auto d = core::parse_json(c[0].data);
            CHECK(d["rotation"].GetInt() == in["rotation"].GetInt());
            CHECK(d.HasMember("image_key"));
            CHECK(d.HasMember("image_rev"));
        }
        ++checked;
    }
    CHECK(checked >= 4);
}

TEST_CASE("image_orientation: conflict needs the same image key and image", "[unit]") {
    auto ctx = context(nullptr);
    insight a;
    a.source_image = "/1/1.jpg";
    a.data = R"({"image_key":"front_fr"})";
    insight b = a;
    CHECK(conflicts("image_orientation", a, b, ctx));
    b.data = R"({"image_key":"ingredients_fr"})";
    CHECK_FALSE(conflicts("image_orientation", a, b, ctx));
    b = a;
    b.source_image = "/1/2.jpg";
    CHECK_FALSE(conflicts("image_orientation", a, b, ctx));
}

namespace {

prediction mention_prediction(const char* lang, bool energy) {
    std::string value_raw = energy ? "250 kcal" : "250";
    std::string data = std::string(R"({"mentions":{)") +
                       R"("energy":[{"raw":"energie","span":[0,7],"languages":[")" + lang +
                       R"("],"bounding_box_absolute":[100,50,120,200]}],)" +
                       R"("fat":[{"raw":"matières grasses","span":[8,20],"languages":[")" + lang + R"("]}],)" +
                       R"("salt":[{"raw":"sel","span":[21,24],"languages":[")" + lang +
                       R"("],"bounding_box_absolute":[300,40,320,90]}],)" +
                       R"("proteins":[{"raw":"protéines","span":[25,34],"languages":[")" + lang + R"("]}],)" +
                       R"("nutrient_value":[{"raw":")" + value_raw + R"("},{"raw":"3 g"},{"raw":"1 g"}]}})";
    auto p = make_prediction("nutrient_mention", std::nullopt, std::nullopt, data);
    p.id = 11;
    p.source_image = "/376/009/431/0634/2.jpg";
    return p;
}

}  // namespace

TEST_CASE("nutrition_image: qualifying language, crop, priority", "[unit]") {
    auto product = make_product();
    product.images["2"].full_width = 1000;
    product.images["2"].full_height = 1000;
    auto ctx = context(&product);
    auto orientation = make_prediction("image_orientation", std::nullopt, std::nullopt,
                                       R"({"orientation":"up","rotation":0,"count":{"up":20}})");
    orientation.source_image = "/376/009/431/0634/2.jpg";
    auto nutrient = make_prediction("nutrient", std::nullopt, std::nullopt, R"({"nutrients":{}})");
    nutrient.id = 12;
    nutrient.source_image = orientation.source_image;
    auto c = generate_candidates("nutrition_image", {mention_prediction("fr", true), orientation, nutrient}, ctx);
    REQUIRE(c.size() == 1);
    CHECK(c[0].value_tag == "fr");
    CHECK(c[0].automatic_processing);
    auto d = core::parse_json(c[0].data);
    CHECK(d["priority"].GetInt() == 1);
    CHECK(d["from_prediction_ids"]["nutrient"].GetInt() == 12);
    CHECK(d["nutrients"].Size() == 4);
    REQUIRE(c[0].bounding_box);
    CHECK(*c[0].bounding_box == "[0.09,0.03,0.33,0.21]");

    SECTION("no energy value -> nothing") {
        CHECK(generate_candidates("nutrition_image", {mention_prediction("fr", false), orientation}, ctx).empty());
    }
    SECTION("another language than the product's -> nothing") {
        CHECK(generate_candidates("nutrition_image", {mention_prediction("en", true), orientation}, ctx).empty());
    }
    SECTION("a nutrition image already selected -> nothing") {
        product.images["nutrition_fr"].imgid = "1";
        auto ctx2 = context(&product);
        CHECK(generate_candidates("nutrition_image", {mention_prediction("fr", true), orientation}, ctx2).empty());
    }
    SECTION("without the orientation prediction the importer produces nothing") {
        auto plan = plan_import("nutrition_image", {mention_prediction("fr", true)}, {}, ctx);
        CHECK(plan.inserts.empty());
    }
}
