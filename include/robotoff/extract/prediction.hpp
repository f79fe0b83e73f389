#pragma once
// One prediction as emitted by the extractors (ocr-and-extraction.md §4.1) and its JSON line form, the
// exact format of `robotoffd extract` that the insight importer reads back with prediction_from_json().
// Plain value type; thread-safe to copy.

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace robotoff::extract {

struct prediction {
    std::string type;
    std::optional<std::string> value;
    std::optional<std::string> value_tag;
    std::string data = "{}";  // compact JSON object
    std::optional<std::string> predictor;
    std::string predictor_version = "1";
    std::optional<bool> automatic_processing;
    std::optional<double> confidence;
    std::optional<std::string> barcode;
    std::optional<std::string> server_type;
    std::optional<std::string> source_image;
    std::optional<std::string> source_file;
};

// One JSON object without a trailing newline, keys in this order: type, value, value_tag, data, predictor,
// predictor_version, automatic_processing, confidence, barcode, server_type, source_image, source_file
// (null where absent; data is embedded as an object).
std::string to_json_line(const prediction& p);

class prediction_format_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Inverse of to_json_line. Requires "type" (non-empty string) and, when present, the right JSON types;
// missing optional keys are null, missing data is {}. Throws prediction_format_error naming the key.
prediction prediction_from_json(std::string_view line);

}  // namespace robotoff::extract
