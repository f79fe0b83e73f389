#pragma once
// DESIGN: the immutable OCR result (ocr-and-extraction.md §1.2, §2). Built once by parse_vision_json() (Google
// Cloud Vision `images:annotate` JSON, plain or gzip), from_plain_text(), or by the Tesseract engine through
// ocr_result_builder; never modified afterwards, so it can be shared read-only between threads.
// Texts are UTF-32 so every offset is a code point (README §5); the full text, its contiguous variant and the
// default text are assembled at parse time together with word offsets, orientation votes and language
// counts, which makes every query below O(log words) or O(1). No I/O except parse_vision_file().

#include <array>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace robotoff::ocr {

// Invalid OCR document (spec: `invalid_ocr`): the message names what is wrong ("responses[0].error present",
// "fullTextAnnotation.pages[0].blocks[2]...symbols missing", ...).
class invalid_ocr : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct vertex {
    int x = 0;
    int y = 0;
};

// (y_min, x_min, y_max, x_max), absolute pixels (README §5).
using bounding_box = std::array<int, 4>;

// A Vision bounding polygon: 4 vertices in practice. Stored inline (no allocation per word); vertices past
// the fourth are ignored.
class polygon {
public:
    static constexpr std::size_t capacity = 4;
    polygon() = default;
    polygon(std::initializer_list<vertex> vs) {
        for (const vertex& v : vs) {
            push_back(v);
        }
    }
    void push_back(vertex v) {
        if (size_ < capacity) {
            v_[size_++] = v;
        }
    }
    std::size_t size() const { return size_; }
    bool empty() const { return size_ == 0; }
    const vertex& operator[](std::size_t i) const { return v_[i]; }
    const vertex* begin() const { return v_.data(); }
    const vertex* end() const { return v_.data() + size_; }

private:
    std::array<vertex, capacity> v_{};
    std::size_t size_ = 0;
};

struct word {
    std::size_t start = 0;  // code points into full_text(), end exclusive
    std::size_t end = 0;
    polygon vertices;  // empty = no bounding box
};

struct text_annotation {
    std::string description;
    std::string locale;
    polygon vertices;
};

struct logo_annotation {
    std::string description;
    double score = 0;
    std::string mid;
};

struct label_annotation {
    std::string description;
    double score = 0;
    std::string mid;
};

// Likelihoods ranked UNKNOWN=1 .. VERY_LIKELY=6; 0 = absent.
struct safe_search_annotation {
    int adult = 0;
    int spoof = 0;
    int medical = 0;
    int violence = 0;
    int racy = 0;
};

struct face_annotation {
    double detection_confidence = 0;
};

enum class orientation { up, down, left, right, unknown };
std::string_view to_string(orientation o);
// Clockwise degrees that make the image read upright: up/unknown 0, left 90, down 180, right 270.
int rotation_degrees(orientation o);
// §2.5 for one word box (4 vertices in their given order); unknown if not 4 vertices.
orientation word_orientation(const polygon& vertices);
// "VERY_LIKELY" -> 6 ... "UNKNOWN" -> 1; 0 if unknown string.
int likelihood_rank(std::string_view name);
std::string_view likelihood_name(int rank);

struct orientation_result {
    std::vector<std::pair<orientation, int>> count;  // non-zero only, in order of first appearance
    orientation value = orientation::unknown;
};

class ocr_result_builder;

class ocr_result {
public:
    // §2.3 texts. For plain text all three are the text itself.
    const std::u32string& full_text() const { return full_text_; }
    const std::u32string& full_text_contiguous() const { return contiguous_; }
    // full_text_contiguous, or textAnnotations[0].description when that is empty.
    const std::u32string& default_text() const { return contiguous_.empty() ? fallback_text_ : contiguous_; }
    // full_text, or textAnnotations[0].description when that is empty (location extractor).
    const std::u32string& full_text_or_fallback() const {
        return full_text_.empty() ? fallback_text_ : full_text_;
    }

    bool is_plain_text() const { return plain_text_; }
    bool has_full_text_annotation() const { return has_full_text_annotation_; }

    const std::vector<word>& words() const { return words_; }
    const std::vector<text_annotation>& text_annotations() const { return text_annotations_; }
    const std::vector<logo_annotation>& logo_annotations() const { return logos_; }
    const std::vector<label_annotation>& label_annotations() const { return labels_; }
    const std::optional<safe_search_annotation>& safe_search() const { return safe_search_; }
    const std::vector<face_annotation>& face_annotations() const { return faces_; }
    // (width, height) of each page.
    const std::vector<std::pair<int, int>>& page_sizes() const { return page_sizes_; }

    // §2.4: box of the words overlapping [start, end) of full_text (same offsets in the contiguous text);
    // nullopt when no such word has a box, or when the match is in fallback text (no words).
    std::optional<bounding_box> match_box(std::size_t start, std::size_t end) const;
    // The words whose box lies inside `area` (y_min, x_min, y_max, x_max).
    std::vector<const word*> words_in_area(const bounding_box& area) const;
    std::u32string_view word_text(const word& w) const {
        return std::u32string_view(full_text_).substr(w.start, w.end - w.start);
    }

    // §2.5 and §2.6 (computed at build time).
    const orientation_result& orientation_votes() const { return orientation_; }
    // ("fr", 120), ..., ("null", 9), ("words", 158): languages in order of first appearance, then "words".
    const std::vector<std::pair<std::string, int>>& language_counts() const { return languages_; }

private:
    friend class ocr_result_builder;

    std::u32string full_text_;
    std::u32string contiguous_;
    std::u32string fallback_text_;
    std::vector<word> words_;
    std::vector<text_annotation> text_annotations_;
    std::vector<logo_annotation> logos_;
    std::vector<label_annotation> labels_;
    std::optional<safe_search_annotation> safe_search_;
    std::vector<face_annotation> faces_;
    std::vector<std::pair<int, int>> page_sizes_;
    orientation_result orientation_;
    std::vector<std::pair<std::string, int>> languages_;
    bool plain_text_ = false;
    bool has_full_text_annotation_ = false;
};

// Parses a Vision response (JSON text, or gzip-compressed JSON detected by content). Throws invalid_ocr.
// Thread-safe; each calling thread keeps a scratch copy and a DOM arena (about 4x its largest document) so
// that parsing does not allocate per document.
ocr_result parse_vision_json(std::string_view json_or_gzip);
// Reads then parses a file; throws invalid_ocr (unreadable file included, message names the path).
ocr_result parse_vision_file(const std::string& path);
// A plain string (product name): all three texts are the string; no words, no boxes (§2.3).
ocr_result from_plain_text(std::string_view utf8);
// OCR text without positions (`robotoffd extract --text`): one block of one page, so full_text is the text and
// the contiguous text has every '\n' and '|' turned into a space; no words, no boxes, no annotations.
ocr_result from_ocr_text(std::string_view utf8);

}  // namespace robotoff::ocr
