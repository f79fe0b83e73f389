#include "robotoff/ocr_engine/crop.hpp"
#include "robotoff/ocr_engine/errors.hpp"

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

namespace robotoff::ocr_engine {

std::string crop_jpeg(std::string_view image_bytes, const relative_box& box, const image_limits& limits) {
    const auto in_range = [](double v) { return v >= 0.0 && v <= 1.0; };
    if (!in_range(box.y_min) || !in_range(box.x_min) || !in_range(box.y_max) || !in_range(box.x_max) ||
        box.y_min >= box.y_max || box.x_min >= box.x_max) {
        throw std::invalid_argument("crop box must be within 0..1 with min < max");
    }
    if (image_bytes.size() > limits.max_bytes) {
        throw image_error(image_problem::too_many_bytes, "image of " + std::to_string(image_bytes.size()) +
                                                             " bytes is over the limit (ocr.max_image_bytes)");
    }
    const image_header header = probe_image(image_bytes);
    if (std::uint64_t(header.width) * header.height > limits.max_pixels) {
        throw image_error(image_problem::too_many_pixels, "image of " + std::to_string(header.width) + "x" +
                                                              std::to_string(header.height) +
                                                              " pixels is over the limit (ocr.max_image_pixels)");
    }
    cv::Mat mat;
    try {
        const cv::Mat raw(1, static_cast<int>(image_bytes.size()), CV_8UC1, const_cast<char*>(image_bytes.data()));
        mat = cv::imdecode(raw, cv::IMREAD_COLOR | cv::IMREAD_IGNORE_ORIENTATION);
    } catch (const cv::Exception& e) {
        throw image_error(image_problem::corrupt, std::string("corrupt image: decoder failed: ") + e.what());
    }
    if (mat.empty() || std::uint32_t(mat.cols) != header.width || std::uint32_t(mat.rows) != header.height) {
        throw image_error(image_problem::corrupt, "corrupt image: the data cannot be decoded");
    }
    const int x0 = static_cast<int>(std::floor(box.x_min * mat.cols));
    const int y0 = static_cast<int>(std::floor(box.y_min * mat.rows));
    const int x1 = std::clamp(static_cast<int>(std::ceil(box.x_max * mat.cols)), x0 + 1, mat.cols);
    const int y1 = std::clamp(static_cast<int>(std::ceil(box.y_max * mat.rows)), y0 + 1, mat.rows);
    if (x0 >= mat.cols || y0 >= mat.rows) {
        throw std::invalid_argument("crop box is empty");
    }
    // imdecode gives BGR, which imencode expects: the JPEG holds the RGB colours of the original.
    std::vector<std::uint8_t> out;
    if (!cv::imencode(".jpg", mat(cv::Rect(x0, y0, x1 - x0, y1 - y0)), out, {cv::IMWRITE_JPEG_QUALITY, 90})) {
        throw std::runtime_error("JPEG encoding failed");
    }
    return std::string(out.begin(), out.end());
}

}  // namespace robotoff::ocr_engine
