#include "robotoff/core/json.hpp"
#include "robotoff/ocr/ocr_result.hpp"
#include "robotoff/ocr_engine/vision_document.hpp"
#include "robotoff/text/normalize.hpp"

#include <catch2/catch.hpp>

namespace oe = robotoff::ocr_engine;

namespace {

oe::ocr_word make_word(const std::string& text, oe::break_type after, oe::quad box, const std::string& lang = "fr") {
    oe::ocr_word w;
    w.box = box;
    w.language = lang;
    w.confidence = 0.9;
    const auto u32 = robotoff::text::to_u32(text);
    for (std::size_t i = 0; i < u32.size(); ++i) {
        const oe::break_type b = i + 1 == u32.size() ? after : oe::break_type::none;
        w.symbols.push_back({robotoff::text::to_utf8(u32[i]), 0.875, b});
    }
    return w;
}

oe::quad upright_quad(int x, int y) {
    return {oe::vertex{x, y}, oe::vertex{x + 30, y}, oe::vertex{x + 30, y + 10}, oe::vertex{x, y + 10}};
}

// The §2.2 example of the spec: block 1 "Pot verre\n", block 2 "Lot B12".
oe::ocr_page spec_example() {
    oe::ocr_page page;
    page.width = 200;
    page.height = 100;
    oe::ocr_block b1;
    b1.box = upright_quad(0, 0);
    b1.paragraphs.push_back({upright_quad(0, 0),
                             {make_word("Pot", oe::break_type::space, upright_quad(0, 0)),
                              make_word("verre", oe::break_type::line_break, upright_quad(40, 0))}});
    oe::ocr_block b2;
    b2.box = upright_quad(0, 50);
    b2.paragraphs.push_back({upright_quad(0, 50),
                             {make_word("Lot", oe::break_type::space, upright_quad(0, 50), "eng"),
                              make_word("B12", oe::break_type::none, upright_quad(40, 50), "")}});
    page.blocks = {b1, b2};
    return page;
}

}  // namespace

TEST_CASE("language codes map from ISO 639-2 to 639-1", "[unit]") {
    CHECK(oe::vision_language("fra") == "fr");
    CHECK(oe::vision_language("eng") == "en");
    CHECK(oe::vision_language("deu") == "de");
    CHECK(oe::vision_language("spa") == "es");
    CHECK(oe::vision_language("ita") == "it");
    CHECK(oe::vision_language("nld") == "nl");
    CHECK(oe::vision_language("por") == "pt");
    CHECK(oe::vision_language("rus") == "rus");
}

TEST_CASE("page text follows §2.2 and the Vision parser reads it back identically", "[unit]") {
    const auto page = spec_example();
    CHECK(oe::page_text(page) == "Pot verre\n|Lot B12");
    const std::string json = oe::to_vision_json(page);
    const auto result = robotoff::ocr::parse_vision_json(json);
    CHECK(robotoff::text::to_utf8(result.full_text()) == "Pot verre\n|Lot B12");
    REQUIRE(result.words().size() == 4);
    CHECK(result.words()[2].start == 11);
    CHECK(result.words()[2].end == 15);
    CHECK(result.orientation_votes().value == robotoff::ocr::orientation::up);
    CHECK(result.page_sizes().at(0) == std::pair<int, int>(200, 100));
    // "eng" is not mapped by the document (the engine maps); "" means no language.
    bool saw_fr = false;
    for (const auto& [lang, count] : result.language_counts()) {
        if (lang == "fr") {
            saw_fr = count == 2;
        }
    }
    CHECK(saw_fr);
}

TEST_CASE("Vision JSON shape: textAnnotations, breaks, confidences, languages", "[unit]") {
    const auto doc = robotoff::core::parse_json(oe::to_vision_json(spec_example(), true));
    const auto& r = doc["responses"][0];
    const auto& ta = r["textAnnotations"];
    REQUIRE(ta.Size() == 5);   // whole text + one per word
    CHECK(std::string(ta[0]["description"].GetString()) == "Pot verre\n|Lot B12");
    CHECK(std::string(ta[0]["locale"].GetString()) == "fr");
    CHECK(std::string(ta[1]["description"].GetString()) == "Pot");
    CHECK(ta[1]["boundingPoly"]["vertices"].Size() == 4);
    const auto& page = r["fullTextAnnotation"]["pages"][0];
    CHECK(page["width"].GetInt() == 200);
    const auto& block = page["blocks"][0];
    CHECK(std::string(block["blockType"].GetString()) == "TEXT");
    const auto& word = block["paragraphs"][0]["words"][1];
    CHECK(std::string(word["property"]["detectedLanguages"][0]["languageCode"].GetString()) == "fr");
    const auto& last = word["symbols"][4];
    CHECK(std::string(last["text"].GetString()) == "e");
    CHECK(std::string(last["property"]["detectedBreak"]["type"].GetString()) == "LINE_BREAK");
    CHECK(last["confidence"].GetDouble() == Approx(0.875));
    CHECK_FALSE(word["symbols"][0].HasMember("property"));
    CHECK(std::string(r["fullTextAnnotation"]["text"].GetString()) == "Pot verre\n|Lot B12");
}

TEST_CASE("an empty page is still a valid document", "[unit]") {
    oe::ocr_page page;
    page.width = 10;
    page.height = 10;
    const auto result = robotoff::ocr::parse_vision_json(oe::to_vision_json(page));
    CHECK(result.full_text().empty());
    CHECK(result.words().empty());
}

TEST_CASE("paragraphs of a block are joined with one space unless one is there", "[unit]") {
    oe::ocr_page page;
    page.width = 100;
    page.height = 100;
    oe::ocr_block b;
    b.paragraphs.push_back({upright_quad(0, 0), {make_word("Sel", oe::break_type::none, upright_quad(0, 0))}});
    b.paragraphs.push_back({upright_quad(0, 20), {make_word("1g", oe::break_type::line_break, upright_quad(0, 20))}});
    b.paragraphs.push_back({upright_quad(0, 40), {make_word("x", oe::break_type::none, upright_quad(0, 40))}});
    page.blocks = {b};
    CHECK(oe::page_text(page) == "Sel 1g\nx");
    CHECK(robotoff::text::to_utf8(robotoff::ocr::parse_vision_json(oe::to_vision_json(page)).full_text()) ==
          "Sel 1g\nx");
}
