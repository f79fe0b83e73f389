#include "robotoff/ocr/ocr_result.hpp"

#include "robotoff/core/file_io.hpp"
#include "robotoff/text/normalize.hpp"
#include "vision_parser.hpp"

#include <algorithm>
#include <climits>

namespace robotoff::ocr {

std::string_view to_string(orientation o) {
    switch (o) {
    case orientation::up: return "up";
    case orientation::down: return "down";
    case orientation::left: return "left";
    case orientation::right: return "right";
    case orientation::unknown: return "unknown";
    }
    return "unknown";
}

int rotation_degrees(orientation o) {
    switch (o) {
    case orientation::left: return 90;
    case orientation::down: return 180;
    case orientation::right: return 270;
    default: return 0;
    }
}

orientation word_orientation(const polygon& v) {
    if (v.size() != 4) {
        return orientation::unknown;
    }
    // The two vertices with the smallest y; ties keep the earlier index first (stable sort).
    std::array<std::size_t, 4> idx = {0, 1, 2, 3};
    std::stable_sort(idx.begin(), idx.end(), [&v](std::size_t a, std::size_t b) { return v[a].y < v[b].y; });
    const std::size_t a = std::min(idx[0], idx[1]);
    const std::size_t b = std::max(idx[0], idx[1]);
    if (a == 0 && b == 1) {
        return orientation::up;
    }
    if (a == 1 && b == 2) {
        return orientation::left;
    }
    if (a == 2 && b == 3) {
        return orientation::down;
    }
    if (a == 0 && b == 3) {
        return orientation::right;
    }
    return orientation::unknown;
}

int likelihood_rank(std::string_view name) {
    static constexpr std::string_view names[] = {"UNKNOWN", "VERY_UNLIKELY", "UNLIKELY", "POSSIBLE", "LIKELY",
                                                 "VERY_LIKELY"};
    for (int i = 0; i < 6; ++i) {
        if (names[i] == name) {
            return i + 1;
        }
    }
    return 0;
}

std::string_view likelihood_name(int rank) {
    static constexpr std::string_view names[] = {"", "UNKNOWN", "VERY_UNLIKELY", "UNLIKELY", "POSSIBLE", "LIKELY",
                                                 "VERY_LIKELY"};
    return (rank >= 0 && rank <= 6) ? names[rank] : std::string_view{};
}

std::optional<bounding_box> ocr_result::match_box(std::size_t start, std::size_t end) const {
    // Words are in text order, so both their starts and ends are sorted.
    auto it = std::upper_bound(words_.begin(), words_.end(), start,
                               [](std::size_t s, const word& w) { return s < w.end; });
    bool found = false;
    bounding_box box = {INT_MAX, INT_MAX, INT_MIN, INT_MIN};
    for (; it != words_.end() && it->start < end; ++it) {
        for (const vertex& v : it->vertices) {
            found = true;
            box[0] = std::min(box[0], v.y);
            box[1] = std::min(box[1], v.x);
            box[2] = std::max(box[2], v.y);
            box[3] = std::max(box[3], v.x);
        }
    }
    if (!found) {
        return std::nullopt;
    }
    return box;
}

std::vector<const word*> ocr_result::words_in_area(const bounding_box& area) const {
    std::vector<const word*> out;
    for (const word& w : words_) {
        if (w.vertices.empty()) {
            continue;
        }
        bool inside = true;
        for (const vertex& v : w.vertices) {
            if (v.y < area[0] || v.x < area[1] || v.y > area[2] || v.x > area[3]) {
                inside = false;
                break;
            }
        }
        if (inside) {
            out.push_back(&w);
        }
    }
    return out;
}

ocr_result parse_vision_file(const std::string& path) {
    std::string content;
    try {
        content = core::read_file(path);
    } catch (const std::exception& e) {
        throw invalid_ocr(std::string("cannot read OCR file: ") + e.what());
    }
    return detail::parse_vision_buffer(content);
}

ocr_result parse_vision_json(std::string_view json_or_gzip) {
    // In-situ parsing needs a mutable copy; a per-thread scratch buffer keeps its capacity between documents.
    thread_local std::string scratch;
    if (scratch.capacity() > detail::kept_scratch_bytes) {
        std::string().swap(scratch);  // a huge document once must not pin its memory for the thread's life
    }
    if (core::looks_gzipped(json_or_gzip)) {
        try {
            scratch = core::gzip_decompress(json_or_gzip, detail::max_vision_json_bytes);
        } catch (const std::exception& e) {
            throw invalid_ocr(std::string("corrupt gzip data: ") + e.what());
        }
    } else {
        scratch.assign(json_or_gzip.data(), json_or_gzip.size());
    }
    return detail::parse_vision_buffer(scratch);
}

ocr_result from_plain_text(std::string_view utf8) { return detail::plain_text_result(text::to_u32(utf8), false); }

ocr_result from_ocr_text(std::string_view utf8) { return detail::plain_text_result(text::to_u32(utf8), true); }

}  // namespace robotoff::ocr
