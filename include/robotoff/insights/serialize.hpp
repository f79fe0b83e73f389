#pragma once
// Output shapes of api.md §2.1 (Insight, field order kept), §2.2 (Prediction) and §4.5 (CSV dump).
// Pure, thread-safe.

#include "robotoff/insights/model.hpp"

#include <string>

namespace robotoff::insights {

void append_insight_json(std::string& out, const insight& x);
std::string insight_json(const insight& x);
void append_prediction_json(std::string& out, const prediction& p);

// CSV header row (the Insight field names in order) and one row; each ends with "\r\n" (RFC 4180).
std::string insight_csv_header();
void append_insight_csv(std::string& out, const insight& x);

}  // namespace robotoff::insights
