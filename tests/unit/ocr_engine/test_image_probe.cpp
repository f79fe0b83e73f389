#include "image_fixtures.hpp"

#include "robotoff/ocr_engine/errors.hpp"
#include "robotoff/ocr_engine/image_probe.hpp"
#include "robotoff/ocr_engine/preprocess.hpp"

#include <catch2/catch.hpp>

#include <random>

namespace oe = robotoff::ocr_engine;

namespace {

oe::image_problem problem_of(const std::string& bytes, const oe::image_limits& limits = {}) {
    try {
        (void)oe::decode_gray(bytes, limits);
    } catch (const oe::image_error& e) {
        CHECK(!std::string(e.what()).empty());
        return e.problem();
    }
    FAIL("no image_error thrown");
    return oe::image_problem::corrupt;
}

}  // namespace

TEST_CASE("probe reads JPEG dimensions from the frame header", "[unit]") {
    const auto h = oe::probe_image(fixtures::sample("0011110702081_2.jpg"));
    CHECK(h.format == oe::image_format::jpeg);
    CHECK(h.width == 360);
    CHECK(h.height == 475);
    CHECK(h.exif_orientation == 1);
}

TEST_CASE("probe reads PNG and WebP dimensions", "[unit]") {
    const cv::Mat mat(37, 53, CV_8UC1, cv::Scalar(200));
    const auto png = oe::probe_image(fixtures::encode(mat, ".png"));
    CHECK(png.format == oe::image_format::png);
    CHECK(png.width == 53);
    CHECK(png.height == 37);
    const auto lossy = oe::probe_image(fixtures::encode(mat, ".webp", {cv::IMWRITE_WEBP_QUALITY, 80}));
    CHECK(lossy.format == oe::image_format::webp);
    CHECK(lossy.width == 53);
    CHECK(lossy.height == 37);
    const auto lossless = oe::probe_image(fixtures::encode(mat, ".webp", {cv::IMWRITE_WEBP_QUALITY, 101}));
    CHECK(lossless.width == 53);
    CHECK(lossless.height == 37);
}

TEST_CASE("decode_gray decodes JPEG, PNG and WebP to 8-bit gray", "[unit]") {
    cv::Mat mat(20, 30, CV_8UC3, cv::Scalar(10, 20, 30));
    for (const char* ext : {".jpg", ".png", ".webp"}) {
        INFO(ext);
        const auto decoded = oe::decode_gray(fixtures::encode(mat, ext), {});
        CHECK(decoded.gray.width == 30);
        CHECK(decoded.gray.height == 20);
        CHECK(decoded.gray.pixels.size() == 600u);
    }
}

TEST_CASE("EXIF orientation is read (both byte orders) and NOT applied to the pixel grid", "[unit]") {
    const std::string jpeg = fixtures::sample("0011110702081_2.jpg");
    for (bool little : {true, false}) {
        for (int orientation = 1; orientation <= 8; ++orientation) {
            const auto h = oe::probe_image(fixtures::with_exif(jpeg, orientation, little));
            CHECK(h.exif_orientation == orientation);
        }
    }
    const auto decoded = oe::decode_gray(fixtures::with_exif(jpeg, 6), {});
    CHECK(decoded.header.exif_orientation == 6);
    // Stored grid: 360 x 475 although orientation 6 displays it as 475 x 360.
    CHECK(decoded.gray.width == 360);
    CHECK(decoded.gray.height == 475);
    CHECK(oe::exif_rotation_degrees(1) == 0);
    CHECK(oe::exif_rotation_degrees(3) == 180);
    CHECK(oe::exif_rotation_degrees(6) == 90);
    CHECK(oe::exif_rotation_degrees(8) == 270);
    CHECK(oe::exif_rotation_degrees(42) == 0);
}

TEST_CASE("a broken EXIF block does not make the photo fail", "[unit]") {
    const std::string jpeg = fixtures::sample("0011110702081_2.jpg");
    std::string broken = fixtures::with_exif(jpeg, 6);
    broken[19] = char(0xFF);   // high byte of the little-endian IFD0 offset: far outside the block
    const auto h = oe::probe_image(broken);
    CHECK(h.exif_orientation == 1);
    CHECK(h.width == 360);
}

TEST_CASE("oversized images are refused before decoding", "[unit]") {
    const std::string jpeg = fixtures::sample("0011110702081_2.jpg");
    CHECK(problem_of(jpeg, {1000, 50000000}) == oe::image_problem::too_many_bytes);
    CHECK(problem_of(jpeg, {20000000, 360 * 475 - 1}) == oe::image_problem::too_many_pixels);
    CHECK_NOTHROW(oe::decode_gray(jpeg, {20000000, 360 * 475}));
    // A 100-byte PNG claiming 100000 x 100000 pixels: refused on its header, nothing allocated.
    const std::string bomb = fixtures::png_claiming(100000, 100000);
    CHECK(bomb.size() < 100);
    CHECK(problem_of(bomb) == oe::image_problem::too_many_pixels);
    try {
        (void)oe::decode_gray(bomb, {});
    } catch (const oe::image_error& e) {
        CHECK(e.status() == 413);
        CHECK(std::string(e.what()).find("100000x100000") != std::string::npos);
    }
}

TEST_CASE("corrupt and unsupported images give a clear error, no crash", "[unit]") {
    const std::string jpeg = fixtures::sample("0011110702081_2.jpg");
    SECTION("truncated JPEG") {
        for (std::size_t cut : {std::size_t(3), std::size_t(200), jpeg.size() / 2, jpeg.size() - 3}) {
            INFO("cut at " << cut);
            CHECK(problem_of(jpeg.substr(0, cut)) == oe::image_problem::corrupt);
        }
    }
    SECTION("random bytes") {
        std::mt19937 rng(42);
        std::string noise(4096, '\0');
        for (auto& c : noise) {
            c = static_cast<char>(rng() & 0xFF);
        }
        CHECK(problem_of(noise) == oe::image_problem::unsupported);
        CHECK(problem_of("") == oe::image_problem::unsupported);
        // Valid signatures followed by noise.
        CHECK(problem_of("\xFF\xD8\xFF" + noise) == oe::image_problem::corrupt);
        CHECK(problem_of(std::string("\x89PNG\r\n\x1A\n", 8) + noise) == oe::image_problem::corrupt);
        CHECK(problem_of(std::string("RIFF\x10\x00\x00\x00WEBP", 12) + noise) == oe::image_problem::corrupt);
    }
    SECTION("PNG with a plausible header and broken data") {
        const std::string png = fixtures::png_claiming(64, 64);
        CHECK(problem_of(png) == oe::image_problem::corrupt);
        try {
            (void)oe::decode_gray(png, {});
        } catch (const oe::image_error& e) {
            CHECK(e.status() == 400);
        }
    }
    SECTION("zero dimensions") {
        CHECK(problem_of(fixtures::png_claiming(0, 10)) == oe::image_problem::corrupt);
    }
}
