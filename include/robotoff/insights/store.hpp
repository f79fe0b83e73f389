#pragma once
// SQL for the `prediction` and `product_insight` tables (data-model.md §2, §4). Every function runs on the
// connection it is given, inside the caller's transaction when there is one; none takes locks itself except
// where stated. Blocking; not thread-safe (like the connection).

#include "robotoff/db/connection.hpp"
#include "robotoff/insights/importers.hpp"
#include "robotoff/insights/model.hpp"

#include <optional>
#include <set>
#include <string>
#include <vector>

namespace robotoff::insights {

// The SELECT list producing insight rows, for queries elsewhere: "SELECT <insight_columns> FROM product_insight".
extern const char* const insight_columns;
insight insight_from_row(const db::result& r, int row);

extern const char* const prediction_columns;
prediction prediction_from_row(const db::result& r, int row);

struct prediction_changes {
    std::set<std::string> types;   // prediction types inserted, updated or deleted (pipeline.md §2.2)
    int inserted = 0;
    int updated = 0;
    int deleted = 0;
};

// Scope of a "scoped replace" run (pipeline.md §2.2).
struct prediction_scope {
    std::vector<std::string> types;
    bool match_source_image = false;            // restrict to `source_image` (null included)
    std::optional<std::string> source_image;
    std::optional<std::string> predictor;       // restrict to this predictor
    bool product_name_source = false;           // restrict to data.source = "product_name"
};

// Additive import of predictions of ONE product (prediction files). Duplicated tuples: first one wins.
prediction_changes store_predictions_additive(db::connection& conn, core::server_type type, const std::string& barcode,
                                              const std::vector<prediction>& predictions);
// Scoped replace of predictions of ONE product (extraction runs).
prediction_changes store_predictions_scoped(db::connection& conn, core::server_type type, const std::string& barcode,
                                            const prediction_scope& scope, const std::vector<prediction>& predictions);

// Stored predictions of a product, optionally restricted to some types.
std::vector<prediction> load_predictions(db::connection& conn, core::server_type type, const std::string& barcode,
                                         const std::vector<std::string>& types = {});
// Stored insights of one product and type (all, annotated included).
std::vector<insight> load_insights(db::connection& conn, core::server_type type, const std::string& barcode,
                                   const std::string& insight_type);
std::optional<insight> load_insight(db::connection& conn, const std::string& id, bool for_update = false);

struct write_counts {
    int inserted = 0;
    int updated = 0;
    int deleted = 0;
};
// Writes a plan: delete open references, insert (batches of 50), update in place (skipped when nothing but
// timestamps would change). Never touches annotated rows.
write_counts apply_plan(db::connection& conn, const import_plan& plan);

// pg_advisory_xact_lock on the product key (pipeline.md §3.1). Must run inside a transaction.
void lock_product(db::connection& conn, core::server_type type, const std::string& barcode);

// Inserts a job row (data-model.md §8); with a dedup_key in the payload a pending duplicate is kept instead.
void enqueue_job(db::connection& conn, const std::string& kind, const std::string& payload_json);

}  // namespace robotoff::insights
