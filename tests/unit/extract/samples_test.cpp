// The default set on the real Vision responses of ../shared/samples/ocr: what a person reading the photo
// (or its OCR text) expects.

#include "helpers.hpp"

#include <catch2/catch.hpp>

using namespace test_extract;

namespace {

const std::string samples = ROBOTOFF_SHARED_DIR "/samples/ocr/";

std::vector<prediction> default_set(const std::string& file) {
    const auto ocr = robotoff::ocr::parse_vision_file(samples + file);
    return robotoff::extract::extract(ocr, shared_rules(), robotoff::extract::default_types(), opts_2025());
}

std::vector<prediction> of_type(const std::vector<prediction>& ps, const std::string& type) {
    std::vector<prediction> out;
    for (const auto& p : ps) {
        if (p.type == type) {
            out.push_back(p);
        }
    }
    return out;
}

}  // namespace

TEST_CASE("samples: 0011110702081_2, a US nutrition facts table", "[unit]") {
    const auto ps = default_set("0011110702081_2.json");
    const auto nutrient = of_type(ps, "nutrient");
    REQUIRE(nutrient.size() == 1);
    const auto d = data(nutrient[0]);
    CHECK(str(d["nutrients"]["fat"][0], "raw") == "Total Fat 0g");
    CHECK(str(d["nutrients"]["sugar"][0], "value") == "2");
    CHECK(str(d["nutrients"]["carbohydrate"][0], "raw") == "Total Carbohydrate 3g");
    CHECK(str(d["nutrients"]["protein"][0], "value") == "1");
    const auto mentions = of_type(ps, "nutrient_mention");
    REQUIRE(mentions.size() == 1);
    CHECK(data(mentions[0])["mentions"].HasMember("nutrition_values"));
    const auto orientation = of_type(ps, "image_orientation");
    REQUIRE(orientation.size() == 1);
    CHECK(str(data(orientation[0]), "orientation") == "up");
    CHECK(of_type(ps, "product_weight").empty());
}

TEST_CASE("samples: 2509757363133_2, a French nutrition table photographed sideways", "[unit]") {
    const auto ps = default_set("2509757363133_2.json");
    const auto weight = of_type(ps, "product_weight");
    REQUIRE(weight.size() == 1);
    CHECK(weight[0].value == "90 g");
    CHECK(str(data(weight[0]), "prompt") == "Poids net");
    CHECK(weight[0].automatic_processing == true);
    REQUIRE(data(weight[0]).HasMember("bounding_box_absolute"));
    const auto nutrient = of_type(ps, "nutrient");
    REQUIRE(nutrient.size() == 1);
    const auto d = data(nutrient[0]);
    CHECK(str(d["nutrients"]["energy"][0], "raw") == "Energie: 2393kJ");
    CHECK(str(d["nutrients"]["fat"][0], "value") == "37");
    CHECK(str(d["nutrients"]["saturated_fat"][0], "value") == "23");
    const auto orientation = of_type(ps, "image_orientation");
    REQUIRE(orientation.size() == 1);
    CHECK(str(data(orientation[0]), "orientation") == "left");
    CHECK(data(orientation[0])["rotation"].GetInt() == 90);
}

TEST_CASE("samples: 5400910301160_1, Nutridia gluten-free product", "[unit]") {
    const auto ps = default_set("5400910301160_1.json");
    const auto labels = of_type(ps, "label");
    CHECK(tag_set(labels) == std::set<std::string>{"en:no-gluten"});
    REQUIRE(labels.size() == 2);
    CHECK(str(data(labels[0]), "text") == "GLUTENVRIJ");
    CHECK(str(data(labels[1]), "text") == "SANS GLUTEN");
    const auto brands = of_type(ps, "brand");
    REQUIRE(brands.size() == 1);
    CHECK(brands[0].value == "Nutridia");
    // The word NUTRIDIA sits inside [337, 327, 427, 436] (off_python get_words_in_area vector).
    const auto box = data(brands[0])["bounding_box_absolute"].GetArray();
    CHECK(box[0].GetInt() >= 337);
    CHECK(box[1].GetInt() >= 327);
    CHECK(box[2].GetInt() <= 427);
    CHECK(box[3].GetInt() <= 436);
}

TEST_CASE("samples: 0890000001202_1, Materne 4 x 90 g", "[unit]") {
    const auto ps = default_set("0890000001202_1.json");
    const auto weight = of_type(ps, "product_weight");
    REQUIRE(weight.size() == 1);
    CHECK(weight[0].value == "4 x 90 g");
    CHECK(str(data(weight[0]), "matcher_type") == "multi_packaging");
    const auto brands = of_type(ps, "brand");
    REQUIRE_FALSE(brands.empty());
    CHECK(brands[0].value == "Materne");
    CHECK(data(brands[0])["bounding_box_absolute"][0].GetInt() == 101);
}

TEST_CASE("samples: 9421023629015_5, Manuka Health", "[unit]") {
    const auto ps = default_set("9421023629015_5.json");
    const auto brands = of_type(ps, "brand");
    REQUIRE(brands.size() >= 1);
    CHECK(brands[0].value == "Manuka Health");
    CHECK(str(data(brands[0]), "text") == "manuka health");
}

TEST_CASE("samples: 3038350013804_11, Panzani recipe", "[unit]") {
    const auto ps = default_set("3038350013804_11.json");
    const auto brands = of_type(ps, "brand");
    REQUIRE(brands.size() == 1);
    CHECK(brands[0].value == "Panzani");
    CHECK(of_type(ps, "product_weight").empty());  // "400 g de Penne" is a recipe quantity, not a net weight
    CHECK(of_type(ps, "packager_code").empty());
}

TEST_CASE("samples: face_detection, people in the photo", "[unit]") {
    const auto ps = of_type(default_set("face_detection.json"), "image_flag");
    REQUIRE(ps.size() == 2);
    CHECK(str(data(ps[0]), "type") == "label_annotation");
    CHECK(str(data(ps[1]), "type") == "face_annotation");
    CHECK(ps[1].confidence == Approx(0.92));
}

TEST_CASE("samples: every file gives orientation and language predictions", "[unit]") {
    for (const char* name : {"0011110702081_2.json", "0890000001202_1.json", "2509757363133_2.json",
                             "3038350013804_11.json", "4903015130266_2.json", "5000159422345_3.json.gz",
                             "5400910301160_1.json", "9421023629015_5.json"}) {
        INFO(name);
        const auto ps = default_set(name);
        CHECK(of_type(ps, "image_lang").size() == 1);
        CHECK(of_type(ps, "image_orientation").size() == 1);
    }
}
