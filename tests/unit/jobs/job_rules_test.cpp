#include "robotoff/jobs/job.hpp"

#include <catch2/catch.hpp>

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
