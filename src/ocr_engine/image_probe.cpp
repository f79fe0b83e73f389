// Header parsing for JPEG (SOFn), PNG (IHDR, eXIf) and WebP (VP8, VP8L, VP8X, EXIF). Every read is bounds
// checked: the input is untrusted bytes from the network (see tests/fuzz/fuzz_image.cpp).

#include "robotoff/ocr_engine/errors.hpp"
#include "robotoff/ocr_engine/image_probe.hpp"

#include <cstring>
#include <string>

namespace robotoff::ocr_engine {

namespace {

[[noreturn]] void corrupt(const std::string& why) {
    throw image_error(image_problem::corrupt, "corrupt image: " + why);
}

std::uint32_t be16(std::string_view b, std::size_t at) {
    return (std::uint32_t(std::uint8_t(b[at])) << 8) | std::uint8_t(b[at + 1]);
}
std::uint32_t be32(std::string_view b, std::size_t at) {
    return (be16(b, at) << 16) | be16(b, at + 2);
}
std::uint32_t le16(std::string_view b, std::size_t at) {
    return (std::uint32_t(std::uint8_t(b[at + 1])) << 8) | std::uint8_t(b[at]);
}
std::uint32_t le24(std::string_view b, std::size_t at) {
    return le16(b, at) | (std::uint32_t(std::uint8_t(b[at + 2])) << 16);
}
std::uint32_t le32(std::string_view b, std::size_t at) {
    return le16(b, at) | (le16(b, at + 2) << 16);
}

// Orientation tag (0x0112) of IFD0 in a TIFF structure (the payload of EXIF). 1 when absent or unreadable:
// a broken EXIF block must not make an otherwise fine photo fail.
int tiff_orientation(std::string_view tiff) {
    if (tiff.size() < 8) {
        return 1;
    }
    const bool little = tiff.substr(0, 4) == std::string_view("II*\0", 4);
    const bool big = tiff.substr(0, 4) == std::string_view("MM\0*", 4);
    if (!little && !big) {
        return 1;
    }
    auto u16 = [&](std::size_t at) { return little ? le16(tiff, at) : be16(tiff, at); };
    auto u32 = [&](std::size_t at) { return little ? le32(tiff, at) : be32(tiff, at); };
    const std::size_t ifd = u32(4);
    if (ifd > tiff.size() || tiff.size() - ifd < 2) {
        return 1;
    }
    const std::size_t count = u16(ifd);
    for (std::size_t i = 0; i < count; ++i) {
        const std::size_t entry = ifd + 2 + i * 12;
        if (entry > tiff.size() || tiff.size() - entry < 12) {
            return 1;
        }
        if (u16(entry) == 0x0112 && u16(entry + 2) == 3) {   // SHORT
            const int value = static_cast<int>(u16(entry + 8));
            return value >= 1 && value <= 8 ? value : 1;
        }
    }
    return 1;
}

int exif_payload_orientation(std::string_view payload) {
    // JPEG APP1 and some WebP writers prefix the TIFF data with "Exif\0\0".
    if (payload.size() >= 6 && payload.substr(0, 6) == std::string_view("Exif\0\0", 6)) {
        payload.remove_prefix(6);
    }
    return tiff_orientation(payload);
}

bool is_sof(std::uint8_t marker) {
    return marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
}

image_header probe_jpeg(std::string_view b) {
    image_header h;
    h.format = image_format::jpeg;
    std::size_t at = 2;
    bool have_size = false;
    while (true) {
        // Skip fill bytes, find the next marker.
        while (at < b.size() && std::uint8_t(b[at]) != 0xFF) {
            ++at;
        }
        while (at < b.size() && std::uint8_t(b[at]) == 0xFF) {
            ++at;
        }
        if (at >= b.size()) {
            corrupt("JPEG ends before its frame header");
        }
        const std::uint8_t marker = std::uint8_t(b[at++]);
        if (marker == 0xD8 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
            continue;   // markers without a length
        }
        if (marker == 0xD9) {
            break;
        }
        if (marker == 0xDA) {
            // Entropy-coded data cannot contain FF D9 (FF is stuffed), so a file cut anywhere after the
            // first scan lacks it: libjpeg would "decode" such a file with a grey bottom instead of failing.
            if (b.find("\xFF\xD9", at) == std::string_view::npos) {
                corrupt("JPEG truncated (no end-of-image marker after the scan data)");
            }
            break;
        }
        if (b.size() - at < 2) {
            corrupt("JPEG segment truncated");
        }
        const std::size_t length = be16(b, at);
        if (length < 2 || b.size() - at < length) {
            corrupt("JPEG segment truncated");
        }
        const std::string_view segment = b.substr(at + 2, length - 2);
        if (marker == 0xE1 && h.exif_orientation == 1) {
            h.exif_orientation = exif_payload_orientation(segment);
        } else if (is_sof(marker) && !have_size) {
            if (segment.size() < 5) {
                corrupt("JPEG frame header truncated");
            }
            h.height = be16(segment, 1);
            h.width = be16(segment, 3);
            have_size = true;
        }
        at += length;
    }
    if (!have_size) {
        corrupt("JPEG without a frame header");
    }
    return h;
}

image_header probe_png(std::string_view b) {
    image_header h;
    h.format = image_format::png;
    // signature(8) + length(4) + "IHDR"(4) + width(4) + height(4)
    if (b.size() < 24 || b.substr(12, 4) != "IHDR") {
        corrupt("PNG without an IHDR header");
    }
    h.width = be32(b, 16);
    h.height = be32(b, 20);
    // eXIf may sit anywhere before IDAT; walk the chunks up to there.
    std::size_t at = 8;
    while (b.size() - at >= 12) {
        const std::size_t length = be32(b, at);
        const std::string_view type = b.substr(at + 4, 4);
        if (type == "IDAT" || type == "IEND" || length > b.size() - at - 12) {
            break;
        }
        if (type == "eXIf") {
            h.exif_orientation = exif_payload_orientation(b.substr(at + 8, length));
            break;
        }
        at += 12 + length;
    }
    return h;
}

image_header probe_webp(std::string_view b) {
    image_header h;
    h.format = image_format::webp;
    std::size_t at = 12;
    bool have_size = false;
    while (b.size() - at >= 8) {
        const std::string_view type = b.substr(at, 4);
        const std::size_t length = le32(b, at + 4);
        if (length > b.size() - at - 8) {
            corrupt("WebP chunk truncated");
        }
        const std::string_view chunk = b.substr(at + 8, length);
        if (type == "VP8X" && !have_size) {
            if (chunk.size() < 10) {
                corrupt("WebP VP8X header truncated");
            }
            h.width = le24(chunk, 4) + 1;
            h.height = le24(chunk, 7) + 1;
            have_size = true;
        } else if (type == "VP8 " && !have_size) {
            // frame tag(3) + start code 9d 01 2a + 14-bit width and height
            if (chunk.size() < 10 || chunk.substr(3, 3) != "\x9d\x01\x2a") {
                corrupt("WebP VP8 header invalid");
            }
            h.width = le16(chunk, 6) & 0x3FFF;
            h.height = le16(chunk, 8) & 0x3FFF;
            have_size = true;
        } else if (type == "VP8L" && !have_size) {
            if (chunk.size() < 5 || std::uint8_t(chunk[0]) != 0x2F) {
                corrupt("WebP VP8L header invalid");
            }
            const std::uint32_t bits = le32(chunk, 1);
            h.width = (bits & 0x3FFF) + 1;
            h.height = ((bits >> 14) & 0x3FFF) + 1;
            have_size = true;
        } else if (type == "EXIF") {
            h.exif_orientation = exif_payload_orientation(chunk);
        }
        at += 8 + length + (length & 1);   // chunks are padded to even sizes
        if (at > b.size()) {
            break;
        }
    }
    if (!have_size) {
        corrupt("WebP without an image header");
    }
    return h;
}

}  // namespace

const char* to_string(image_format format) {
    switch (format) {
    case image_format::jpeg:
        return "jpeg";
    case image_format::png:
        return "png";
    case image_format::webp:
        return "webp";
    }
    return "unknown";
}

const char* to_string(image_problem problem) {
    switch (problem) {
    case image_problem::too_many_bytes:
        return "too_many_bytes";
    case image_problem::too_many_pixels:
        return "too_many_pixels";
    case image_problem::unsupported:
        return "unsupported";
    case image_problem::corrupt:
        return "corrupt";
    }
    return "unknown";
}

image_header probe_image(std::string_view bytes) {
    image_header h;
    if (bytes.size() >= 3 && bytes.substr(0, 3) == "\xFF\xD8\xFF") {
        h = probe_jpeg(bytes);
    } else if (bytes.size() >= 8 && bytes.substr(0, 8) == "\x89PNG\r\n\x1A\n") {
        h = probe_png(bytes);
    } else if (bytes.size() >= 12 && bytes.substr(0, 4) == "RIFF" && bytes.substr(8, 4) == "WEBP") {
        h = probe_webp(bytes);
    } else {
        throw image_error(image_problem::unsupported, "unsupported image format (JPEG, PNG or WebP expected)");
    }
    if (h.width == 0 || h.height == 0) {
        corrupt("zero image dimension");
    }
    return h;
}

int exif_rotation_degrees(int exif_orientation) {
    switch (exif_orientation) {
    case 3:
    case 4:
        return 180;
    case 5:
    case 6:
        return 90;
    case 7:
    case 8:
        return 270;
    default:
        return 0;
    }
}

}  // namespace robotoff::ocr_engine
