#pragma once
// The per-type importers of pipeline.md §3-§4 as pure functions: predictions of one product + the product
// record + the stored insights of that type ("references") -> a reconciliation plan. No database, no
// clock (the caller passes `now`). Thread-safe.

#include "robotoff/insights/model.hpp"
#include "robotoff/insights/references.hpp"
#include "robotoff/products/product.hpp"
#include "robotoff/taxonomy/taxonomy.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace robotoff::insights {

struct importer_context {
    // The product record; null means "not found" when product_check is on, "unknown" when it is off.
    const products::product* product = nullptr;
    bool product_check = true;
    const taxonomy::taxonomy* labels = nullptr;
    const taxonomy::taxonomy* categories = nullptr;
    const taxonomy::taxonomy* packaging_shapes = nullptr;
    const taxonomy::taxonomy* packaging_materials = nullptr;
    const taxonomy::taxonomy* packaging_recycling = nullptr;
    const import_references* references = nullptr;
    std::string now;                 // ISO timestamp for `timestamp`
    std::string process_after;       // ISO timestamp now + automatic_processing_wait_min
};

// §3.2 step 3: priority asc, image id desc (none last), predictor asc (null last). Stable.
void sort_predictions(std::vector<prediction>& predictions);

// Steps 4-7 and the type rules of §4: candidates (derived fields of §3.5 not yet set).
std::vector<insight> generate_candidates(std::string_view type, std::vector<prediction> predictions,
                                         const importer_context& ctx);

// The type's conflict rule (§4): would `candidate` and `other` propose the same change?
bool conflicts(std::string_view type, const insight& candidate, const insight& other, const importer_context& ctx);

// §3.4 sort of candidates: priority, image id desc, automatic first, predictor (null last).
void sort_candidates(std::string_view type, std::vector<insight>& candidates);

struct import_plan {
    std::vector<insight> inserts;                // complete rows without id
    std::vector<insight> updates;                // complete rows carrying the matched reference's id
    std::vector<std::string> deletes;            // ids of open references
};

// §3.4 reconciliation of sorted candidates with the references.
import_plan reconcile(std::string_view type, std::vector<insight> candidates, const std::vector<insight>& references,
                      const importer_context& ctx);

// Sets the fields of §3.5 / data-model.md §5 that come from the product and the clock.
void set_derived_fields(insight& candidate, const importer_context& ctx);

// One full importer run (§3.2): product-not-found handling, required types, candidates, reconciliation.
import_plan plan_import(std::string_view type, const std::vector<prediction>& predictions,
                        const std::vector<insight>& references, const importer_context& ctx);

// Packaging element tags (§4.8); a candidate is uninformative against a product component.
struct packaging_element {
    std::optional<std::string> shape, material, recycling;
    int properties() const { return (shape ? 1 : 0) + (material ? 1 : 0) + (recycling ? 1 : 0); }
};
bool packaging_uninformative(const packaging_element& candidate, const packaging_element& component,
                             const importer_context& ctx);

// §3.3: relative box from an absolute one and the image size; nullopt when it cannot be computed.
std::optional<std::string> relative_box(const std::vector<double>& absolute, double width, double height);

}  // namespace robotoff::insights
