#pragma once
// Maps word boxes found in the upright, scaled image back to the ORIGINAL image's pixel grid, keeping the
// vertices in the reading order of the text (top-left, top-right, bottom-right, bottom-left of the text),
// as ocr-and-extraction.md §2.7 step 6 asks: the §2.5 orientation rule then finds the photo's rotation.
// Pure functions, thread-safe.

#include <array>

namespace robotoff::ocr_engine {

struct vertex {
    int x = 0;
    int y = 0;
    bool operator==(const vertex&) const = default;
};

// Axis-aligned box in the upright image: [left, right) x [top, bottom).
struct upright_box {
    int left = 0;
    int top = 0;
    int right = 0;
    int bottom = 0;
};

using quad = std::array<vertex, 4>;

// How the upright image was made from the original: rotated clockwise by `rotation` degrees (0, 90, 180,
// 270), then scaled by `scale`. Sizes are those of the ORIGINAL image.
struct upright_transform {
    int rotation = 0;
    double scale = 1.0;
    int original_width = 0;
    int original_height = 0;
};

// Text corners in original coordinates, clamped to the image. `text_turn` is how the text itself lies in the
// upright image (Tesseract's block orientation, clockwise degrees: 90 = reads top to bottom), so sideways
// blocks that Tesseract read without a page rotation still get their corners in reading order.
quad map_to_original(const upright_box& box, const upright_transform& transform, int text_turn = 0);

// The §2.5 orientation of one quad ("up", "left", "down", "right", "unknown"), for tests and tools.
const char* quad_orientation(const quad& q);

}  // namespace robotoff::ocr_engine
