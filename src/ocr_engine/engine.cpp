// The Tesseract side of local OCR. Two TessBaseAPI per engine: one initialised with the `osd` model
// (legacy classifier, orientation only) and one with the recognition languages (LSTM only); both belong
// to the thread that owns the engine.

#include "robotoff/ocr_engine/engine.hpp"
#include "robotoff/ocr_engine/errors.hpp"

#include <dlfcn.h>
#include <leptonica/allheaders.h>
#include <tesseract/baseapi.h>
#include <tesseract/ocrclass.h>
#include <tesseract/resultiterator.h>

#include <algorithm>
#include <cctype>
#include <memory>

namespace robotoff::ocr_engine {

namespace {

using clock_type = std::chrono::steady_clock;

double ms_since(clock_type::time_point start) {
    return std::chrono::duration<double, std::milli>(clock_type::now() - start).count();
}

// Parallelism comes from the ocr pool, so Tesseract's OpenMP loops must run on the calling thread only.
// OMP_THREAD_LIMIT=1 works only when present at exec (libgomp reads it when it loads, before main: measured,
// setenv() in main leaves 3 extra OpenMP threads). max-active-levels = 0 makes every parallel region inactive
// at run time; libgomp is reached through the already loaded symbol so no OpenMP build flag is needed.
void disable_openmp_parallelism() {
    using setter = void (*)(int);
    if (auto fn = reinterpret_cast<setter>(::dlsym(RTLD_DEFAULT, "omp_set_max_active_levels"))) {
        fn(0);
    }
}

// Tesseract prints warnings through its own debug channel; the daemon logs its own events instead.
void quiet(tesseract::TessBaseAPI& api) {
    api.SetVariable("debug_file", "/dev/null");
}

void set_image(tesseract::TessBaseAPI& api, const gray_image& image) {
    api.SetImage(image.pixels.data(), image.width, image.height, 1, image.width);
}

struct text_deleter {
    void operator()(char* p) const { delete[] p; }
};

upright_box box_at(const tesseract::ResultIterator& it, tesseract::PageIteratorLevel level) {
    upright_box b;
    if (!it.BoundingBox(level, &b.left, &b.top, &b.right, &b.bottom)) {
        return {};
    }
    return b;
}

// How the text of the iterator's block lies (clockwise degrees): Tesseract reads sideways blocks (vertical
// lines) without a page rotation, and their word corners must follow the text, not the image axes.
int block_turn(const tesseract::ResultIterator& it) {
    tesseract::Orientation orientation = tesseract::ORIENTATION_PAGE_UP;
    tesseract::WritingDirection direction = tesseract::WRITING_DIRECTION_LEFT_TO_RIGHT;
    tesseract::TextlineOrder order = tesseract::TEXTLINE_ORDER_TOP_TO_BOTTOM;
    float deskew = 0;
    it.Orientation(&orientation, &direction, &order, &deskew);
    switch (orientation) {
    case tesseract::ORIENTATION_PAGE_RIGHT:
        return 90;
    case tesseract::ORIENTATION_PAGE_DOWN:
        return 180;
    case tesseract::ORIENTATION_PAGE_LEFT:
        return 270;
    default:
        return 0;
    }
}

bool is_blank(const char* text) {
    for (const char* p = text; *p; ++p) {
        if (!std::isspace(static_cast<unsigned char>(*p))) {
            return false;
        }
    }
    return true;
}

// Drops words without symbols, then paragraphs without words, then empty blocks.
void prune(ocr_page& page) {
    for (auto& block : page.blocks) {
        for (auto& para : block.paragraphs) {
            std::erase_if(para.words, [](const ocr_word& w) { return w.symbols.empty(); });
        }
        std::erase_if(block.paragraphs, [](const ocr_paragraph& p) { return p.words.empty(); });
    }
    std::erase_if(page.blocks, [](const ocr_block& b) { return b.paragraphs.empty(); });
}

}  // namespace

struct engine::impl {
    tesseract::TessBaseAPI osd;
    tesseract::TessBaseAPI ocr;
};

engine::engine(const engine_settings& settings) : settings_(settings), impl_(std::make_unique<impl>()) {
    disable_openmp_parallelism();
    // Leptonica reports harmless box clipping inside Tesseract's layout analysis on stderr, per image.
    setMsgSeverity(L_SEVERITY_NONE);
    const char* datapath = settings_.tessdata_path.empty() ? nullptr : settings_.tessdata_path.c_str();
    const std::string where = settings_.tessdata_path.empty() ? "the default tessdata folder" : settings_.tessdata_path;
    if (impl_->osd.Init(datapath, "osd", tesseract::OEM_TESSERACT_ONLY) != 0) {
        throw engine_error("cannot initialise Tesseract orientation detection (osd.traineddata in " + where + ")");
    }
    quiet(impl_->osd);
    impl_->osd.SetPageSegMode(tesseract::PSM_OSD_ONLY);
    if (impl_->ocr.Init(datapath, settings_.languages.c_str(), tesseract::OEM_LSTM_ONLY) != 0) {
        throw engine_error("cannot initialise Tesseract with languages \"" + settings_.languages + "\" from " + where);
    }
    quiet(impl_->ocr);
    impl_->ocr.SetPageSegMode(tesseract::PSM_AUTO);
}

engine::~engine() {
    impl_->ocr.End();
    impl_->osd.End();
}

bool engine::set_variable(const std::string& name, const std::string& value) {
    return impl_->ocr.SetVariable(name.c_str(), value.c_str());
}

osd_result engine::detect_orientation(const gray_image& image) {
    osd_result out;
    if (image.empty()) {
        return out;
    }
    set_image(impl_->osd, image);
    int degrees = 0;
    float confidence = 0;
    const char* script = nullptr;
    float script_confidence = 0;
    // False when the page holds too few characters to decide.
    out.ok = impl_->osd.DetectOrientationScript(&degrees, &confidence, &script, &script_confidence);
    impl_->osd.Clear();
    if (out.ok) {
        // Tesseract reports how the input is turned (clockwise); undoing it is the opposite turn.
        out.rotation = (360 - degrees) % 360;
        out.confidence = confidence;
    }
    return out;
}

ocr_page engine::recognize_upright(const gray_image& upright, const upright_transform& transform,
                                   std::optional<deadline> until) {
    ocr_page page;
    page.width = transform.original_width;
    page.height = transform.original_height;
    if (upright.empty()) {
        return page;
    }
    auto& api = impl_->ocr;
    set_image(api, upright);
    tesseract::ETEXT_DESC monitor;
    if (until) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*until - clock_type::now()).count();
        if (left <= 0) {
            api.Clear();
            throw deadline_error("OCR deadline passed before recognition started");
        }
        monitor.set_deadline_msecs(static_cast<std::int32_t>(std::min<long long>(left, 1 << 30)));
    }
    if (api.Recognize(until ? &monitor : nullptr) != 0) {
        api.Clear();
        if (until && monitor.deadline_exceeded()) {
            throw deadline_error("OCR deadline passed during recognition");
        }
        throw engine_error("Tesseract recognition failed");
    }
    if (until && monitor.deadline_exceeded()) {
        api.Clear();
        throw deadline_error("OCR deadline passed during recognition");
    }

    std::unique_ptr<tesseract::ResultIterator> it(api.GetIterator());
    if (it) {
        using tesseract::RIL_BLOCK;
        using tesseract::RIL_PARA;
        using tesseract::RIL_SYMBOL;
        using tesseract::RIL_TEXTLINE;
        using tesseract::RIL_WORD;
        int text_turn = 0;
        do {
            if (it->Empty(RIL_SYMBOL)) {
                continue;
            }
            if (it->IsAtBeginningOf(RIL_BLOCK) || page.blocks.empty()) {
                text_turn = block_turn(*it);
                auto& block = page.blocks.emplace_back();
                block.box = map_to_original(box_at(*it, RIL_BLOCK), transform, text_turn);
                block.confidence = it->Confidence(RIL_BLOCK) / 100.0;
            }
            auto& block = page.blocks.back();
            if (it->IsAtBeginningOf(RIL_PARA) || block.paragraphs.empty()) {
                block.paragraphs.emplace_back().box = map_to_original(box_at(*it, RIL_PARA), transform, text_turn);
            }
            auto& para = block.paragraphs.back();
            if (it->IsAtBeginningOf(RIL_WORD) || para.words.empty()) {
                auto& word = para.words.emplace_back();
                word.box = map_to_original(box_at(*it, RIL_WORD), transform, text_turn);
                word.confidence = it->Confidence(RIL_WORD) / 100.0;
                if (const char* lang = it->WordRecognitionLanguage()) {
                    word.language = vision_language(lang);
                }
            }
            auto& word = para.words.back();
            // §2.7 step 5: breaks on the last symbol of a word, line and paragraph.
            break_type after = break_type::none;
            if (it->IsAtFinalElement(RIL_PARA, RIL_SYMBOL)) {
                after = break_type::line_break;
            } else if (it->IsAtFinalElement(RIL_TEXTLINE, RIL_SYMBOL)) {
                after = break_type::eol_sure_space;
            } else if (it->IsAtFinalElement(RIL_WORD, RIL_SYMBOL)) {
                after = break_type::space;
            }
            std::unique_ptr<char, text_deleter> text(it->GetUTF8Text(RIL_SYMBOL));
            // LSTM sometimes emits blank "symbols" (table rules, noise): they would become words made of spaces.
            if (text && !is_blank(text.get())) {
                word.symbols.push_back({text.get(), it->Confidence(RIL_SYMBOL) / 100.0, after});
            } else if (after != break_type::none && !word.symbols.empty()) {
                word.symbols.back().after = after;
            }
        } while (it->Next(tesseract::RIL_SYMBOL));
    }
    api.Clear();
    prune(page);
    return page;
}

double confident_letters(const ocr_page& page) {
    double letters = 0;
    for (const auto& block : page.blocks) {
        for (const auto& para : block.paragraphs) {
            for (const auto& word : para.words) {
                if (word.confidence < 0.7) {
                    continue;
                }
                for (const auto& symbol : word.symbols) {
                    for (unsigned char c : symbol.text) {
                        // ASCII alphanumerics, and every UTF-8 lead byte of a non-ASCII character.
                        letters += std::isalnum(c) || c >= 0xC0 ? 1 : 0;
                    }
                }
            }
        }
    }
    return letters;
}

ocr_result engine::recognize(std::string_view image_bytes, std::optional<deadline> until) {
    const auto start = clock_type::now();
    ocr_result result;
    decoded_image decoded = decode_gray(image_bytes, settings_.limits);
    const double factor = ocr_scale_factor(decoded.gray.width, decoded.gray.height);
    const gray_image scaled = scale(decoded.gray, factor);
    const int original_width = decoded.gray.width;
    const int original_height = decoded.gray.height;
    decoded.gray = {};   // the scaled copy is all we need from here
    result.timings.decode_ms = ms_since(start);

    const auto osd_start = clock_type::now();
    const osd_result osd = detect_orientation(scaled);
    result.orientation = decide_orientation(osd, exif_rotation_degrees(decoded.header.exif_orientation));
    result.timings.orientation_ms = ms_since(osd_start);

    const auto ocr_start = clock_type::now();
    const gray_image binary = binarize(scaled);
    auto read_at = [&](int rotation) {
        const upright_transform transform{rotation, factor, original_width, original_height};
        return rotation == 0 ? recognize_upright(binary, transform, until)
                             : recognize_upright(rotate_clockwise(binary, rotation), transform, until);
    };
    result.page = read_at(result.orientation.rotation);
    if (std::string_view(result.orientation.method) != "osd") {
        // OSD could not decide. Tesseract reads sideways blocks by itself (their corners follow the text), but
        // not upside-down ones: read the half-turned image too and keep the more confident reading
        // (bench/ocr_bench.cpp "orientation --full" measures this rule).
        const int other = (result.orientation.rotation + 180) % 360;
        ocr_page flipped = read_at(other);
        if (confident_letters(flipped) > confident_letters(result.page)) {
            result.page = std::move(flipped);
            result.orientation.rotation = other;
            result.orientation.method = "trial";
        }
    }
    result.timings.recognize_ms = ms_since(ocr_start);
    result.json = to_vision_json(result.page);
    result.timings.total_ms = ms_since(start);
    return result;
}

orientation_decision decide_orientation(const osd_result& osd, int exif_rotation) {
    // OSD reads the text itself, so it also covers photos whose EXIF tag says they are turned; the tag is
    // the hypothesis only when OSD cannot decide (threshold from ocr-and-extraction.md §2.7 step 2).
    constexpr double min_confidence = 2.0;
    if (osd.ok && osd.confidence >= min_confidence) {
        return {osd.rotation, osd.confidence, "osd"};
    }
    if (exif_rotation != 0) {
        return {exif_rotation, osd.ok ? osd.confidence : 0.0, "exif"};
    }
    return {0, osd.ok ? osd.confidence : 0.0, "none"};
}

std::string tesseract_version() {
    return tesseract::TessBaseAPI::Version();
}

}  // namespace robotoff::ocr_engine
