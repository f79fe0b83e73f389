// The mapping of intake.md §3.4 on the example entries of §1.5 and the shapes around them.

#include "robotoff/core/json.hpp"
#include "robotoff/intake/event.hpp"

#include <catch2/catch.hpp>

using namespace robotoff;
using intake::plan_entry;
using intake::source;
using intake::stream_entry;

namespace {

stream_entry update(std::string code, std::string user, std::string diffs, std::string action = "updated") {
    return {"1718822400123-0",
            {{"timestamp", "1718822400"},
             {"code", std::move(code)},
             {"rev", "57"},
             {"product_type", "food"},
             {"flavor", "off"},
             {"user_id", std::move(user)},
             {"action", std::move(action)},
             {"comment", ""},
             {"diffs", std::move(diffs)},
             {"ip", "203.0.113.7"},
             {"client_id", "smoothie"}}};
}

void set_field(stream_entry& e, const std::string& name, const std::string& value) {
    for (auto& [k, v] : e.fields) {
        if (k == name) {
            v = value;
            return;
        }
    }
    e.fields.emplace_back(name, value);
}

std::vector<std::string> kinds(const intake::planned_entry& p) {
    std::vector<std::string> out;
    for (const auto& j : p.jobs) {
        out.push_back(j.kind);
    }
    return out;
}

rapidjson::Document payload(const jobs::new_job& j) {
    return core::parse_json(j.payload);
}

}  // namespace

TEST_CASE("an image upload imports every added image with the upload flags", "[unit]") {
    intake::mapping_settings s;
    auto p = plan_entry(source::product_updates, update("3017620425035", "alice", R"({"uploaded_images":{"add":["12", 13]}})"), s);
    REQUIRE(p.outcome == "enqueued");
    REQUIRE(kinds(p) == std::vector<std::string>{"import_image", "import_image"});
    auto first = payload(p.jobs[0]);
    CHECK(*core::get_string(first, "image_id") == "12");
    CHECK(*core::get_string(first, "image_url") ==
          "https://images.openfoodfacts.org/images/products/301/762/042/5035/12.jpg");
    CHECK(*core::get_string(first, "ocr_url") ==
          "https://images.openfoodfacts.org/images/products/301/762/042/5035/12.json");
    CHECK(core::to_json(*core::get_member(first, "flags")) ==
          R"(["add_image_fingerprint","run_nutrition_table_object_detection"])");
    CHECK(*core::get_string(payload(p.jobs[1]), "image_id") == "13");
    CHECK(p.jobs[0].delay.count() == 0);
    CHECK(p.jobs[0].priority == 0);
}

TEST_CASE("without ocr_ready events an upload runs the whole import (no flags member)", "[unit]") {
    intake::mapping_settings s;
    s.ocr_ready_enabled = false;
    auto p = plan_entry(source::product_updates, update("3017620425035", "alice", R"({"uploaded_images":{"add":["3"]}})"), s);
    REQUIRE(kinds(p) == std::vector<std::string>{"import_image"});
    CHECK(core::get_member(payload(p.jobs[0]), "flags") == nullptr);
}

TEST_CASE("an upload that also changes fields gets product_updated, delayed", "[unit]") {
    intake::mapping_settings s;
    s.updated_wait = std::chrono::seconds(7);
    auto p = plan_entry(source::product_updates,
                        update("3017620425035", "alice", R"({"uploaded_images":{"add":["3"]},"fields":{"change":["brands"]}})"),
                        s);
    REQUIRE(kinds(p) == std::vector<std::string>{"import_image", "product_updated"});
    CHECK(p.jobs[1].delay.count() == 7);
    auto d = payload(p.jobs[1]);
    CHECK(core::to_json(*core::get_member(d, "diffs")) ==
          R"({"uploaded_images":{"add":["3"]},"fields":{"change":["brands"]}})");
    CHECK(*core::get_string(d, "dedup_key") == "updated:off:3017620425035");
}

TEST_CASE("field and nutriment changes of a bulk editor are low priority", "[unit]") {
    intake::mapping_settings s;
    auto p = plan_entry(source::product_updates,
                        update("3017620425035", "scanbot",
                               R"({"fields":{"change":["product_name","product_name_fr"]},"nutriments":{"add":["salt"]}})"),
                        s);
    REQUIRE(kinds(p) == std::vector<std::string>{"product_updated"});
    CHECK(p.jobs[0].priority == 1);
    auto normal = plan_entry(source::product_updates, update("3017620425035", "bob", R"({"fields":{"add":["brands"]}})"), s);
    CHECK(normal.jobs.at(0).priority == 0);
}

TEST_CASE("a product type switch wins over everything else in the event", "[unit]") {
    intake::mapping_settings s;
    auto p = plan_entry(source::product_updates,
                        update("3560070000001", "bob", R"({"fields":{"change":["product_type"]},"uploaded_images":{"add":["1"]}})"),
                        s);
    REQUIRE(kinds(p) == std::vector<std::string>{"product_type_switched"});
    CHECK(p.jobs[0].delay == s.updated_wait);
}

TEST_CASE("deletions: product and image", "[unit]") {
    intake::mapping_settings s;
    auto deleted = plan_entry(source::product_updates, update("3017620425035", "alice", "{}", "deleted"), s);
    REQUIRE(kinds(deleted) == std::vector<std::string>{"product_deleted"});
    CHECK(deleted.jobs[0].delay.count() == 0);
    auto image = plan_entry(source::product_updates, update("3017620425035", "alice", R"({"uploaded_images":{"delete":["1"]}})"), s);
    REQUIRE(kinds(image) == std::vector<std::string>{"image_deleted"});
    CHECK(*core::get_string(payload(image.jobs[0]), "image_id") == "1");
    CHECK(image.jobs[0].delay == s.updated_wait);
}

TEST_CASE("empty or absent diffs mean everything may have changed", "[unit]") {
    intake::mapping_settings s;
    for (const char* diffs : {"{}", ""}) {
        auto p = plan_entry(source::product_updates, update("3017620425035", "alice", diffs), s);
        REQUIRE(kinds(p) == std::vector<std::string>{"product_updated"});
        CHECK(core::to_json(*core::get_member(payload(p.jobs[0]), "diffs")) == "{}");
    }
}

TEST_CASE("robotoff's own edits are skipped", "[unit]") {
    intake::mapping_settings s;
    s.robot_user = "robotoff-bot";
    CHECK(plan_entry(source::product_updates, update("3017620425035", "roboto-app", "{}"), s).outcome == "robot");
    CHECK(plan_entry(source::product_updates, update("3017620425035", "robotoff-bot", "{}"), s).outcome == "robot");
    auto e = update("3017620425035", "alice", "{}");
    set_field(e, "comment", "label added [robotoff]");
    auto p = plan_entry(source::product_updates, e, s);
    CHECK(p.outcome == "robot");
    CHECK(p.jobs.empty());
}

TEST_CASE("malformed events are invalid, never an exception", "[unit]") {
    intake::mapping_settings s;
    CHECK(plan_entry(source::product_updates, update("3017620425035", "alice", "{not json"), s).outcome == "invalid");
    CHECK(plan_entry(source::product_updates, update("3017620425035", "alice", "[1,2]"), s).outcome == "invalid");
    CHECK(plan_entry(source::product_updates, update("", "alice", "{}"), s).outcome == "invalid");
    auto e = update("3017620425035", "alice", "{}");
    set_field(e, "product_type", "toys");
    CHECK(plan_entry(source::product_updates, e, s).outcome == "invalid");
    set_field(e, "product_type", "");
    CHECK(plan_entry(source::product_updates, e, s).outcome == "invalid");
    CHECK(plan_entry(source::product_updates, update("3017620425035", "alice", std::string(100000, '[')), s).outcome ==
          "invalid");
}

TEST_CASE("other actions and the producers platform are acknowledged without jobs", "[unit]") {
    intake::mapping_settings s;
    auto p = plan_entry(source::product_updates, update("3017620425035", "alice", "{}", "reprocessed"), s);
    CHECK(p.outcome == "ignored_action");
    CHECK(p.jobs.empty());
    auto pro = update("3017620425035", "alice", "{}");
    set_field(pro, "flavor", "off_pro");
    CHECK(plan_entry(source::product_updates, pro, s).outcome == "pro_platform");
}

TEST_CASE("server type comes from product_type", "[unit]") {
    intake::mapping_settings s;
    auto e = update("3017620425035", "alice", R"({"uploaded_images":{"add":["2"]}})");
    set_field(e, "product_type", "beauty");
    auto p = plan_entry(source::product_updates, e, s);
    REQUIRE(p.jobs.size() == 1);
    auto d = payload(p.jobs[0]);
    CHECK(*core::get_string(d, "server_type") == "obf");
    CHECK(*core::get_string(d, "image_url") ==
          "https://images.openbeautyfacts.org/images/products/301/762/042/5035/2.jpg");
}

TEST_CASE("events of a project this deployment does not serve are ignored", "[unit]") {
    intake::mapping_settings s;
    s.server_types = {"off"};
    auto e = update("3017620425035", "alice", "{}");
    set_field(e, "product_type", "petfood");
    auto p = plan_entry(source::product_updates, e, s);
    CHECK(p.outcome == "ignored_server");
    CHECK(p.jobs.empty());
}

TEST_CASE("ocr_ready imports the image with the OCR flags and ignores json_url", "[unit]") {
    intake::mapping_settings s;
    stream_entry e{"1718822431001-0",
                   {{"timestamp", "1718822431"},
                    {"code", "3017620425035"},
                    {"image_id", "12"},
                    {"product_type", "food"},
                    {"json_url", "http://evil.example/x.json"}}};
    auto p = plan_entry(source::ocr_ready, e, s);
    REQUIRE(kinds(p) == std::vector<std::string>{"import_image"});
    auto d = payload(p.jobs[0]);
    CHECK(*core::get_string(d, "ocr_url") ==
          "https://images.openfoodfacts.org/images/products/301/762/042/5035/12.json");
    CHECK(core::to_json(*core::get_member(d, "flags")) ==
          R"(["run_logo_object_detection","import_insights_from_image","extract_ingredients","extract_nutrition","predict_category"])");
    stream_entry no_image{"1-0", {{"code", "3017620425035"}, {"product_type", "food"}}};
    CHECK(plan_entry(source::ocr_ready, no_image, s).outcome == "invalid");
}

TEST_CASE("entry ids and raw fields", "[unit]") {
    CHECK(intake::entry_id_millis("1718822400123-0") == 1718822400123LL);
    CHECK(intake::entry_id_millis("garbage") == 0);
    stream_entry e{"1-0", {{"code", "12\"3"}, {"x", ""}}};
    CHECK(e.fields_json() == R"({"code":"12\"3","x":""})");
    CHECK(e.field("missing").empty());
}
