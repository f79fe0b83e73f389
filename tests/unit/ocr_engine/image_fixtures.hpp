#pragma once
// Image bytes for the ocr_engine tests: real sample photos read by path, and small crafted headers.

#include "robotoff/core/file_io.hpp"

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace fixtures {

inline const std::string images_dir = ROBOTOFF_SHARED_DIR "/samples/images/";

inline std::string sample(const std::string& name) {
    return robotoff::core::read_file(images_dir + name);
}

inline std::string encode(const cv::Mat& mat, const std::string& ext, std::vector<int> params = {}) {
    std::vector<std::uint8_t> out;
    cv::imencode(ext, mat, out, params);
    return std::string(out.begin(), out.end());
}

// A TIFF block holding one IFD0 entry: Orientation (0x0112, SHORT) = value.
inline std::string tiff_orientation(int value, bool little_endian) {
    std::string t;
    auto u16 = [&](unsigned v) {
        if (little_endian) {
            t += char(v & 0xFF);
            t += char(v >> 8);
        } else {
            t += char(v >> 8);
            t += char(v & 0xFF);
        }
    };
    auto u32 = [&](unsigned v) {
        if (little_endian) {
            u16(v & 0xFFFF);
            u16(v >> 16);
        } else {
            u16(v >> 16);
            u16(v & 0xFFFF);
        }
    };
    t += little_endian ? std::string("II*\0", 4) : std::string("MM\0*", 4);
    u32(8);        // IFD0 offset
    u16(1);        // one entry
    u16(0x0112);   // Orientation
    u16(3);        // SHORT
    u32(1);        // count
    u16(static_cast<unsigned>(value));
    u16(0);        // padding of the 4-byte value field
    u32(0);        // no next IFD
    return t;
}

// The JPEG with an APP1 Exif segment inserted right after SOI.
inline std::string with_exif(const std::string& jpeg, int orientation, bool little_endian = true) {
    const std::string payload = std::string("Exif\0\0", 6) + tiff_orientation(orientation, little_endian);
    const std::size_t length = payload.size() + 2;
    std::string segment = "\xFF\xE1";
    segment += char(length >> 8);
    segment += char(length & 0xFF);
    segment += payload;
    return jpeg.substr(0, 2) + segment + jpeg.substr(2);
}

inline void put_be32(std::string& s, std::uint32_t v) {
    s += char(v >> 24);
    s += char((v >> 16) & 0xFF);
    s += char((v >> 8) & 0xFF);
    s += char(v & 0xFF);
}

// A PNG signature and IHDR claiming width x height, followed by a tiny (bogus) IDAT and IEND.
inline std::string png_claiming(std::uint32_t width, std::uint32_t height) {
    std::string s = "\x89PNG\r\n\x1A\n";
    put_be32(s, 13);
    s += "IHDR";
    put_be32(s, width);
    put_be32(s, height);
    s += std::string("\x08\x00\x00\x00\x00", 5);   // 8-bit grayscale
    put_be32(s, 0);                                // CRC (wrong on purpose)
    put_be32(s, 2);
    s += "IDAT";
    s += "\x78\x9C";
    put_be32(s, 0);
    put_be32(s, 0);
    s += "IEND";
    put_be32(s, 0);
    return s;
}

}  // namespace fixtures
