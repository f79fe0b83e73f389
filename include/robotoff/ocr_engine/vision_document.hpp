#pragma once
// The result of local OCR in the shape of a Google Cloud Vision `images:annotate` response
// (ocr-and-extraction.md §1.2 and §2.7), so every extractor reads it exactly like Vision JSON.
// Plain data built by the engine, serialized by to_vision_json. Pure functions, thread-safe.

#include "robotoff/ocr_engine/box_mapping.hpp"

#include <string>
#include <vector>

namespace robotoff::ocr_engine {

// Vision break types used on a word's last symbol (§2.7 step 5).
enum class break_type { none, space, eol_sure_space, line_break };

struct ocr_symbol {
    std::string text;        // one character (UTF-8), sometimes a ligature
    double confidence = 0;   // 0..1
    break_type after = break_type::none;
};

struct ocr_word {
    quad box;                    // original-image coordinates, reading order
    std::string language;        // ISO 639-1 when known ("fr"), else Tesseract's code, empty if none
    double confidence = 0;       // 0..1
    std::vector<ocr_symbol> symbols;
};

struct ocr_paragraph {
    quad box;
    std::vector<ocr_word> words;
};

struct ocr_block {
    quad box;
    double confidence = 0;
    std::vector<ocr_paragraph> paragraphs;
};

struct ocr_page {
    int width = 0;    // original image size
    int height = 0;
    std::vector<ocr_block> blocks;
};

// What the engine decided about the photo, reported beside the document.
struct orientation_decision {
    int rotation = 0;             // clockwise degrees applied before recognition
    double confidence = 0;        // OSD confidence (0 when OSD gave nothing)
    const char* method = "none";  // "osd", "exif", "trial", "none"
};

// Maps a Tesseract language code (ISO 639-2) to ISO 639-1 per §2.7 step 7; others unchanged.
std::string vision_language(std::string_view tesseract_language);

// A word's text with its break, following §2.1 (what extractors will rebuild).
std::string word_text(const ocr_word& word, bool with_break);

// The page text assembled per §2.2 (blocks joined with '|').
std::string page_text(const ocr_page& page);

// `{"responses":[{"textAnnotations":[...],"fullTextAnnotation":{...}}]}`; textAnnotations holds the whole
// text first, then one entry per word. pretty = indented output.
std::string to_vision_json(const ocr_page& page, bool pretty = false);

}  // namespace robotoff::ocr_engine
