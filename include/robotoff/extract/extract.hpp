#pragma once
// DESIGN: the extractors (ocr-and-extraction.md §4-5): pure functions from an OCR result (or a product name)
// plus the loaded rule data to a list of predictions. No I/O, no threads, no globals: the rules object is
// immutable and may be shared by any number of threads, each extracting its own documents. Every regex is
// compiled once inside the rules (or as a function-local static), every text derived from the document
// (lower-cased default text, folded texts) is computed once per document and shared by the extractors.
// Order of output: extractors in the order of the requested types (default: the spec's default set), and
// each extractor's predictions in order of appearance in the text (text-derived ones first, then those
// from Vision annotations).

#include "robotoff/extract/prediction.hpp"
#include "robotoff/extract/rules.hpp"
#include "robotoff/ocr/ocr_result.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace robotoff::extract {

// The default image OCR set, in its order (§4).
const std::vector<std::string>& default_types();
// Every type this module can extract (default set + trace, location).
const std::vector<std::string>& all_types();
bool is_known_type(std::string_view type);

struct date {
    int year = 1970;
    int month = 1;
    int day = 1;
};
// Today's date in UTC.
date today_utc();

struct options {
    date today = today_utc();  // date-relative rules (expiration_date window)
};

// Runs the given types (in the given order) on one OCR result. Unknown types throw std::invalid_argument;
// disabled types produce nothing. Fields barcode/source_image/... are left empty for the caller.
std::vector<prediction> extract(const ocr::ocr_result& ocr, const rules& r, const std::vector<std::string>& types,
                                const options& opts = {});

// Same as extract(), adding the calling thread's CPU time (seconds) spent in each type to seconds_by_type[i]
// (resized to types.size() if smaller). For benchmarks.
std::vector<prediction> extract_timed(const ocr::ocr_result& ocr, const rules& r,
                                      const std::vector<std::string>& types, const options& opts,
                                      std::vector<double>& seconds_by_type);

// The product-name path (§4): label, product_weight, brand on the name, each prediction with
// data.source = "product_name" and automatic_processing = false.
std::vector<prediction> extract_product_name(std::string_view product_name, const rules& r,
                                             const options& opts = {});

// §5.4 step 4: (value, unit) -> value in g or ml and that unit ("fl oz", "mg", "g", "kg", "lbs", "oz", "ml",
// "cl", "dl", "l"); nullopt for another unit. Pure.
std::optional<std::pair<double, std::string>> normalize_weight(double value, std::string_view unit);

// §5.14 step 1: lower-case, ASCII fold, "'" and "-" -> space. Pure.
std::u32string normalize_location_text(std::u32string_view text);

}  // namespace robotoff::extract
