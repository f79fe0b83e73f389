// OCR on the real photos of ../shared/samples/images. Tesseract versions drift, so the checks are about words
// and phrases that must be found and about geometry, never about exact output. Needs OMP_THREAD_LIMIT=1 in
// the environment (set by ctest, see CMakeLists.txt).

#include "image_fixtures.hpp"

#include "robotoff/ocr/ocr_result.hpp"
#include "robotoff/ocr_engine/ocr_engine.hpp"
#include "robotoff/text/normalize.hpp"

#include <catch2/catch.hpp>

#include <chrono>

namespace oe = robotoff::ocr_engine;

namespace {

std::string lower_text(const robotoff::ocr::ocr_result& r) {
    return robotoff::text::lower(robotoff::text::to_utf8(r.full_text()));
}

std::string png_of(const oe::gray_image& img) {
    const cv::Mat mat(img.height, img.width, CV_8UC1, const_cast<std::uint8_t*>(img.pixels.data()));
    return fixtures::encode(mat, ".png");
}

void check_boxes_inside(const oe::ocr_page& page) {
    for (const auto& block : page.blocks) {
        for (const auto& para : block.paragraphs) {
            for (const auto& word : para.words) {
                for (const auto& v : word.box) {
                    REQUIRE(v.x >= 0);
                    REQUIRE(v.x <= page.width);
                    REQUIRE(v.y >= 0);
                    REQUIRE(v.y <= page.height);
                }
            }
        }
    }
}

}  // namespace

TEST_CASE("nutrition facts photo: expected words, upright, Vision JSON the parser accepts", "[unit][ocr]") {
    oe::engine eng(oe::engine_settings{});
    const auto result = eng.recognize(fixtures::sample("0011110702081_2.jpg"));
    CHECK(result.orientation.rotation == 0);
    CHECK(result.page.width == 360);
    CHECK(result.page.height == 475);
    check_boxes_inside(result.page);
    const auto parsed = robotoff::ocr::parse_vision_json(result.json);
    const std::string text = lower_text(parsed);
    INFO(text);
    CHECK(text.find("nutrition facts") != std::string::npos);
    CHECK(text.find("calories") != std::string::npos);
    CHECK(text.find("total fat") != std::string::npos);
    CHECK(text.find("protein") != std::string::npos);
    CHECK(text.find("serving") != std::string::npos);
    CHECK(parsed.orientation_votes().value == robotoff::ocr::orientation::up);
    // Word languages are ISO 639-1 codes of the configured languages (Tesseract's model that read the word).
    int tagged = 0;
    for (const auto& [lang, count] : parsed.language_counts()) {
        if (lang != "null" && lang != "words") {
            CHECK((lang == "en" || lang == "fr" || lang == "de" || lang == "es" || lang == "it" || lang == "nl" ||
                   lang == "pt"));
            tagged += count;
        }
    }
    CHECK(tagged > 10);
    // No blank words (LSTM emits blank symbols on table rules; they are dropped).
    for (const auto& w : parsed.words()) {
        CHECK(robotoff::text::to_utf8(parsed.word_text(w)).find_first_not_of(" \n") != std::string::npos);
    }
}

TEST_CASE("photo stored sideways: OSD turns it, boxes say 'left' like Vision's", "[unit][ocr]") {
    oe::engine eng(oe::engine_settings{});
    const auto result = eng.recognize(fixtures::sample("2509757363133_2.jpg"));
    CHECK(result.orientation.rotation == 90);
    CHECK(std::string(result.orientation.method) == "osd");
    check_boxes_inside(result.page);
    const auto parsed = robotoff::ocr::parse_vision_json(result.json);
    CHECK(parsed.orientation_votes().value == robotoff::ocr::orientation::left);
    CHECK(robotoff::ocr::rotation_degrees(parsed.orientation_votes().value) == 90);
    const std::string text = lower_text(parsed);
    INFO(text);
    CHECK(text.find("beurre de cacao") != std::string::npos);
    CHECK(text.find("matières grasses") != std::string::npos);
    CHECK(text.find("lait") != std::string::npos);
    CHECK(text.find("sucre") != std::string::npos);
}

TEST_CASE("photos rotated in memory by 90/180/270: orientation found from the boxes", "[unit][ocr]") {
    oe::engine eng(oe::engine_settings{});
    const auto decoded = oe::decode_gray(fixtures::sample("0011110702081_2.jpg"), {});
    struct expectation {
        int turn;
        robotoff::ocr::orientation seen;
    };
    using o = robotoff::ocr::orientation;
    for (const auto& [turn, seen] : {expectation{90, o::right}, expectation{180, o::down}, expectation{270, o::left}}) {
        INFO("turned clockwise by " << turn);
        const auto turned = oe::rotate_clockwise(decoded.gray, turn);
        const auto result = eng.recognize(png_of(turned));
        CHECK(result.orientation.rotation == (360 - turn) % 360);
        const auto parsed = robotoff::ocr::parse_vision_json(result.json);
        CHECK(parsed.orientation_votes().value == seen);
        CHECK(lower_text(parsed).find("nutrition") != std::string::npos);
        // Same box as in the upright photo, in the turned grid: "Nutrition" stays inside the image.
        check_boxes_inside(result.page);
    }
}

TEST_CASE("ocr_service: results through futures, busy when the queue is full, deadlines", "[unit][ocr]") {
    oe::service_settings settings;
    settings.threads = 1;
    settings.max_queued = 1;
    oe::ocr_service service(settings);
    const std::string photo = fixtures::sample("0011110702081_2.jpg");

    // One engine busy for a second or more and one waiting: a third image cannot be queued.
    std::vector<std::future<oe::ocr_result>> accepted;
    int refused = 0;
    for (int i = 0; i < 3; ++i) {
        try {
            accepted.push_back(service.submit(photo));
        } catch (const oe::busy_error&) {
            ++refused;
        }
    }
    CHECK(refused >= 1);
    REQUIRE(!accepted.empty());
    for (auto& f : accepted) {
        CHECK(f.get().page.blocks.size() > 0);
    }

    auto late = service.submit(photo, std::chrono::steady_clock::now() - std::chrono::seconds(1));
    CHECK_THROWS_AS(late.get(), oe::deadline_error);

    auto bad = service.submit("not an image");
    CHECK_THROWS_AS(bad.get(), oe::image_error);
}

TEST_CASE("a broken Tesseract setup fails at start-up with a clear error", "[unit][ocr]") {
    oe::engine_settings missing_language;
    missing_language.languages = "xxx";
    CHECK_THROWS_AS(oe::engine(missing_language), oe::engine_error);
    oe::service_settings bad_path;
    bad_path.engine.tessdata_path = "/nonexistent/tessdata";
    CHECK_THROWS_AS(oe::ocr_service(bad_path), oe::engine_error);
}
