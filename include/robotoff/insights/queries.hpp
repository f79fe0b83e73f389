#pragma once
// Read-side queries behind the insight and prediction routes (api.md §4.1-§4.6). Filters become a WHERE
// clause of constant fragments with values as parameters. Random selection scales: it walks the
// `random_key` index from a random point (never ORDER BY random() over the filtered table), then orders the
// sampled rows by random() x (n_votes + 1). Blocking; uses the given connection.

#include "robotoff/db/connection.hpp"
#include "robotoff/insights/model.hpp"

#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace robotoff::insights {

struct insight_filter {
    core::server_type server_type = core::server_type::off;
    std::vector<std::string> types;            // any of
    std::optional<std::string> barcode;
    std::optional<std::string> value_tag;
    std::optional<std::string> predictor;
    std::optional<bool> annotated;             // false: annotation IS NULL
    std::optional<int> annotation;
    std::vector<std::string> brands;           // contains any
    std::vector<std::string> countries;        // country tags, contains any
    std::vector<std::string> campaigns;        // contains all
    std::vector<std::string> lc;               // overlaps
    // Exclude insights this voter already voted on (api.md §1.4 voter identity).
    std::optional<std::string> voter_username;
    std::optional<std::string> voter_device_id;
};

enum class insight_order { none, random, popularity };

std::vector<insight> list_insights(db::connection& conn, const insight_filter& filter, int count, long long offset,
                                   insight_order order);
// count(*) of the filter; with cap > 0 the count stops after `cap` rows.
long long count_insights(db::connection& conn, const insight_filter& filter, long long cap = 0);
// `count` random rows of the filter (random_key walk with wrap-around), weighted towards voted ones.
std::vector<insight> random_insights(db::connection& conn, const insight_filter& filter, int count);

// Ids of the insights a voter voted on (by username when given, else by device id), at most `limit`.
std::vector<std::string> voted_insight_ids(db::connection& conn, const std::optional<std::string>& username,
                                           const std::string& device_id, int limit);

// Open insights of the products in `barcodes` by barcode (a product without any is absent), each ordered
// by type then timestamp desc (api.md §4.1). One query for all (the /insights/{barcode} route batches
// concurrent requests).
std::unordered_map<std::string, std::vector<insight>> products_open_insights(db::connection& conn,
                                                                         core::server_type type,
                                                                         const std::vector<std::string>& barcodes);

struct prediction_filter {
    core::server_type server_type = core::server_type::off;
    std::optional<std::string> barcode;
    std::optional<std::string> value_tag;
    std::vector<std::string> types;
};
std::vector<prediction> list_predictions(db::connection& conn, const prediction_filter& filter, int count,
                                         long long offset);
long long count_predictions(db::connection& conn, const prediction_filter& filter);

// Number of insights decided by `username` (api.md §4.9).
long long user_annotation_count(db::connection& conn, const std::string& username);

}  // namespace robotoff::insights
