// libFuzzer target: image header probe, decoding and the OCR preprocessing (scale, threshold, quarter turns,
// box mapping) on arbitrary bytes. Anything but image_error escaping, a crash or a sanitizer report is a bug.
// Seeds: ../shared/samples/images (scripts/fuzz.sh).

#include "robotoff/ocr_engine/box_mapping.hpp"
#include "robotoff/ocr_engine/errors.hpp"
#include "robotoff/ocr_engine/image_probe.hpp"
#include "robotoff/ocr_engine/preprocess.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace oe = robotoff::ocr_engine;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    try {
        (void)oe::probe_image(bytes);
    } catch (const oe::image_error&) {
    }
    // Small pixel limit: the fuzzer explores parsers, not how long OpenCV takes on 50-megapixel canvases.
    const oe::image_limits limits{1u << 20, 1u << 20};
    try {
        const oe::decoded_image decoded = oe::decode_gray(bytes, limits);
        if (decoded.gray.width <= 0 || decoded.gray.height <= 0 ||
            decoded.gray.pixels.size() != std::size_t(decoded.gray.width) * std::size_t(decoded.gray.height)) {
            __builtin_trap();
        }
        const double factor = oe::ocr_scale_factor(decoded.gray.width, decoded.gray.height, 256.0, 4.0);
        const oe::gray_image scaled = oe::scale(decoded.gray, factor);
        const oe::gray_image binary = oe::binarize(scaled);
        const int rotation = static_cast<int>(size % 4) * 90;
        const oe::gray_image turned = oe::rotate_clockwise(binary, rotation);
        const oe::quad q = oe::map_to_original({0, 0, turned.width, turned.height},
                                               {rotation, factor, decoded.gray.width, decoded.gray.height},
                                               static_cast<int>(data[size - 1] % 4) * 90);
        for (const auto& v : q) {
            if (v.x < 0 || v.y < 0 || v.x > decoded.gray.width || v.y > decoded.gray.height) {
                __builtin_trap();
            }
        }
    } catch (const oe::image_error&) {
    }
    return 0;
}
