// Prediction JSON lines, the rule-data loader (missing lists, malformed lines), the dispatcher.

#include "helpers.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include <unistd.h>

using namespace test_extract;
namespace fs = std::filesystem;

TEST_CASE("prediction: JSON line key order and round trip", "[unit]") {
    prediction p;
    p.type = "product_weight";
    p.value = "500 g";
    p.data = R"({"raw":"500g","priority":1})";
    p.predictor = "regex";
    p.automatic_processing = true;
    p.confidence = 0.5;
    p.barcode = "3017620425035";
    p.server_type = "off";
    p.source_image = "/301/762/042/5035/4.jpg";
    p.source_file = "x.json";
    const std::string line = robotoff::extract::to_json_line(p);
    CHECK(line == R"({"type":"product_weight","value":"500 g","value_tag":null,"data":{"raw":"500g","priority":1},)"
                  R"("predictor":"regex","predictor_version":"1","automatic_processing":true,"confidence":0.5,)"
                  R"("barcode":"3017620425035","server_type":"off","source_image":"/301/762/042/5035/4.jpg",)"
                  R"("source_file":"x.json"})");
    const prediction back = robotoff::extract::prediction_from_json(line);
    CHECK(back.type == p.type);
    CHECK(back.value == p.value);
    CHECK_FALSE(back.value_tag);
    CHECK(back.data == p.data);
    CHECK(back.predictor == p.predictor);
    CHECK(back.automatic_processing == true);
    CHECK(back.confidence == Approx(0.5));
    CHECK(back.barcode == p.barcode);
    CHECK(back.source_image == p.source_image);
    CHECK(robotoff::extract::to_json_line(back) == line);
}

TEST_CASE("prediction: parser defaults and errors", "[unit]") {
    const auto p = robotoff::extract::prediction_from_json(R"({"type":"label","value_tag":"en:organic"})");
    CHECK(p.data == "{}");
    CHECK(p.predictor_version == "1");
    CHECK_FALSE(p.automatic_processing);
    using robotoff::extract::prediction_format_error;
    CHECK_THROWS_AS(robotoff::extract::prediction_from_json("nope"), prediction_format_error);
    CHECK_THROWS_AS(robotoff::extract::prediction_from_json("[]"), prediction_format_error);
    CHECK_THROWS_AS(robotoff::extract::prediction_from_json(R"({"value":"x"})"), prediction_format_error);
    CHECK_THROWS_WITH(robotoff::extract::prediction_from_json(R"({"type":"label","data":[1]})"),
                      Catch::Contains("\"data\""));
    CHECK_THROWS_WITH(robotoff::extract::prediction_from_json(R"({"type":"label","confidence":"high"})"),
                      Catch::Contains("\"confidence\""));
}

TEST_CASE("rules: the shared data loads completely", "[unit]") {
    const auto& r = shared_rules();
    CHECK(r.disabled().empty());
    for (const auto& w : r.warnings()) {
        INFO(w);
        CHECK(w.find("missing") == std::string::npos);
    }
}

TEST_CASE("rules: a missing list disables only its extractor; malformed lines are skipped by name", "[unit]") {
    const fs::path dir = fs::temp_directory_path() / ("robotoff_rules_test_" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir / "ocr");
    {
        std::ofstream(dir / "ocr" / "store_regex.txt") << "// stores\nIntermarché||chabrior\nBad||(unclosed\nCasino\n";
        std::ofstream(dir / "ocr" / "label_flashtext.txt")
            << "en:no-gluten||sans gluten\nbroken line\n\nen:vegan||vegan\n";
    }
    const auto r = robotoff::extract::load_rules(dir.string());
    CHECK(r.is_disabled("trace"));
    CHECK(r.is_disabled("location"));
    CHECK(r.is_disabled("packaging"));
    CHECK(r.is_disabled("category"));
    CHECK_FALSE(r.is_disabled("store"));
    CHECK_FALSE(r.is_disabled("label"));
    CHECK_FALSE(r.is_disabled("product_weight"));
    bool bad_pattern = false;
    bool broken_line = false;
    for (const auto& w : r.warnings()) {
        bad_pattern = bad_pattern || w.find("store_regex.txt:3") != std::string::npos;
        broken_line = broken_line || w.find("label_flashtext.txt:2") != std::string::npos;
    }
    CHECK(bad_pattern);
    CHECK(broken_line);
    const auto ocr = robotoff::ocr::from_ocr_text("CHABRIOR sans gluten, vegan, casino. Poids net 500 g");
    const auto ps = robotoff::extract::extract(ocr, r, robotoff::extract::default_types());
    std::vector<std::string> types;
    for (const auto& p : ps) {
        types.push_back(p.type + ":" + p.value.value_or(p.value_tag.value_or("")));
    }
    CHECK(types == std::vector<std::string>{"label:en:no-gluten", "label:en:vegan", "product_weight:500 g",
                                            "store:Intermarché", "store:Casino", "nutrient_mention:"});
    fs::remove_all(dir);
}

TEST_CASE("rules: only the lists of the requested types", "[unit]") {
    const auto r = robotoff::extract::load_rules(data_dir, {}, {"label", "product_weight"});
    CHECK(r.warnings().empty());
    CHECK(r.is_disabled("store"));
    CHECK(r.is_disabled("location"));
    CHECK(r.is_disabled("category"));
    CHECK_FALSE(r.is_disabled("label"));
    const auto ocr = robotoff::ocr::from_ocr_text("CHABRIOR sans gluten");
    const auto ps = robotoff::extract::extract(ocr, r, {"label", "store"});
    REQUIRE(ps.size() == 1);
    CHECK(ps[0].value_tag == "en:no-gluten");
}

TEST_CASE("dispatcher: default set order, unknown types, product names", "[unit]") {
    const auto& d = robotoff::extract::default_types();
    CHECK(d == std::vector<std::string>{"category", "label", "packager_code", "product_weight", "image_flag",
                                        "expiration_date", "brand", "store", "packaging", "nutrient",
                                        "nutrient_mention", "image_lang", "image_orientation"});
    CHECK(robotoff::extract::is_known_type("trace"));
    CHECK(robotoff::extract::is_known_type("location"));
    CHECK_FALSE(robotoff::extract::is_known_type("ingredient_spellcheck"));
    const auto ocr = robotoff::ocr::from_ocr_text("x");
    CHECK_THROWS_AS(robotoff::extract::extract(ocr, shared_rules(), {"bogus"}), std::invalid_argument);

    const auto ps = robotoff::extract::extract_product_name("Coca-Cola cocacola bio 6 x 33cl sans gluten",
                                                            shared_rules(), opts_2025());
    std::vector<std::string> types;
    for (const auto& p : ps) {
        types.push_back(p.type);
        CHECK(p.automatic_processing == false);
        CHECK(str(data(p), "source") == "product_name");
        CHECK_FALSE(data(p).HasMember("bounding_box_absolute"));
        CHECK_FALSE(p.source_image);
    }
    REQUIRE(types.size() >= 3);
    CHECK(types[0] == "label");
    CHECK(types[1] == "product_weight");
    CHECK(types[2] == "brand");
    CHECK(ps[2].value == "Coca-Cola");
}
