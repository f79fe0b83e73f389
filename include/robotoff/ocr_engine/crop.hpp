#pragma once
// JPEG crops for GET /api/v1/images/crop (api.md §4.8): decode in the stored pixel grid (same coordinates as
// OCR boxes), convert to RGB, cut [x_min·W, x_max·W) x [y_min·H, y_max·H) (rounded down / up), encode as
// JPEG quality 90. The same header checks as OCR refuse oversized images before decoding.
// Pure function, thread-safe.

#include "robotoff/ocr_engine/preprocess.hpp"

#include <string>
#include <string_view>

namespace robotoff::ocr_engine {

struct relative_box {
    double y_min = 0;
    double x_min = 0;
    double y_max = 1;
    double x_max = 1;
};

// Throws image_error (refused or undecodable image) and std::invalid_argument (box not within 0..1 with
// min < max).
std::string crop_jpeg(std::string_view image_bytes, const relative_box& box, const image_limits& limits);

}  // namespace robotoff::ocr_engine
