#include "robotoff/ocr/ocr_result.hpp"
#include "robotoff/ocr_engine/box_mapping.hpp"
#include "robotoff/ocr_engine/preprocess.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <string>

namespace oe = robotoff::ocr_engine;

namespace {

// Where the single non-zero pixel of an image is.
std::pair<int, int> lit_pixel(const oe::gray_image& img) {
    const auto it = std::find(img.pixels.begin(), img.pixels.end(), std::uint8_t(255));
    REQUIRE(it != img.pixels.end());
    const auto index = static_cast<int>(it - img.pixels.begin());
    return {index % img.width, index / img.width};
}

std::string ocr_module_orientation(const oe::quad& q) {
    const robotoff::ocr::polygon v{{q[0].x, q[0].y}, {q[1].x, q[1].y}, {q[2].x, q[2].y}, {q[3].x, q[3].y}};
    return std::string(robotoff::ocr::to_string(robotoff::ocr::word_orientation(v)));
}

}  // namespace

TEST_CASE("box mapping: upright image keeps the box", "[unit]") {
    const oe::quad q = oe::map_to_original({10, 20, 50, 30}, {0, 1.0, 200, 100});
    CHECK(q[0] == oe::vertex{10, 20});
    CHECK(q[1] == oe::vertex{50, 20});
    CHECK(q[2] == oe::vertex{50, 30});
    CHECK(q[3] == oe::vertex{10, 30});
    CHECK(std::string(oe::quad_orientation(q)) == "up");
}

TEST_CASE("box mapping: scale is undone", "[unit]") {
    const oe::quad q = oe::map_to_original({20, 40, 100, 60}, {0, 2.0, 200, 100});
    CHECK(q[0] == oe::vertex{10, 20});
    CHECK(q[2] == oe::vertex{50, 30});
}

TEST_CASE("box mapping: each rotation gives the Vision vertex order and the §2.5 orientation", "[unit]") {
    // Original 200 x 100. The engine turned it clockwise by `rotation` to read it; the text therefore lies in
    // the original turned the other way, and §2.5 must report the rotation that fixes it.
    const int w = 200;
    const int h = 100;
    struct expectation {
        int rotation;
        const char* orientation;
    };
    for (const auto& [rotation, orientation] : {expectation{0, "up"}, expectation{90, "left"},
                                                expectation{180, "down"}, expectation{270, "right"}}) {
        const bool swapped = rotation == 90 || rotation == 270;
        const int uw = swapped ? h : w;
        const int uh = swapped ? w : h;
        const oe::quad q = oe::map_to_original({5, 7, uw - 11, uh - 13}, {rotation, 1.0, w, h});
        INFO("rotation " << rotation);
        CHECK(std::string(oe::quad_orientation(q)) == orientation);
        CHECK(ocr_module_orientation(q) == orientation);
        for (const auto& v : q) {
            CHECK(v.x >= 0);
            CHECK(v.x <= w);
            CHECK(v.y >= 0);
            CHECK(v.y <= h);
        }
    }
}

TEST_CASE("box mapping: sideways text blocks combine with the page rotation", "[unit]") {
    // Text lying turned by `text_turn` in the upright image, which is itself the original turned by `rotation`:
    // in the original the text is turned by text_turn - rotation.
    const char* names[] = {"up", "right", "down", "left"};   // text turned 0, 90, 180, 270 clockwise
    for (int rotation : {0, 90, 180, 270}) {
        for (int text_turn : {0, 90, 180, 270}) {
            const oe::quad q = oe::map_to_original({10, 10, 40, 30}, {rotation, 1.0, 100, 100}, text_turn);
            const int net = ((text_turn - rotation) % 360 + 360) % 360;
            INFO("rotation " << rotation << " text turn " << text_turn);
            CHECK(std::string(oe::quad_orientation(q)) == names[net / 90]);
        }
    }
}

TEST_CASE("box mapping agrees with rotate_clockwise pixel by pixel", "[unit]") {
    const int w = 7;
    const int h = 4;
    for (int rotation : {0, 90, 180, 270}) {
        for (int y = 0; y < h; ++y) {
            for (int x = 0; x < w; ++x) {
                oe::gray_image original{w, h, std::vector<std::uint8_t>(w * h, 0)};
                original.pixels[static_cast<std::size_t>(y * w + x)] = 255;
                const auto upright = oe::rotate_clockwise(original, rotation);
                const auto [ux, uy] = lit_pixel(upright);
                const oe::quad q = oe::map_to_original({ux, uy, ux + 1, uy + 1}, {rotation, 1.0, w, h});
                // The mapped unit square is the original pixel's square, corners in some order.
                int min_x = w;
                int min_y = h;
                int max_x = 0;
                int max_y = 0;
                for (const auto& v : q) {
                    min_x = std::min(min_x, v.x);
                    min_y = std::min(min_y, v.y);
                    max_x = std::max(max_x, v.x);
                    max_y = std::max(max_y, v.y);
                }
                INFO("rotation " << rotation << " pixel " << x << "," << y);
                CHECK(min_x == x);
                CHECK(min_y == y);
                CHECK(max_x == x + 1);
                CHECK(max_y == y + 1);
            }
        }
    }
}

TEST_CASE("box mapping clamps to the image and refuses odd rotations", "[unit]") {
    const oe::quad q = oe::map_to_original({-5, -5, 500, 500}, {0, 1.0, 100, 50});
    CHECK(q[0] == oe::vertex{0, 0});
    CHECK(q[2] == oe::vertex{100, 50});
    CHECK_THROWS_AS(oe::map_to_original({0, 0, 1, 1}, {45, 1.0, 10, 10}), std::invalid_argument);
}
