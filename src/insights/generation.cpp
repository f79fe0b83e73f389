#include "robotoff/insights/generation.hpp"

#include "robotoff/insights/types.hpp"
#include "robotoff/products/repository.hpp"

#include <chrono>
#include <memory>

namespace robotoff::insights {

insight_settings insight_settings::from_config(const core::config& cfg) {
    insight_settings s;
    s.product_check = cfg.get_bool("insights.product_check");
    s.automatic_processing_wait_min = static_cast<int>(cfg.get_int("insights.automatic_processing_wait_min"));
    return s;
}
namespace {

// Snapshot of the taxonomies for one run (kept alive while the context points into it).
struct context_holder {
    std::shared_ptr<const taxonomy::taxonomy> labels, categories, shapes, materials, recycling;
    importer_context ctx;
};

std::unique_ptr<context_holder> make_context(const insight_environment& env,
                                             const std::optional<products::product>& product) {
    auto h = std::make_unique<context_holder>();
    if (env.taxonomies) {
        h->labels = env.taxonomies->get("labels");
        h->categories = env.taxonomies->get("categories");
        h->shapes = env.taxonomies->get("packaging_shapes");
        h->materials = env.taxonomies->get("packaging_materials");
        h->recycling = env.taxonomies->get("packaging_recycling");
    }
    auto& c = h->ctx;
    c.product_check = env.settings.product_check;
    c.product = env.settings.product_check && product ? &*product : nullptr;
    c.labels = h->labels.get();
    c.categories = h->categories.get();
    c.packaging_shapes = h->shapes.get();
    c.packaging_materials = h->materials.get();
    c.packaging_recycling = h->recycling.get();
    c.references = env.references;
    core::system_clock system;
    const core::clock& clock = env.clock ? *env.clock : static_cast<const core::clock&>(system);
    auto now = clock.now();
    c.now = core::iso_timestamp(now);
    c.process_after = core::iso_timestamp(now + std::chrono::minutes(env.settings.automatic_processing_wait_min));
    return h;
}

// §2.1 validity.
std::vector<prediction> valid_predictions(const insight_environment& env, const std::string& barcode,
                                          core::server_type type, const std::vector<prediction>& predictions,
                                          const std::optional<products::product>& product, int& dropped) {
    std::vector<prediction> out;
    for (auto p : predictions) {
        p.barcode = barcode;
        p.server_type = type;
        if (env.settings.product_check) {
            if (!product) {
                ++dropped;
                continue;
            }
            if (p.source_image) {
                auto stem = core::source_image_stem(*p.source_image);
                if (!core::is_all_digits(stem) || !product->has_image_id(stem)) {
                    ++dropped;
                    continue;
                }
            }
        }
        out.push_back(std::move(p));
    }
    return out;
}

template <typename Store>
product_import_result import_with(db::connection& conn, const insight_environment& env, core::server_type type,
                                  const std::string& raw_barcode, const std::vector<prediction>& predictions,
                                  const std::optional<products::product>& product, Store store) {
    std::string barcode = core::normalize_barcode(raw_barcode);
    product_import_result result;
    result.product_found = product.has_value();
    auto valid = valid_predictions(env, barcode, type, predictions, product, result.dropped_invalid);
    db::transaction tx(conn);
    lock_product(conn, type, barcode);
    if (!valid.empty() || !predictions.empty()) {
        result.predictions = store(barcode, valid);
    }
    std::vector<std::string> changed(result.predictions.types.begin(), result.predictions.types.end());
    result.importers_run = importers_for(changed);
    if (env.settings.product_check && !product) {
        // Product gone: every importer clears its open insights (§3.2 step 2).
        result.importers_run = insight_types();
    }
    result.insights = run_importers(conn, env, type, barcode, result.importers_run, product);
    tx.commit();
    return result;
}

}  // namespace

std::optional<products::product> stored_product(db::connection& conn, core::server_type type,
                                                const std::string& barcode) {
    return products::find_product(conn, type, barcode);
}

product_import_result import_product_predictions(db::connection& conn, const insight_environment& env,
                                                 core::server_type type, const std::string& barcode,
                                                 const std::vector<prediction>& predictions,
                                                 const std::optional<products::product>& product) {
    return import_with(conn, env, type, barcode, predictions, product,
                       [&](const std::string& code, const std::vector<prediction>& valid) {
                           return store_predictions_additive(conn, type, code, valid);
                       });
}

product_import_result replace_product_predictions(db::connection& conn, const insight_environment& env,
                                                  core::server_type type, const std::string& barcode,
                                                  const prediction_scope& scope,
                                                  const std::vector<prediction>& predictions,
                                                  const std::optional<products::product>& product) {
    return import_with(conn, env, type, barcode, predictions, product,
                       [&](const std::string& code, const std::vector<prediction>& valid) {
                           return store_predictions_scoped(conn, type, code, scope, valid);
                       });
}

write_counts run_importers(db::connection& conn, const insight_environment& env, core::server_type type,
                           const std::string& barcode, const std::vector<std::string>& types,
                           const std::optional<products::product>& product) {
    write_counts total;
    if (types.empty()) {
        return total;
    }
    auto holder = make_context(env, product);
    std::vector<std::string> inputs;
    for (const auto& t : types) {
        for (const auto& i : input_prediction_types(t)) {
            inputs.push_back(i);
        }
    }
    auto predictions = load_predictions(conn, type, barcode, inputs);
    for (const auto& t : types) {
        auto refs = load_insights(conn, type, barcode, t);
        auto plan = plan_import(t, predictions, refs, holder->ctx);
        auto counts = apply_plan(conn, plan);
        total.inserted += counts.inserted;
        total.updated += counts.updated;
        total.deleted += counts.deleted;
    }
    return total;
}

write_counts refresh_product(db::connection& conn, const insight_environment& env, core::server_type type,
                             const std::string& raw_barcode, const std::optional<products::product>& product) {
    std::string barcode = core::normalize_barcode(raw_barcode);
    db::transaction tx(conn);
    lock_product(conn, type, barcode);
    auto stored = conn.exec("SELECT DISTINCT type FROM prediction WHERE server_type = $1 AND barcode = $2",
                            {std::string(core::to_string(type)), barcode});
    std::vector<std::string> present;
    for (int i = 0; i < stored.rows(); ++i) {
        present.push_back(stored.get_string(i, 0));
    }
    auto types = importers_for(present);
    if (env.settings.product_check && !product) {
        types = insight_types();
    }
    auto counts = run_importers(conn, env, type, barcode, types, product);
    tx.commit();
    return counts;
}

}  // namespace robotoff::insights
