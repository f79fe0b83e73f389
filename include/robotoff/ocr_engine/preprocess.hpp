#pragma once
// Image preparation for Tesseract (OpenCV underneath, hidden in src/): size checks on the header, decoding
// to 8-bit grayscale in the STORED pixel grid (EXIF orientation is not applied: boxes refer to the stored
// grid, as Vision's and Product Opener's crop coordinates do), rotation by quarter turns and scaling.
// Pure functions, thread-safe.

#include "robotoff/ocr_engine/image_probe.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace robotoff::ocr_engine {

struct image_limits {
    std::uint64_t max_bytes = 20971520;     // ocr.max_image_bytes
    std::uint64_t max_pixels = 50000000;    // ocr.max_image_pixels
};

// 8-bit single-channel image, rows packed (stride = width).
struct gray_image {
    int width = 0;
    int height = 0;
    std::vector<std::uint8_t> pixels;

    bool empty() const { return width == 0 || height == 0; }
};

struct decoded_image {
    image_header header;
    gray_image gray;
};

// Reads an image file, refusing it on its size before reading (image_error too_many_bytes); other problems
// are core::io_error naming the path. Blocking.
std::string read_image_file(const std::string& path, const image_limits& limits);

// True when the bytes start like a JPEG, PNG or WebP file (no validation beyond the signature).
bool looks_like_image(std::string_view bytes);

// Checks the byte size, probes the header, checks width x height, then decodes. Throws image_error
// (too_many_bytes, too_many_pixels, unsupported, corrupt; the decoded size must match the header).
decoded_image decode_gray(std::string_view bytes, const image_limits& limits);

// Rotates clockwise by 0, 90, 180 or 270 degrees (other values: std::invalid_argument).
gray_image rotate_clockwise(const gray_image& image, int degrees);

// The long side the OCR scaling aims at (see preprocess.cpp and the bench for the measurements).
inline constexpr double default_target_long_side = 1900.0;
inline constexpr double default_max_upscale = 4.0;

// Scale factor that brings text to a height Tesseract reads well: >= 1, small photos enlarged.
double ocr_scale_factor(int width, int height, double target_long_side = default_target_long_side,
                        double max_upscale = default_max_upscale);

// Local (adaptive Gaussian) thresholding to black text on white: evens out shadows, glare and coloured table
// bands of product photos before Tesseract's own global threshold (measurements in preprocess.cpp).
gray_image binarize(const gray_image& image);

// Resizes by `factor` (area interpolation when shrinking, cubic when enlarging); 1.0 returns a copy.
gray_image scale(const gray_image& image, double factor);

}  // namespace robotoff::ocr_engine
