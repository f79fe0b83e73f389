// Product record normalization (pipeline.md §1.1-1.2), reference "products" cases, and the real sample dump.
#include "robotoff/core/file_io.hpp"
#include "robotoff/core/json.hpp"
#include "robotoff/products/dataset_import.hpp"
#include "robotoff/products/field_filter.hpp"
#include "robotoff/products/product.hpp"
#include "robotoff/products/repository.hpp"

#include <catch2/catch.hpp>

using namespace robotoff;
using namespace robotoff::products;

TEST_CASE("flat images: raw ids, selected keys, numbers as strings or integers", "[unit]") {
    auto doc = core::parse_json(R"({"code":"0000012345","lang":"fr","product_name":"","unique_scans_n":"12",
        "images":{"3":{"sizes":{"full":{"w":"1200","h":1600}},"uploaded_t":"1699999999"},
                  "front_fr":{"imgid":3,"rev":"12","angle":"90","sizes":{"full":{"w":10,"h":20}}},
                  "10":{"sizes":{"full":{"w":1,"h":2}}}}})");
    auto p = normalize_product(doc, core::server_type::off);
    CHECK(p.barcode == "00012345");
    CHECK(p.lang == "fr");
    CHECK(p.product_name.empty());
    CHECK(p.unique_scans_n == 12);
    CHECK(p.image_ids() == std::vector<std::string>{"10", "3"});
    CHECK(p.has_image_id("3"));
    CHECK_FALSE(p.has_image_id("front_fr"));
    REQUIRE(p.image("3"));
    CHECK(p.image("3")->full_width == 1200);
    CHECK(p.image("3")->full_height == 1600);
    CHECK(p.image("front_fr")->imgid == "3");
    CHECK(p.image("front_fr")->angle == 90);
}

TEST_CASE("new images shape is flattened", "[unit]") {
    auto doc = core::parse_json(R"({"code":"3017620425035","images":{
        "uploaded":{"4":{"sizes":{"full":{"w":900,"h":1200}},"uploaded_t":1,"uploader":"u"}},
        "selected":{"front":{"fr":{"imgid":"4","rev":"7","sizes":{"400":{"w":1,"h":2,"url":"http://x"}},
                                   "generation":{"angle":"-90","x1":"0"}}}}}})");
    auto p = normalize_product(doc, core::server_type::off);
    CHECK(p.image_ids() == std::vector<std::string>{"4"});
    REQUIRE(p.image("front_fr"));
    CHECK(p.image("front_fr")->imgid == "4");
    CHECK(p.image("front_fr")->rev == "7");
    CHECK(p.image("front_fr")->angle == -90);

    rapidjson::Document images;
    images.CopyFrom(doc["images"], images.GetAllocator());
    flatten_images(images, images.GetAllocator());
    CHECK(images.HasMember("4"));
    CHECK(images["front_fr"]["x1"] == "0");
    CHECK_FALSE(images["front_fr"]["sizes"]["400"].HasMember("url"));
}

TEST_CASE("record round trip keeps what the importers read", "[unit]") {
    auto doc = core::parse_json(R"({"code":"3017620425035","lang":"fr","quantity":"400 g","brands_tags":["nutella"],
        "emb_codes":"EMB 1","emb_codes_tags":["emb-1"],"ingredients_text_fr":"sucre",
        "ingredients_text_fr_debug_tags":[],
        "product_name_en":"Spread","languages_codes":{"fr":5,"en":1},"packagings":[{"shape":"en:jar"}],
        "images":{"1":{"sizes":{"full":{"w":1,"h":2}}}},"last_modified_t":1700000000})");
    auto p = normalize_product(doc, core::server_type::off);
    auto back = record_from_json(record_to_json(p), core::server_type::off, p.barcode);
    CHECK(back.quantity == "400 g");
    CHECK(back.brands_tags == std::vector<std::string>{"nutella"});
    CHECK(back.emb_codes == "EMB 1");
    CHECK(back.text("ingredients_text_fr") == "sucre");
    CHECK(back.text("product_name_en") == "Spread");
    CHECK(back.texts.count("ingredients_text_fr_debug_tags") == 0);
    CHECK(back.languages_codes == std::vector<std::string>{"fr", "en"});
    CHECK(back.packagings_json == R"([{"shape":"en:jar"}])");
    CHECK(back.image("1")->full_height == 2);
    CHECK(back.last_modified_t == 1700000000);
}

TEST_CASE("reference cases: image ids of products", "[unit]") {
    // off_python.images cases list which keys are raw image ids; we check the digit rule on them.
    auto doc = core::parse_json(R"({"code":"1","images":{"1":{},"2":{},"front_fr":{"imgid":"1"},"nutrition":{}}})");
    auto p = normalize_product(doc, core::server_type::off);
    CHECK(p.image_ids() == std::vector<std::string>{"1", "2"});
}

TEST_CASE("the real 1,000-product sample normalizes", "[unit]") {
    core::line_reader reader(ROBOTOFF_SHARED_DIR "/samples/products/openfoodfacts-products-min.jsonl.gz");
    std::string line;
    int products = 0;
    int with_images = 0;
    while (reader.next(line)) {
        auto doc = core::parse_json(line);
        auto p = normalize_product(doc, core::server_type::off);
        CHECK_FALSE(p.barcode.empty());
        // Independent count: digit keys straight from the JSON (no normalization involved).
        int digit_keys = 0;
        if (doc.HasMember("images") && doc["images"].IsObject()) {
            for (const auto& m : doc["images"].GetObject()) {
                std::string key = m.name.GetString();
                digit_keys += !key.empty() && key.find_first_not_of("0123456789") == std::string::npos;
            }
        }
        CHECK(static_cast<int>(p.image_ids().size()) == digit_keys);
        if (digit_keys > 0) {
            ++with_images;
        }
        // The stored record must be valid JSON that reads back to the same image ids.
        CHECK(record_from_json(record_to_json(p), p.server_type, p.barcode).image_ids() == p.image_ids());
        ++products;
    }
    CHECK(products == 1000);
    CHECK(with_images == 368);  // python3: products with a digit key in images
}

TEST_CASE("the field filter keeps what the record needs: same record from every sample line", "[unit]") {
    core::line_reader reader(ROBOTOFF_SHARED_DIR "/samples/products/openfoodfacts-products-min.jsonl.gz");
    field_filter filter;
    std::string line;
    std::string kept;
    int compared = 0;
    while (reader.next(line)) {
        std::string original = line;
        REQUIRE(filter.filter(line, kept));
        CHECK(line == original);
        CHECK(kept.size() < line.size());
        auto whole = normalize_product(core::parse_json(line), core::server_type::off);
        auto cut = normalize_product(core::parse_json(kept), core::server_type::off);
        CHECK(record_to_json(cut) == record_to_json(whole));
        CHECK(cut.barcode == whole.barcode);
        ++compared;
    }
    CHECK(compared == 1000);
}

TEST_CASE("record languages: the configured texts only, from the filter and from normalize_product", "[unit]") {
    const record_languages configured{{"fr"}, {"fr", "en"}, false};
    CHECK(configured.keeps("ingredients_text"));
    CHECK(configured.keeps("ingredients_text_fr"));
    CHECK_FALSE(configured.keeps("ingredients_text_nl"));
    CHECK_FALSE(configured.keeps("ingredients_text_debug"));
    CHECK_FALSE(configured.keeps("ingredients_textfr"));
    CHECK(configured.keeps("product_name_en"));
    CHECK_FALSE(configured.keeps("product_name_de"));
    CHECK_FALSE(configured.keeps("product_name"));  // a record field of its own, not a text of a language
    CHECK(record_languages{}.keeps("ingredients_text_nl"));
    CHECK(record_languages{}.keeps("ingredients_text_debug"));  // every 2-5 letter suffix, as before

    // Every sample line: the filter with these languages gives the record normalize_product builds from the
    // whole line with them; it holds the configured texts and no other.
    core::line_reader reader(ROBOTOFF_SHARED_DIR "/samples/products/openfoodfacts-products-min.jsonl.gz");
    field_filter filter(configured);
    std::string line;
    std::string kept;
    int with_other_languages = 0;
    while (reader.next(line)) {
        REQUIRE(filter.filter(line, kept));
        const auto doc = core::parse_json(line);
        auto whole = normalize_product(doc, core::server_type::off, {}, configured);
        auto cut = normalize_product(core::parse_json(kept), core::server_type::off, {}, configured);
        CHECK(record_to_json(cut) == record_to_json(whole));
        for (const auto& [field, text] : whole.texts) {
            CHECK(configured.keeps(field));
        }
        auto every = normalize_product(doc, core::server_type::off);
        with_other_languages += every.texts.size() > whole.texts.size() ? 1 : 0;
        if (auto fr = every.texts.find("ingredients_text_fr"); fr != every.texts.end()) {
            CHECK(whole.text("ingredients_text_fr") == fr->second);
        }
    }
    CHECK(with_other_languages > 100);  // the sample has many texts in other languages: the test bites
}

TEST_CASE("the field filter: kept fields in order, escapes, and what is not one JSON object", "[unit]") {
    field_filter filter;
    std::string out;
    std::string line = R"({"nutriments":{"a":[1,2,{"b":null}]},"code":"1\"2","product_name_fr":"caf\u00e9",)"
                       R"("images":{"1":{"sizes":{}}},"ingredients_text_xx_debug":"no","quantity":1.5e3})";
    REQUIRE(filter.filter(line, out));
    CHECK(out == R"({"code":"1\"2","product_name_fr":"caf\u00e9","images":{"1":{"sizes":{}}},"quantity":1.5e3})");
    for (std::string bad : {"{not json", "[1,2]", "{\"code\":\"1\"", "{\"a\":[1,2}", "\"text\"", "",
                            "{\"code\":\"1\"} {}", "{\"a\":1,}"}) {
        INFO(bad);
        CHECK_FALSE(filter.filter(bad, out));
    }
    CHECK(is_record_field("labels_tags"));
    CHECK(is_record_field("ingredients_text_pt_br"));
    CHECK_FALSE(is_record_field("labels_tags_debug"));
    CHECK_FALSE(is_record_field("nutriments"));
}

TEST_CASE("COPY field escaping", "[unit]") {
    std::string out;
    append_copy_field(out, "a\tb\\c\nd\re");
    CHECK(out == "a\\tb\\\\c\\nd\\re");
}

TEST_CASE("summary line", "[unit]") {
    dataset_import_summary s;
    s.products = 10;
    s.lines = 12;
    s.corrupt = 2;
    s.corrupt_line_numbers = {3, 7};
    s.seconds = 2;
    auto line = format_summary(s);
    CHECK(line.find("imported 10 products from 12 lines") != std::string::npos);
    CHECK(line.find("corrupt lines 2") != std::string::npos);
    CHECK(line.find("(lines 3 7)") != std::string::npos);
}
