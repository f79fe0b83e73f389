#include "robotoff/core/file_io.hpp"
#include "robotoff/ocr/ocr_result.hpp"
#include "robotoff/text/normalize.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace robotoff;
using ocr::invalid_ocr;
using ocr::parse_vision_json;

namespace {

std::string u8(const std::u32string& s) { return text::to_utf8(s); }

// A symbol JSON with an optional break.
std::string sym(const std::string& t, const std::string& brk = "", bool prefix = false) {
    std::string s = R"({"text":")" + t + "\"";
    if (!brk.empty()) {
        s += R"(,"property":{"detectedBreak":{"type":")" + brk + "\"" + (prefix ? R"(,"isPrefix":true)" : "") + "}}";
    }
    return s + "}";
}

std::string word(const std::string& symbols, const std::string& box = "", const std::string& langs = "") {
    std::string w = R"({"symbols":[)" + symbols + "]";
    if (!box.empty()) {
        w += R"(,"boundingBox":{"vertices":)" + box + "}";
    }
    if (!langs.empty()) {
        w += R"(,"property":{"detectedLanguages":)" + langs + "}";
    }
    return w + "}";
}

std::string doc_with_blocks(const std::string& blocks, const std::string& extra = "") {
    return R"({"responses":[{)" + extra + R"("fullTextAnnotation":{"pages":[{"width":100,"height":50,"blocks":[)" +
           blocks + "]}]}}]}";
}

// The example of spec §2.2: block 1 "Pot " "verre\n", block 2 "Lot " "B12".
std::string spec_example() {
    const std::string b1 = R"({"paragraphs":[{"words":[)" +
                           word(sym("P") + "," + sym("o") + "," + sym("t", "SPACE"),
                                R"([{"x":10,"y":10},{"x":40,"y":10},{"x":40,"y":20},{"x":10,"y":20}])",
                                R"([{"languageCode":"fr"}])") +
                           "," +
                           word(sym("v") + "," + sym("e") + "," + sym("r") + "," + sym("r") + "," +
                                    sym("e", "LINE_BREAK"),
                                R"([{"x":50,"y":10},{"y":12},{"x":90,"y":20},{"x":50,"y":20}])",
                                R"([{"languageCode":"fr"},{"languageCode":"en"}])") +
                           "]}]}";
    const std::string b2 = R"({"paragraphs":[{"words":[)" +
                           word(sym("L") + "," + sym("o") + "," + sym("t", "SPACE"),
                                R"([{"x":10,"y":30},{"x":40,"y":30},{"x":40,"y":40},{"x":10,"y":40}])") +
                           "," + word(sym("B") + "," + sym("1") + "," + sym("2")) + "]}]}";
    return doc_with_blocks(b1 + "," + b2);
}

}  // namespace

TEST_CASE("ocr: spec §2.2 example, texts and word offsets", "[unit]") {
    const auto r = parse_vision_json(spec_example());
    CHECK(u8(r.full_text()) == "Pot verre\n|Lot B12");
    CHECK(u8(r.full_text_contiguous()) == "Pot verre  Lot B12");
    CHECK(r.full_text().size() == r.full_text_contiguous().size());
    CHECK(u8(r.default_text()) == "Pot verre  Lot B12");
    REQUIRE(r.words().size() == 4);
    const std::size_t expected[4][2] = {{0, 4}, {4, 10}, {11, 15}, {15, 18}};
    for (std::size_t i = 0; i < 4; ++i) {
        CHECK(r.words()[i].start == expected[i][0]);
        CHECK(r.words()[i].end == expected[i][1]);
    }
    CHECK(u8(std::u32string(r.word_text(r.words()[1]))) == "verre\n");
    CHECK(r.has_full_text_annotation());
    REQUIRE(r.page_sizes().size() == 1);
    CHECK(r.page_sizes()[0] == std::make_pair(100, 50));
}

TEST_CASE("ocr: bounding box of a span (missing x/y are 0, words without box ignored)", "[unit]") {
    const auto r = parse_vision_json(spec_example());
    auto box = r.match_box(0, 3);  // "Pot"
    REQUIRE(box);
    CHECK(*box == ocr::bounding_box{10, 10, 20, 40});
    box = r.match_box(2, 6);  // crosses "Pot " and "verre\n"; the second has a vertex {x:0,y:12}
    REQUIRE(box);
    CHECK(*box == ocr::bounding_box{10, 0, 20, 90});
    CHECK_FALSE(r.match_box(15, 18));  // "B12" has no box
    box = r.match_box(10, 17);         // from the '|' into "Lot B1"
    REQUIRE(box);
    CHECK(*box == ocr::bounding_box{30, 10, 40, 40});
}

TEST_CASE("ocr: orientation votes and language counts", "[unit]") {
    const auto r = parse_vision_json(spec_example());
    const auto& o = r.orientation_votes();
    CHECK(o.value == ocr::orientation::up);
    // "verre" has vertices y = 10, 12, 20, 20: indexes 0 and 1 are the top -> up as well.
    REQUIRE(o.count.size() == 1);
    CHECK(o.count[0].second == 3);
    const auto& langs = r.language_counts();
    REQUIRE(langs.size() == 4);
    CHECK(langs[0] == std::make_pair(std::string("fr"), 2));
    CHECK(langs[1] == std::make_pair(std::string("en"), 1));
    CHECK(langs[2] == std::make_pair(std::string("null"), 2));
    CHECK(langs[3] == std::make_pair(std::string("words"), 4));
}

TEST_CASE("ocr: word orientation from vertex order (reference vectors)", "[unit]") {
    using ocr::vertex;
    CHECK(ocr::word_orientation({{66, 458}, {60, 348}, {94, 346}, {100, 456}}) == ocr::orientation::left);
    CHECK(ocr::word_orientation({{66, 458}, {60, 340}, {94, 346}, {100, 456}}) == ocr::orientation::left);
    CHECK(ocr::word_orientation({{1106, 421}, {1178, 414}, {1175, 446}, {1103, 439}}) == ocr::orientation::up);
    CHECK(ocr::word_orientation({{0, 10}, {10, 10}, {10, 0}, {0, 0}}) == ocr::orientation::down);
    CHECK(ocr::word_orientation({{0, 0}, {0, 10}, {10, 10}, {10, 0}}) == ocr::orientation::right);
    CHECK(ocr::word_orientation({{0, 0}, {0, 10}}) == ocr::orientation::unknown);
    CHECK(ocr::rotation_degrees(ocr::orientation::left) == 90);
    CHECK(ocr::rotation_degrees(ocr::orientation::down) == 180);
    CHECK(ocr::rotation_degrees(ocr::orientation::right) == 270);
    CHECK(ocr::rotation_degrees(ocr::orientation::unknown) == 0);
}

TEST_CASE("ocr: breaks, prefix breaks, paragraphs and pages", "[unit]") {
    const std::string para1 = R"({"words":[)" + word(sym("a") + "," + sym("b", "HYPHEN")) + "]}";
    const std::string para2 = R"({"words":[)" + word(sym("c", "SURE_SPACE")) + "," +
                              word(sym("d", "EOL_SURE_SPACE", true) + "," + sym("e", "UNKNOWN")) + "]}";
    const std::string block = R"({"paragraphs":[)" + para1 + "," + para2 + "]}";
    const std::string two_pages = R"({"responses":[{"fullTextAnnotation":{"pages":[{"blocks":[)" + block +
                                  R"(]},{"blocks":[)" + block + "]}]}}]}";
    const auto r = parse_vision_json(two_pages);
    // Paragraph 1 "ab" does not end with a space, so one is inserted before paragraph 2.
    CHECK(u8(r.full_text()) == "ab c  de|ab c  de");
    CHECK(r.words().size() == 6);
    CHECK(r.words()[3].start == 9);
}

TEST_CASE("ocr: contiguous text turns '|' and newlines into spaces inside a page only", "[unit]") {
    const std::string block = R"({"paragraphs":[{"words":[)" + word(sym("x", "LINE_BREAK")) + "]}]}";
    const std::string doc = R"({"responses":[{"fullTextAnnotation":{"pages":[{"blocks":[)" + block + "," + block +
                            R"(]},{"blocks":[)" + block + "]}]}}]}";
    const auto r = parse_vision_json(doc);
    CHECK(u8(r.full_text()) == "x\n|x\n|x\n");
    CHECK(u8(r.full_text_contiguous()) == "x  x |x ");
}

TEST_CASE("ocr: annotations", "[unit]") {
    const auto r = parse_vision_json(
        R"({"responses":[{"textAnnotations":[{"description":"Hello\nWorld","locale":"en",)"
        R"("boundingPoly":{"vertices":[{"x":1,"y":2}]}}],)"
        R"("logoAnnotations":[{"description":"Lu","score":0.9,"mid":"/m/1"}],)"
        R"("labelAnnotations":[{"description":"Food","score":0.7,"topicality":0.7}],)"
        R"("safeSearchAnnotation":{"adult":"VERY_LIKELY","spoof":"UNLIKELY","medical":"UNKNOWN",)"
        R"("violence":"POSSIBLE","racy":"LIKELY"},)"
        R"("faceAnnotations":[{"detectionConfidence":0.92}],"imagePropertiesAnnotation":{"x":1}}]})");
    CHECK_FALSE(r.has_full_text_annotation());
    CHECK(r.full_text().empty());
    CHECK(u8(r.default_text()) == "Hello\nWorld");
    CHECK(u8(r.full_text_or_fallback()) == "Hello\nWorld");
    REQUIRE(r.text_annotations().size() == 1);
    CHECK(r.text_annotations()[0].locale == "en");
    CHECK(r.text_annotations()[0].vertices[0].y == 2);
    REQUIRE(r.logo_annotations().size() == 1);
    CHECK(r.logo_annotations()[0].description == "Lu");
    CHECK(r.logo_annotations()[0].score == Approx(0.9));
    REQUIRE(r.label_annotations().size() == 1);
    REQUIRE(r.safe_search());
    CHECK(r.safe_search()->adult == 6);
    CHECK(r.safe_search()->spoof == 3);
    CHECK(r.safe_search()->medical == 1);
    CHECK(r.safe_search()->violence == 4);
    CHECK(r.safe_search()->racy == 5);
    REQUIRE(r.face_annotations().size() == 1);
    CHECK(r.face_annotations()[0].detection_confidence == Approx(0.92));
    CHECK(r.language_counts().empty());
    CHECK_FALSE(r.match_box(0, 5));
}

TEST_CASE("ocr: invalid documents give typed errors naming the problem", "[unit]") {
    auto message_of = [](const std::string& json) -> std::string {
        try {
            parse_vision_json(json);
        } catch (const invalid_ocr& e) {
            return e.what();
        }
        return "(no error)";
    };
    CHECK_THAT(message_of("{}"), Catch::Contains("Responses field (list) expected in OCR JSON"));
    CHECK_THAT(message_of(R"({"responses":"invalid"})"), Catch::Contains("Responses field (list) expected"));
    CHECK_THAT(message_of(R"({"responses":[]})"), Catch::Contains("Empty OCR response"));
    CHECK_THAT(message_of(R"({"responses":[{"error":{"code":3,"message":"Bad image data."}}]})"),
               Catch::Contains("responses[0].error present: Bad image data."));
    CHECK_THAT(message_of(R"({"responses":[{"error":[["this is an error"]]}]})"), Catch::Contains("error present"));
    CHECK_THAT(message_of("not json"), Catch::Contains("not JSON"));
    CHECK_THAT(message_of(R"({"responses":[{}]} trailing)"), Catch::Contains("not JSON"));
    CHECK_THAT(message_of("[1,2]"), Catch::Contains("Responses field"));
    CHECK_THAT(message_of(doc_with_blocks(R"({"paragraphs":[{"words":[{"boundingBox":{}}]}]})")),
               Catch::Contains("pages[0].blocks[0].paragraphs[0].words[0].symbols missing"));
    CHECK_THAT(message_of(doc_with_blocks(R"({"paragraphs":[{"words":[)" + word(sym("a", "WEIRD")) + "]}]}")),
               Catch::Contains("detectedBreak.type 'WEIRD' is unknown"));
    CHECK_THAT(message_of(doc_with_blocks(R"({"paragraphs":[{"words":[{"symbols":[{"text":3}]}]}]})")),
               Catch::Contains("symbols[].text is not a string"));
    CHECK_THAT(message_of(R"({"responses":[{"fullTextAnnotation":{"pages":{}}}]})"),
               Catch::Contains("fullTextAnnotation.pages is not an array"));
    CHECK_THAT(message_of(R"({"responses":[{"textAnnotations":[{"description":5}]}]})"),
               Catch::Contains("description is not a string"));
    CHECK_THAT(message_of(R"({"responses":[{"logoAnnotations":[{"score":"high"}]}]})"),
               Catch::Contains("score is not a number"));
    CHECK_THAT(message_of(doc_with_blocks(R"({"paragraphs":[{"words":[)" +
                                          word(sym("a"), R"([{"x":"1","y":2}])") + "]}]}")),
               Catch::Contains("is not a number"));
}

TEST_CASE("ocr: deep nesting and gzip corruption do not crash", "[unit]") {
    std::string deep(200000, '[');
    CHECK_THROWS_AS(parse_vision_json(deep), invalid_ocr);
    std::string gz = core::gzip_compress(spec_example());
    CHECK(u8(parse_vision_json(gz).full_text()) == "Pot verre\n|Lot B12");
    gz.resize(gz.size() / 2);
    CHECK_THROWS_AS(parse_vision_json(gz), invalid_ocr);
    CHECK_THROWS_AS(ocr::parse_vision_file("/nonexistent/file.json"), invalid_ocr);
}

TEST_CASE("ocr: plain strings and OCR text", "[unit]") {
    const auto p = ocr::from_plain_text("Yaourt\n500 g|x");
    CHECK(u8(p.full_text()) == "Yaourt\n500 g|x");
    CHECK(u8(p.full_text_contiguous()) == "Yaourt\n500 g|x");
    CHECK(p.is_plain_text());
    CHECK(p.words().empty());
    CHECK_FALSE(p.has_full_text_annotation());
    const auto t = ocr::from_ocr_text("Yaourt\n500 g|x");
    CHECK(u8(t.full_text()) == "Yaourt\n500 g|x");
    CHECK(u8(t.full_text_contiguous()) == "Yaourt 500 g x");
    CHECK_FALSE(t.match_box(0, 3));
}
