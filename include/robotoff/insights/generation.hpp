#pragma once
// Prediction import and insight generation for one product (pipeline.md §2-§3, §5.1): validity checks,
// storing, then every importer whose inputs changed, all in ONE transaction holding the product's advisory
// lock, so concurrent imports for one product serialize and cannot create duplicates.
// Blocking; each call uses the given connection. The environment is shared read-only (thread-safe).

#include "robotoff/core/clock.hpp"
#include "robotoff/core/config.hpp"
#include "robotoff/db/connection.hpp"
#include "robotoff/insights/references.hpp"
#include "robotoff/insights/store.hpp"
#include "robotoff/products/product.hpp"
#include "robotoff/taxonomy/taxonomy.hpp"

#include <optional>
#include <string>
#include <vector>

namespace robotoff::insights {

struct insight_settings {
    bool product_check = true;                 // insights.product_check
    int automatic_processing_wait_min = 10;    // insights.automatic_processing_wait_min

    // The [insights] section of the configuration.
    static insight_settings from_config(const core::config& cfg);
};

struct insight_environment {
    const taxonomy::taxonomy_set* taxonomies = nullptr;   // may be null: taxonomy rules disabled
    const import_references* references = nullptr;
    insight_settings settings;
    const core::clock* clock = nullptr;                   // null: system clock
};

struct product_import_result {
    bool product_found = true;
    int dropped_invalid = 0;          // predictions failing §2.1
    prediction_changes predictions;
    std::vector<std::string> importers_run;
    write_counts insights;
};

// The stored product row (nullopt: none or deleted). Routes and the CLI use it as "the product record".
std::optional<products::product> stored_product(db::connection& conn, core::server_type type,
                                                const std::string& barcode);

// Additive import (prediction files) of predictions of ONE product; `product` is its record (nullopt = not
// found). Opens and commits its own transaction.
product_import_result import_product_predictions(db::connection& conn, const insight_environment& env,
                                                 core::server_type type, const std::string& barcode,
                                                 const std::vector<prediction>& predictions,
                                                 const std::optional<products::product>& product);

// Scoped replace (extraction runs). Same transaction rules.
product_import_result replace_product_predictions(db::connection& conn, const insight_environment& env,
                                                  core::server_type type, const std::string& barcode,
                                                  const prediction_scope& scope,
                                                  const std::vector<prediction>& predictions,
                                                  const std::optional<products::product>& product);

// Runs the given importers inside the caller's transaction (lock already held).
write_counts run_importers(db::connection& conn, const insight_environment& env, core::server_type type,
                           const std::string& barcode, const std::vector<std::string>& insight_types,
                           const std::optional<products::product>& product);

// §5.1: every importer for which the product has stored predictions. Own transaction + lock.
write_counts refresh_product(db::connection& conn, const insight_environment& env, core::server_type type,
                             const std::string& barcode, const std::optional<products::product>& product);

}  // namespace robotoff::insights
