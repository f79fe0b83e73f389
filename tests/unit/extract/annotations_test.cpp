// Extractors reading Vision annotations: image_flag (§5.10), logos of label (§5.2c) and brand (§5.5),
// image_orientation (§5.11), image_lang (§5.12).

#include "helpers.hpp"

#include <catch2/catch.hpp>

using namespace test_extract;
using robotoff::ocr::parse_vision_json;

namespace {

std::vector<prediction> run_json(const std::string& type, const std::string& json) {
    const auto ocr = parse_vision_json(json);
    return robotoff::extract::extract(ocr, shared_rules(), {type}, opts_2025());
}

std::vector<prediction> of_kind(const std::vector<prediction>& ps, const std::string& kind) {
    std::vector<prediction> out;
    for (const auto& p : ps) {
        if (str(data(p), "type") == kind) {
            out.push_back(p);
        }
    }
    return out;
}

}  // namespace

TEST_CASE("image_flag: label annotations (vectors)", "[unit]") {
    const std::string face = R"({"responses":[{"labelAnnotations":[{"description":"Face","score":0.8}]}]})";
    auto ps = of_kind(run_json("image_flag", face), "label_annotation");
    REQUIRE(ps.size() == 1);
    auto d = data(ps[0]);
    CHECK(str(d, "label") == "face");
    CHECK(d["likelihood"].GetDouble() == Approx(0.8));
    CHECK(ps[0].confidence == Approx(0.8));
    CHECK(ps[0].predictor_version == "1");
    // Below 0.6, or not in the set: nothing; only the first qualifying label.
    CHECK(run_json("image_flag", R"({"responses":[{"labelAnnotations":[{"description":"Face","score":0.5}]}]})")
              .empty());
    CHECK(run_json("image_flag", R"({"responses":[{"labelAnnotations":[{"description":"Food","score":0.9}]}]})")
              .empty());
    ps = run_json("image_flag", R"({"responses":[{"labelAnnotations":[{"description":"Dog","score":0.7},)"
                                R"({"description":"Cat","score":0.9}]}]})");
    REQUIRE(ps.size() == 1);
    CHECK(str(data(ps[0]), "label") == "dog");
}

TEST_CASE("image_flag: face annotations (vectors)", "[unit]") {
    CHECK(of_kind(run_json("image_flag", R"({"responses":[{"faceAnnotations":[{"detectionConfidence":0.4,)"
                                         R"("joyLikelihood":"VERY_LIKELY"}]}]})"),
                  "face_annotation")
              .empty());
    const auto ps = of_kind(run_json("image_flag", R"({"responses":[{"faceAnnotations":[{"detectionConfidence":0.7},)"
                                                   R"({"detectionConfidence":0.9},{"detectionConfidence":0.8}]}]})"),
                            "face_annotation");
    REQUIRE(ps.size() == 1);
    CHECK(data(ps[0])["likelihood"].GetDouble() == Approx(0.9));
    CHECK(ps[0].confidence == Approx(0.9));
    CHECK(str(data(ps[0]), "label") == "face");
}

TEST_CASE("image_flag: safe search", "[unit]") {
    const auto ps = run_json("image_flag", R"({"responses":[{"safeSearchAnnotation":{"adult":"VERY_LIKELY",)"
                                           R"("violence":"VERY_LIKELY","racy":"VERY_LIKELY","spoof":"LIKELY"}}]})");
    REQUIRE(ps.size() == 2);
    CHECK(str(data(ps[0]), "label") == "adult");
    CHECK(str(data(ps[1]), "label") == "violence");
    CHECK(str(data(ps[0]), "likelihood") == "VERY_LIKELY");
    CHECK(run_json("image_flag", R"({"responses":[{"safeSearchAnnotation":{"adult":"LIKELY"}}]})").empty());
}

TEST_CASE("label and brand: Vision logos", "[unit]") {
    const std::string json = R"({"responses":[{"logoAnnotations":[{"description":"label rouge","score":0.77},)"
                             R"({"description":"Andros","score":0.66},{"description":"Label Rouge","score":0.9}]}]})";
    auto ps = run_json("label", json);
    REQUIRE(ps.size() == 1);  // exact, case-sensitive description
    CHECK(ps[0].value_tag == "fr:label-rouge");
    CHECK(ps[0].predictor == "google-cloud-vision");
    CHECK(ps[0].confidence == Approx(0.77));
    CHECK(ps[0].automatic_processing == false);
    CHECK(ps[0].data == "{}");
    ps = run_json("brand", json);
    REQUIRE(ps.size() == 1);
    CHECK(ps[0].value == "Andros");
    CHECK(ps[0].value_tag == "andros");
    CHECK(ps[0].predictor == "google-cloud-vision");
    CHECK(ps[0].confidence == Approx(0.66));
}

TEST_CASE("image_orientation and image_lang need a fullTextAnnotation", "[unit]") {
    CHECK(run("image_orientation", "texte sans positions").empty());
    CHECK(run("image_lang", "texte sans positions").empty());
    const std::string word_up = R"({"symbols":[{"text":"a","property":{"detectedBreak":{"type":"SPACE"}}}],)"
                                R"("property":{"detectedLanguages":[{"languageCode":"fr"}]},)"
                                R"("boundingBox":{"vertices":[{"x":0,"y":0},{"x":10,"y":0},)"
                                R"({"x":10,"y":5},{"x":0,"y":5}]}})";
    const std::string word_left = R"({"symbols":[{"text":"b"}],)"
                                  R"("boundingBox":{"vertices":[{"x":0,"y":10},{"x":0,"y":0},)"
                                  R"({"x":5,"y":0},{"x":5,"y":10}]}})";
    const std::string json = R"({"responses":[{"fullTextAnnotation":{"pages":[{"blocks":[{"paragraphs":[{"words":[)" +
                             word_left + "," + word_up + "," + word_up + "]}]}]}]}}]}";
    auto ps = run_json("image_orientation", json);
    REQUIRE(ps.size() == 1);
    CHECK(ps[0].data == R"({"count":{"left":1,"up":2},"orientation":"up","rotation":0})");
    CHECK_FALSE(ps[0].value_tag);
    ps = run_json("image_lang", json);
    REQUIRE(ps.size() == 1);
    const auto d = data(ps[0]);
    CHECK(d["count"]["fr"].GetInt() == 2);
    CHECK(d["count"]["null"].GetInt() == 1);
    CHECK(d["count"]["words"].GetInt() == 3);
    CHECK(d["percent"]["fr"].GetDouble() == Approx(66.6667).epsilon(1e-4));
    CHECK(d["percent"]["null"].GetDouble() == Approx(33.3333).epsilon(1e-4));
    CHECK_FALSE(d["percent"].HasMember("words"));
}
