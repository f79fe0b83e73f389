#pragma once
// Insight and prediction types (data-model.md §3) and the inputs of each importer (pipeline.md §4).
// Pure, thread-safe.

#include <string>
#include <string_view>
#include <vector>

namespace robotoff::insights {

// The 11 insight types, in data-model.md §3.1 order.
const std::vector<std::string>& insight_types();
bool is_insight_type(std::string_view type);
// Insight types plus the prediction-only types of data-model.md §3.2.
bool is_prediction_type(std::string_view type);

// Prediction types an importer needs at least one of (else no candidates) and all types it reads.
const std::vector<std::string>& required_prediction_types(std::string_view insight_type);
const std::vector<std::string>& input_prediction_types(std::string_view insight_type);

// The insight types whose importer reads any of `changed` (pipeline.md §2.3).
std::vector<std::string> importers_for(const std::vector<std::string>& changed_prediction_types);

// reserved barcode rule (data-model.md §5).
bool is_reserved_barcode(std::string_view barcode);

}  // namespace robotoff::insights
