#include "robotoff/ocr_engine/preprocess.hpp"

#include <catch2/catch.hpp>

namespace oe = robotoff::ocr_engine;

TEST_CASE("rotate_clockwise moves pixels by quarter turns", "[unit]") {
    // 3 x 2:  1 2 3
    //         4 5 6
    const oe::gray_image img{3, 2, {1, 2, 3, 4, 5, 6}};
    const auto r90 = oe::rotate_clockwise(img, 90);
    CHECK(r90.width == 2);
    CHECK(r90.height == 3);
    CHECK(r90.pixels == std::vector<std::uint8_t>{4, 1, 5, 2, 6, 3});
    const auto r180 = oe::rotate_clockwise(img, 180);
    CHECK(r180.pixels == std::vector<std::uint8_t>{6, 5, 4, 3, 2, 1});
    const auto r270 = oe::rotate_clockwise(img, 270);
    CHECK(r270.pixels == std::vector<std::uint8_t>{3, 6, 2, 5, 1, 4});
    CHECK(oe::rotate_clockwise(img, 0).pixels == img.pixels);
    CHECK_THROWS_AS(oe::rotate_clockwise(img, 45), std::invalid_argument);
}

TEST_CASE("OCR scale factor enlarges small photos only, at most 4x", "[unit]") {
    CHECK(oe::ocr_scale_factor(360, 475) == Approx(4.0));
    CHECK(oe::ocr_scale_factor(709, 1027) == Approx(1900.0 / 1027));
    CHECK(oe::ocr_scale_factor(1000, 1200, 2400) == Approx(2.0));
    CHECK(oe::ocr_scale_factor(2097, 3347) == Approx(1.0));
    CHECK(oe::ocr_scale_factor(0, 0) == Approx(1.0));
    const oe::gray_image img{10, 4, std::vector<std::uint8_t>(40, 128)};
    const auto big = oe::scale(img, 2.5);
    CHECK(big.width == 25);
    CHECK(big.height == 10);
    CHECK(big.pixels.size() == 250u);
    const auto bin = oe::binarize(oe::gray_image{40, 40, std::vector<std::uint8_t>(1600, 200)});
    CHECK(bin.pixels == std::vector<std::uint8_t>(1600, 255));   // flat paper: no ink
    const auto small = oe::scale(img, 0.5);
    CHECK(small.width == 5);
    CHECK(small.height == 2);
}
