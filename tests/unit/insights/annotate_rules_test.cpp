// Pure parts of annotation (pipeline.md §6): vote decisions, user-data schemas (reference "annotate" suite),
// status strings.
#include "robotoff/core/file_io.hpp"
#include "robotoff/core/json.hpp"
#include "robotoff/insights/annotate.hpp"

#include <catch2/catch.hpp>

#include <sstream>

using namespace robotoff;
using namespace robotoff::insights;

TEST_CASE("votes: 3 agreeing decide, 2 against 2 is ambiguous (pipeline.md §6.2 table)", "[unit]") {
    CHECK_FALSE(vote_decision({{1, 2}}));
    CHECK(vote_decision({{1, 3}}) == 1);
    CHECK(vote_decision({{1, 2}, {0, 2}}) == -1);
    CHECK(vote_decision({{0, 3}, {1, 1}}) == 0);
    CHECK_FALSE(vote_decision({{1, 1}}));
    CHECK(vote_decision({{0, 2}, {1, 3}}) == -1);  // ambiguity wins over a 3-vote majority
    CHECK_FALSE(vote_decision({}));
}

TEST_CASE("annotation data schemas", "[unit]") {
    CHECK(valid_annotation_data("category", R"({"value_tag":"en:cookies"})"));
    CHECK_FALSE(valid_annotation_data("category", R"({})"));
    CHECK_FALSE(valid_annotation_data("category", R"({"invalid_key":"v"})"));
    CHECK_FALSE(valid_annotation_data("category", R"({"value_tag":1})"));
    CHECK_FALSE(valid_annotation_data("category", R"({"value_tag":"en:a","x":1})"));
    CHECK(valid_annotation_data("ingredient_spellcheck", R"({"annotation":"List of ingredients"})"));
    CHECK(valid_annotation_data("ingredient_spellcheck",
                                R"({"annotation":"a","rotation":90,"bounding_box":[0.1,0.1,0.5,0.5]})"));
    CHECK_FALSE(
        valid_annotation_data("ingredient_spellcheck", R"({"annotation":"a","bounding_box":[0.5,0.1,0.1,0.5]})"));
    CHECK_FALSE(valid_annotation_data("ingredient_spellcheck", R"({"annotation":"a","bounding_box":[0,0,2,1]})"));
    CHECK_FALSE(valid_annotation_data("ingredient_spellcheck", R"({"annotation":"a","rotation":"x"})"));
    CHECK_FALSE(valid_annotation_data("label", R"({"value_tag":"en:organic"})"));
    CHECK_FALSE(valid_annotation_data("category", "not json"));
}

TEST_CASE("annotation data schemas: reference cases that must be rejected", "[unit]") {
    std::istringstream in(core::read_file(ROBOTOFF_SHARED_DIR "/vectors/cases.jsonl"));
    std::string line;
    int checked = 0;
    while (std::getline(in, line)) {
        auto doc = core::parse_json(line);
        std::string notes = doc["notes"].GetString();
        if (std::string(doc["suite"].GetString()) != "annotate" || !doc["expected"].IsObject() ||
            !doc["expected"].HasMember("raises") || notes.find("IngredientSpellcheckAnnotator") == std::string::npos) {
            continue;
        }
        CHECK_FALSE(valid_annotation_data("ingredient_spellcheck", core::to_json(doc["input"])));
        ++checked;
    }
    CHECK(checked == 2);
}

TEST_CASE("status codes and strings are stable (api.md §5.3)", "[unit]") {
    const std::vector<std::pair<int, std::string>> expected = {
        {1, "saved"}, {2, "updated"}, {3, "error_missing_product"}, {4, "error_updated_product"},
        {5, "error_already_annotated"}, {6, "error_unknown_insight"}, {8, "error_invalid_image"},
        {9, "vote_saved"}, {10, "error_failed_update"}, {11, "error_invalid_data"}, {12, "user_input_updated"},
        {13, "cannot_vote"}};
    for (const auto& [code, text] : expected) {
        auto r = make_result(code);
        CHECK(r.status_code == code);
        CHECK(r.status == text);
        CHECK_FALSE(r.description.empty());
    }
}
