// Insight JSON field order (api.md §2.1), prediction JSON (§2.2), CSV dump cells (§4.5), line parsing
// (pipeline.md §10.2 and the extract output format).
#include "robotoff/core/json.hpp"
#include "robotoff/insights/file_import.hpp"
#include "robotoff/insights/serialize.hpp"

#include <catch2/catch.hpp>

using namespace robotoff;
using namespace robotoff::insights;

namespace {

insight sample() {
    insight x;
    x.id = "6f1c2a9e-0c3d-4f7e-9a51-2b8d6e4c7a10";
    x.barcode = "3017620425035";
    x.type = "label";
    x.data = R"({"text":"bio, \"x\""})";
    x.timestamp = "2024-05-02T14:03:11.482913";
    x.countries = {"en:france"};
    x.value_tag = "en:organic";
    x.confidence = 0.5;
    x.with_image = true;
    return x;
}

}  // namespace

TEST_CASE("insight JSON: every field, in the order of api.md §2.1", "[unit]") {
    auto doc = core::parse_json(insight_json(sample()));
    std::vector<std::string> keys;
    for (const auto& m : doc.GetObject()) {
        keys.push_back(m.name.GetString());
    }
    CHECK(keys == std::vector<std::string>{"id", "barcode", "type", "data", "timestamp", "completed_at", "annotation",
                                           "annotated_result", "n_votes", "username", "countries", "brands",
                                           "process_after", "value_tag", "value", "source_image",
                                           "automatic_processing", "server_type", "unique_scans_n",
                                           "reserved_barcode", "predictor", "predictor_version", "campaign",
                                           "confidence", "bounding_box", "lc", "with_image"});
    CHECK(doc["data"]["text"] == "bio, \"x\"");
    CHECK(doc["annotation"].IsNull());
    CHECK(doc["lc"].IsNull());
    CHECK(doc["confidence"].GetDouble() == 0.5);
    CHECK(doc["server_type"] == "off");
    CHECK(doc["with_image"].GetBool());
}

TEST_CASE("CSV: header of field names, JSON cells, null empty, quoting", "[unit]") {
    std::string header = insight_csv_header();
    CHECK(header.rfind("id,barcode,type,data,timestamp,", 0) == 0);
    CHECK(header.find(",with_image\r\n") != std::string::npos);
    std::string row;
    append_insight_csv(row, sample());
    CHECK(row.rfind("6f1c2a9e-0c3d-4f7e-9a51-2b8d6e4c7a10,3017620425035,label,"
                    "\"{\"\"text\"\":\"\"bio, \\\"\"x\\\"\"\"\"}\",2024-05-02T14:03:11.482913,,,,0,,"
                    "\"[\"\"en:france\"\"]\",[],,en:organic,,,false,off,0,false,,,[],0.5,,,true\r\n",
                    0) == 0);
}

TEST_CASE("prediction JSON", "[unit]") {
    prediction p;
    p.id = 7;
    p.barcode = "3017620425035";
    p.type = "brand";
    p.value = "Lu";
    p.value_tag = "lu";
    p.timestamp = "2024-05-02T14:03:11.482913";
    auto doc = core::parse_json([&] {
        std::string s;
        append_prediction_json(s, p);
        return s;
    }());
    CHECK(doc["id"].GetInt() == 7);
    CHECK(doc["automatic_processing"].IsNull());
    CHECK(doc["value"] == "Lu");
    CHECK(doc.MemberCount() == 13);
}

TEST_CASE("prediction lines: extract output format", "[unit]") {
    auto v = parse_prediction_line(
        R"({"type":"label","value":null,"value_tag":"en:organic","data":{"text":"bio"},"predictor":"regex",)"
        R"("predictor_version":"1","automatic_processing":null,"confidence":null,"barcode":"0000012345",)"
        R"("server_type":"obf","source_image":"/000/001/234/5/1.jpg","source_file":"x.json"})",
        std::nullopt, core::server_type::off);
    REQUIRE(v.size() == 1);
    CHECK(v[0].barcode == "00012345");
    CHECK(v[0].server_type == core::server_type::obf);
    CHECK(v[0].value_tag == "en:organic");
    CHECK(v[0].data == R"({"text":"bio"})");
    CHECK_FALSE(v[0].automatic_processing);
    CHECK_THROWS(parse_prediction_line(R"({"value":"x","barcode":"1"})", std::nullopt, core::server_type::off));
    CHECK_THROWS(parse_prediction_line(R"({"type":"label","barcode":"1"})", std::string("brand"),
                                       core::server_type::off));
    CHECK_THROWS(parse_prediction_line("{not json", std::nullopt, core::server_type::off));
    CHECK_THROWS(parse_prediction_line(R"({"type":"label"})", std::nullopt, core::server_type::off));
}

TEST_CASE("prediction lines: legacy forms of pipeline.md §10.2", "[unit]") {
    auto batch = parse_prediction_line(
        R"({"barcode":"3017620425035","source":"/301/762/042/5035//4.json","insights":[)"
        R"({"text":"05/06/2025","raw":"05/06/2025","type":"full_digits_long"}]})",
        std::string("expiration_date"), core::server_type::off);
    REQUIRE(batch.size() == 1);
    CHECK(batch[0].value == "2025-06-05");
    CHECK(batch[0].source_image == "/301/762/042/5035/4.jpg");

    auto cat = parse_prediction_line(
        R"({"barcode":"3017620425035","category":"en:cookies","confidence":0.8,"lang":"fr"})",
                                     std::string("category"), core::server_type::off);
    REQUIRE(cat.size() == 1);
    CHECK(cat[0].value_tag == "en:cookies");
    CHECK(cat[0].predictor == "model");
    CHECK(cat[0].data == R"({"lang":"fr"})");

    auto spell = parse_prediction_line(
        R"({"barcode":"3017620425035","text":"frasie, sucre",)"
        R"("corrections":[{"start_offset":0,"end_offset":6,"correction":"fraise"}]})",
        std::string("ingredient_spellcheck"), core::server_type::off);
    REQUIRE(spell.size() == 1);
    CHECK(spell[0].value_tag == "fr");
    auto d = core::parse_json(spell[0].data);
    CHECK(d["correction"] == "fraise, sucre");
    CHECK(d["original"] == "frasie, sucre");
}
