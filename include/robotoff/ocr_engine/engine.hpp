#pragma once
// One Tesseract engine (TessBaseAPI, LSTM, automatic page segmentation) and the whole local OCR pipeline
// of ocr-and-extraction.md §2.7 run on the calling thread: decode -> grayscale -> orientation -> scale ->
// recognize -> Vision-shaped document in original-image coordinates.
//
// NOT thread-safe: an engine belongs to one thread, which creates it, uses it and destroys it (the
// ocr_service does exactly that). Every call blocks for the duration of the OCR (0.3 s - several s).

#include "robotoff/ocr_engine/preprocess.hpp"
#include "robotoff/ocr_engine/vision_document.hpp"

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace robotoff::ocr_engine {

struct engine_settings {
    std::string languages = "fra+eng+deu+spa+ita+nld+por";   // ocr.tesseract_langs
    std::string tessdata_path;                                // ocr.tessdata_path; empty = system default
    image_limits limits;
};

struct osd_result {
    bool ok = false;       // false: OSD found too little text to decide
    int rotation = 0;      // clockwise degrees that make the text upright
    double confidence = 0;
};

struct recognition_timings {
    double decode_ms = 0;
    double orientation_ms = 0;
    double recognize_ms = 0;
    double total_ms = 0;
};

struct ocr_result {
    ocr_page page;
    orientation_decision orientation;
    recognition_timings timings;
    std::string json;   // to_vision_json(page)
};

using deadline = std::chrono::steady_clock::time_point;

class engine {
public:
    // Initialises Tesseract with the languages and the OSD model. Throws engine_error.
    explicit engine(const engine_settings& settings);
    ~engine();
    engine(const engine&) = delete;
    engine& operator=(const engine&) = delete;

    // Full pipeline on encoded image bytes. Throws image_error, deadline_error, engine_error.
    ocr_result recognize(std::string_view image_bytes, std::optional<deadline> until = std::nullopt);

    // Orientation detection on an 8-bit grayscale image (already scaled for OCR).
    osd_result detect_orientation(const gray_image& image);

    // Recognition of an upright, preprocessed image; boxes mapped back through `transform`.
    ocr_page recognize_upright(const gray_image& upright, const upright_transform& transform,
                               std::optional<deadline> until = std::nullopt);

    // Sets a Tesseract recognition parameter (tools and experiments); false if Tesseract rejects it.
    bool set_variable(const std::string& name, const std::string& value);

    const engine_settings& settings() const { return settings_; }

private:
    struct impl;
    engine_settings settings_;
    std::unique_ptr<impl> impl_;
};

// Letters and digits in words read with confidence >= 0.7: how much text a reading got right. A wrong
// rotation yields few confident words (measured in bench/ocr_bench.cpp "trials").
double confident_letters(const ocr_page& page);

// Decides the rotation from OSD and the EXIF hint (see engine.cpp for the measured rule).
orientation_decision decide_orientation(const osd_result& osd, int exif_rotation);

// Tesseract's version string, for the start-up log line.
std::string tesseract_version();

}  // namespace robotoff::ocr_engine
