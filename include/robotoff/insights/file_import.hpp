#pragma once
// Prediction files: the `robotoffd extract` JSON-line format and the legacy line forms of pipeline.md §10.2
// (2019 OCR batches, category and spellcheck lines), parsed in this one place, then imported additively
// product by product (generation.hpp). Used by `robotoffd import-predictions`, by the
// `import_predictions_file` job and by tests. Parsing is pure; the import blocks on the connection.

#include "robotoff/insights/generation.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace robotoff::insights {

// Parses one line into predictions (a 2019 batch line gives several). `form_type` is the form's `type`
// (API/job); nullopt for extract output, where each line carries its own `type`. `default_server_type` is
// used when the line has no `server_type`. Throws core::json_error / std::invalid_argument with a reason.
std::vector<prediction> parse_prediction_line(std::string_view line, const std::optional<std::string>& form_type,
                                              core::server_type default_server_type);

struct file_import_summary {
    std::uint64_t lines = 0;
    std::uint64_t malformed = 0;
    std::vector<std::uint64_t> malformed_lines;   // first 100 (1-based within the given lines)
    std::uint64_t predictions = 0;                // parsed predictions
    std::uint64_t products = 0;
    std::uint64_t products_not_found = 0;
    std::uint64_t dropped_invalid = 0;
    prediction_changes stored;
    write_counts insights;
};

// Finds the product record for a product (nullopt = not found). Default: the `product` table.
using product_lookup = std::function<std::optional<products::product>(db::connection&, core::server_type,
                                                                      const std::string&)>;

// Imports lines grouped by product, one transaction per product (pipeline.md §2.2 "additive").
file_import_summary import_prediction_lines(db::connection& conn, const insight_environment& env,
                                            const std::vector<std::string>& lines,
                                            const std::optional<std::string>& form_type,
                                            core::server_type default_server_type,
                                            const product_lookup& lookup = {});

std::string format_summary(const file_import_summary& s);

}  // namespace robotoff::insights
