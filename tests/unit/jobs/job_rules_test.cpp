#include "robotoff/jobs/job.hpp"

#include <catch2/catch.hpp>

#include <algorithm>

using namespace robotoff;
using namespace std::chrono;

TEST_CASE("retry back-off: 30 s x 2^(n-1), at most 1 h", "[unit]") {
    CHECK(jobs::retry_delay(1) == seconds(30));
    CHECK(jobs::retry_delay(2) == seconds(60));
    CHECK(jobs::retry_delay(3) == seconds(120));
    CHECK(jobs::retry_delay(7) == seconds(1920));
    CHECK(jobs::retry_delay(8) == seconds(3600));
    CHECK(jobs::retry_delay(50) == seconds(3600));
}

TEST_CASE("product_updated merges diffs; other kinds keep the first payload", "[unit]") {
    std::string a = R"({"dedup_key":"updated:off:1","diffs":{"fields":{"change":["product_name"]},)"
                    R"("uploaded_images":{"add":["3"]}}})";
    std::string b = R"({"dedup_key":"updated:off:1","diffs":{"fields":{"change":["product_name","quantity"],)"
                    R"("add":["brands"]},"nutriments":{"x":1}}})";
    auto merged = core::parse_json(jobs::merge_payload("product_updated", a, b));
    const auto& diffs = merged["diffs"];
    REQUIRE(diffs["fields"]["change"].Size() == 2);
    CHECK(std::string(diffs["fields"]["change"][0].GetString()) == "product_name");
    CHECK(std::string(diffs["fields"]["change"][1].GetString()) == "quantity");
    CHECK(diffs["fields"]["add"].Size() == 1);
    CHECK(diffs["uploaded_images"]["add"].Size() == 1);
    CHECK(diffs["nutriments"]["x"].GetInt() == 1);

    // Empty diffs (a creation) mean "look at everything" and absorb any other diff.
    auto created = core::parse_json(jobs::merge_payload("product_updated", a, R"({"diffs":{}})"));
    CHECK(created["diffs"].ObjectEmpty());

    CHECK(jobs::merge_payload("import_image", R"({"x":1})", R"({"x":2})") == R"({"x":1})");
}

TEST_CASE("product payloads and dedup keys", "[unit]") {
    auto key = jobs::dedup_key_for("import_image", "off:3017620425035", "4");
    CHECK(key == "image:off:3017620425035:4");
    auto p = core::parse_json(jobs::product_payload(core::server_type::off, "3017620425035", key,
                                                    R"({"image_id":"4","ocr_checks":0})"));
    CHECK(std::string(p["product_key"].GetString()) == "off:3017620425035");
    CHECK(std::string(p["dedup_key"].GetString()) == key);
    CHECK(std::string(p["image_id"].GetString()) == "4");
    CHECK(p["ocr_checks"].GetInt() == 0);
    CHECK(jobs::dedup_key_for("product_updated", "obf:1") == "updated:obf:1");
    CHECK(jobs::dedup_key_for("refresh_product", "off:1") == "refresh:off:1");
    CHECK(jobs::dedup_key_for("cleanup", "") == "cleanup");
    auto plain = core::parse_json(jobs::product_payload(core::server_type::opff, "1", ""));
    CHECK_FALSE(plain.HasMember("dedup_key"));
}

TEST_CASE("image-import flag sets and the flags member", "[unit]") {
    CHECK(jobs::all_image_flags().size() == 7);
    CHECK(jobs::upload_image_flags() ==
          jobs::image_flags{"add_image_fingerprint", "run_nutrition_table_object_detection"});
    CHECK(jobs::ocr_image_flags() == jobs::image_flags{"run_logo_object_detection", "import_insights_from_image",
                                                       "extract_ingredients", "extract_nutrition",
                                                       "predict_category"});
    CHECK(jobs::image_flags_json(jobs::upload_image_flags()) ==
          R"(["add_image_fingerprint","run_nutrition_table_object_detection"])");
    CHECK(jobs::image_flags_json({}) == "[]");

    auto all = core::parse_json(R"({"image_id":"1"})");
    CHECK_FALSE(jobs::image_flags_of(all));
    CHECK(jobs::has_image_flag(all, jobs::image_flag::import_insights_from_image));
    auto upload = core::parse_json(R"({"flags":["add_image_fingerprint",3]})");
    CHECK(jobs::image_flags_of(upload) == jobs::image_flags{"add_image_fingerprint"});
    CHECK(jobs::has_image_flag(upload, jobs::image_flag::add_image_fingerprint));
    CHECK_FALSE(jobs::has_image_flag(upload, jobs::image_flag::import_insights_from_image));
    // An empty list asks for nothing (not for everything).
    CHECK_FALSE(jobs::has_image_flag(core::parse_json(R"({"flags":[]})"), jobs::image_flag::add_image_fingerprint));
}

TEST_CASE("import_image payloads carry the flags; merging unions them, absent = all", "[unit]") {
    auto p = core::parse_json(jobs::import_image_payload(core::server_type::obf, "3017620425035", "4", "i.jpg",
                                                         "i.json", jobs::ocr_image_flags()));
    CHECK(std::string(p["dedup_key"].GetString()) == "image:obf:3017620425035:4");
    CHECK(std::string(p["product_key"].GetString()) == "obf:3017620425035");
    CHECK(std::string(p["image_url"].GetString()) == "i.jpg");
    CHECK(std::string(p["ocr_url"].GetString()) == "i.json");
    CHECK(p["ocr_checks"].GetInt() == 0);
    CHECK(jobs::image_flags_of(p) == jobs::ocr_image_flags());
    auto plain = core::parse_json(jobs::import_image_payload(core::server_type::off, "1", "2", "a", "b"));
    CHECK_FALSE(plain.HasMember("flags"));

    std::string upload = R"({"image_id":"4","ocr_checks":2,"flags":["add_image_fingerprint",)"
                         R"("run_nutrition_table_object_detection"]})";
    std::string ocr = R"({"image_id":"4","ocr_checks":0,"flags":["import_insights_from_image",)"
                      R"("add_image_fingerprint"]})";
    auto merged = core::parse_json(jobs::merge_payload("import_image", upload, ocr));
    CHECK(jobs::image_flags_of(merged) == jobs::image_flags{"add_image_fingerprint",
                                                            "run_nutrition_table_object_detection",
                                                            "import_insights_from_image"});
    CHECK(merged["ocr_checks"].GetInt() == 2);  // the rest of the pending job is kept
    // No flags on either side: all flags, so no member.
    CHECK_FALSE(core::parse_json(jobs::merge_payload("import_image", upload, R"({"image_id":"4"})"))
                    .HasMember("flags"));
    CHECK_FALSE(core::parse_json(jobs::merge_payload("import_image", R"({"image_id":"4"})", ocr)).HasMember("flags"));
}

TEST_CASE("product_type_switched: a kind with its dedup key; product_updated keeps force_category", "[unit]") {
    CHECK(jobs::dedup_key_for("product_type_switched", "off:3017620425035") == "type_switch:off:3017620425035");
    const auto& kinds = jobs::all_kinds();
    CHECK(std::find(kinds.begin(), kinds.end(), "product_type_switched") != kinds.end());

    auto forced = core::parse_json(jobs::merge_payload(
        "product_updated", R"({"diffs":{"fields":{"change":["quantity"]}}})", R"({"diffs":{},"force_category":true})"));
    CHECK(forced["diffs"].ObjectEmpty());
    CHECK(forced["force_category"].GetBool());
    auto kept = core::parse_json(
        jobs::merge_payload("product_updated", R"({"diffs":{},"force_category":true})", R"({"diffs":{}})"));
    CHECK(kept["force_category"].GetBool());
}
