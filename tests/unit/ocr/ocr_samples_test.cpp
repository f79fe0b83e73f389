// The OCR model on the real Vision responses of ../shared/samples/ocr.

#include "robotoff/ocr/ocr_result.hpp"
#include "robotoff/text/normalize.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

using namespace robotoff;

namespace {

const std::string samples = ROBOTOFF_SHARED_DIR "/samples/ocr/";

std::vector<std::string> words_over(const ocr::ocr_result& r, std::size_t start, std::size_t end) {
    std::vector<std::string> out;
    for (const auto& w : r.words()) {
        if (w.end > start && w.start < end) {
            out.push_back(text::to_utf8(r.word_text(w)));
        }
    }
    return out;
}

std::string text_in_relative_box(const ocr::ocr_result& r, std::array<double, 4> rel, int width, int height) {
    const ocr::bounding_box abs = {static_cast<int>(std::lround(rel[0] * height)),
                                   static_cast<int>(std::lround(rel[1] * width)),
                                   static_cast<int>(std::lround(rel[2] * height)),
                                   static_cast<int>(std::lround(rel[3] * width))};
    std::string out;
    for (const auto* w : r.words_in_area(abs)) {
        out += text::to_utf8(r.word_text(*w));
    }
    return out;
}

}  // namespace

TEST_CASE("ocr samples: every file parses; offsets hold; texts have equal length", "[unit]") {
    for (const char* name : {"0011110702081_2.json", "0890000001202_1.json", "2509757363133_2.json",
                             "3038350013804_11.json", "4903015130266_2.json", "5000159422345_3.json.gz",
                             "5400910301160_1.json", "9421023629015_5.json", "face_detection.json"}) {
        INFO(name);
        const auto r = ocr::parse_vision_file(samples + name);
        CHECK(r.full_text().size() == r.full_text_contiguous().size());
        std::size_t previous_end = 0;
        for (const auto& w : r.words()) {
            CHECK(w.start >= previous_end);
            CHECK(w.end >= w.start);
            CHECK(w.end <= r.full_text().size());
            previous_end = w.end;
        }
        if (r.has_full_text_annotation()) {
            CHECK(r.language_counts().back().first == "words");
            CHECK(r.language_counts().back().second == static_cast<int>(r.words().size()));
        }
    }
}

TEST_CASE("ocr samples: 3038350013804_11 phrase spans give the expected words (ocr_result vectors)", "[unit]") {
    const auto r = ocr::parse_vision_file(samples + "3038350013804_11.json");
    const std::u32string& t = r.full_text();
    auto find_words = [&](const std::u32string& pattern, std::size_t from = 0) {
        const std::size_t at = t.find(pattern, from);
        REQUIRE(at != std::u32string::npos);
        return std::make_pair(at, words_over(r, at, at + pattern.size()));
    };
    CHECK(find_words(U"fromage de chèvre frais").second ==
          std::vector<std::string>{"fromage ", "de ", "chèvre ", "frais "});
    CHECK(find_words(U"brins de ciboulette").second == std::vector<std::string>{"brins ", "de ", "ciboulette, "});
    const auto first = find_words(U"rondelles");
    CHECK(first.second == std::vector<std::string>{"rondelles. "});
    CHECK(find_words(U"rondelles", first.first + 1).second == std::vector<std::string>{"rondelles "});
    // Case matters for the raw text; the lower-cased text finds it.
    CHECK(t.find(U"mélangez bien les pâtes") == std::u32string::npos);
    const std::u32string lowered = text::lower(t);
    const std::size_t at = lowered.find(U"mélangez bien les pâtes");
    REQUIRE(at != std::u32string::npos);
    CHECK(words_over(r, at, at + 23) == std::vector<std::string>{"Mélangez ", "bien ", "les ", "pâtes "});
    CHECK(r.orientation_votes().value == ocr::orientation::up);
}

TEST_CASE("ocr samples: words in an area (ocr_text_from_bbox and get_words_in_area vectors)", "[unit]") {
    const auto nutridia = ocr::parse_vision_file(samples + "5400910301160_1.json");
    CHECK(text_in_relative_box(nutridia, {0.2808293402194977, 0.37121888995170593, 0.35544055700302124,
                                          0.49409016966819763},
                               882, 1200) == "NUTRIDIA ");
    const auto manuka = ocr::parse_vision_file(samples + "9421023629015_5.json");
    CHECK(text_in_relative_box(manuka, {0.342327416, 0.469950765, 0.512927711, 0.659323752}, 901, 1200) ==
          "manuka health\nNEW ZEALAND\n");
    const auto materne = ocr::parse_vision_file(samples + "0890000001202_1.json");
    auto in_area = materne.words_in_area({101, 271, 115, 340});
    REQUIRE(in_area.size() == 1);
    CHECK(text::to_utf8(materne.word_text(*in_area[0])) == "Materne\n");
    CHECK(materne.words_in_area({120, 271, 134, 340}).empty());
    in_area = nutridia.words_in_area({337, 327, 427, 436});
    REQUIRE(in_area.size() == 1);
    CHECK(text::to_utf8(nutridia.word_text(*in_area[0])) == "NUTRIDIA ");
}

TEST_CASE("ocr samples: gzip file, logos, faces, orientation of a rotated photo", "[unit]") {
    const auto gz = ocr::parse_vision_file(samples + "5000159422345_3.json.gz");
    CHECK(gz.has_full_text_annotation());
    CHECK(gz.words().size() > 100);
    const auto manuka = ocr::parse_vision_file(samples + "9421023629015_5.json");
    CHECK_FALSE(manuka.logo_annotations().empty());
    const auto faces = ocr::parse_vision_file(samples + "face_detection.json");
    REQUIRE_FALSE(faces.face_annotations().empty());
    double best = 0;
    for (const auto& f : faces.face_annotations()) {
        best = std::max(best, f.detection_confidence);
    }
    CHECK(best == Approx(0.92));
    // Every word box of this nutrition-table photo has its top edge on vertices 1-2: the text is turned 90°.
    const auto rotated = ocr::parse_vision_file(samples + "2509757363133_2.json");
    CHECK(rotated.orientation_votes().value == ocr::orientation::left);
}
