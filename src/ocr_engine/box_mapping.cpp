#include "robotoff/ocr_engine/box_mapping.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace robotoff::ocr_engine {

namespace {

// One point of the upright (unscaled) image back to the original grid. The upright image is the original
// rotated clockwise by `rotation`; pixel-corner coordinates, so a 90° turn maps (x, y) -> (H - y, x).
vertex to_original(double ux, double uy, const upright_transform& t) {
    const double w = t.original_width;
    const double h = t.original_height;
    double x = 0;
    double y = 0;
    switch (t.rotation) {
    case 0:
        x = ux;
        y = uy;
        break;
    case 90:   // original (x, y) -> upright (h - y, x)
        x = uy;
        y = h - ux;
        break;
    case 180:  // original (x, y) -> upright (w - x, h - y)
        x = w - ux;
        y = h - uy;
        break;
    case 270:  // original (x, y) -> upright (y, w - x)
        x = w - uy;
        y = ux;
        break;
    default:
        throw std::invalid_argument("rotation must be 0, 90, 180 or 270 degrees, not " + std::to_string(t.rotation));
    }
    const auto clamp = [](double v, double hi) { return static_cast<int>(std::lround(std::clamp(v, 0.0, hi))); };
    return {clamp(x, w), clamp(y, h)};
}

}  // namespace

quad map_to_original(const upright_box& box, const upright_transform& t, int text_turn) {
    const double s = t.scale > 0 ? t.scale : 1.0;
    const double l = box.left / s;
    const double r = box.right / s;
    const double top = box.top / s;
    const double b = box.bottom / s;
    // Corners of the TEXT (its top-left, top-right, bottom-right, bottom-left) in the upright image, each
    // carried to the original grid.
    switch (text_turn) {
    case 90:
        return {to_original(r, top, t), to_original(r, b, t), to_original(l, b, t), to_original(l, top, t)};
    case 180:
        return {to_original(r, b, t), to_original(l, b, t), to_original(l, top, t), to_original(r, top, t)};
    case 270:
        return {to_original(l, b, t), to_original(l, top, t), to_original(r, top, t), to_original(r, b, t)};
    default:
        return {to_original(l, top, t), to_original(r, top, t), to_original(r, b, t), to_original(l, b, t)};
    }
}

const char* quad_orientation(const quad& q) {
    // §2.5: the two vertices with the smallest y (ties: earlier index first), as a sorted index pair.
    std::array<int, 4> order = {0, 1, 2, 3};
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return q[a].y < q[b].y; });
    const int i = std::min(order[0], order[1]);
    const int j = std::max(order[0], order[1]);
    if (i == 0 && j == 1) {
        return "up";
    }
    if (i == 1 && j == 2) {
        return "left";
    }
    if (i == 2 && j == 3) {
        return "down";
    }
    if (i == 0 && j == 3) {
        return "right";
    }
    return "unknown";
}

}  // namespace robotoff::ocr_engine
