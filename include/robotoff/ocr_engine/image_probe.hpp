#pragma once
// Reads an image's format, pixel dimensions and EXIF orientation from its header bytes only, without
// decoding pixels: the size checks run before any decoder allocates (no decompression bombs).
// Pure functions, thread-safe.

#include <cstdint>
#include <string_view>

namespace robotoff::ocr_engine {

enum class image_format { jpeg, png, webp };

const char* to_string(image_format format);

struct image_header {
    image_format format = image_format::jpeg;
    std::uint32_t width = 0;
    std::uint32_t height = 0;
    // EXIF orientation tag (1..8; 1 = stored upright, also when absent or unreadable).
    int exif_orientation = 1;
};

// Throws image_error (unsupported: unknown signature; corrupt: header truncated or inconsistent,
// zero dimensions).
image_header probe_image(std::string_view bytes);

// Clockwise rotation (0, 90, 180, 270) that shows an image stored with this EXIF orientation upright;
// mirrored orientations (2, 4, 5, 7) give the rotation of their non-mirrored counterpart.
int exif_rotation_degrees(int exif_orientation);

}  // namespace robotoff::ocr_engine
