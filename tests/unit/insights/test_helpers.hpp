#pragma once
// Shared fixtures of the insights unit tests: real taxonomies and references from ../shared/data, loaded
// once per process, and small builders for predictions and products.

#include "robotoff/insights/importers.hpp"
#include "robotoff/insights/references.hpp"
#include "robotoff/taxonomy/taxonomy.hpp"

#include <memory>
#include <string>

namespace robotoff::insights::test {

struct fixtures {
    std::shared_ptr<const taxonomy::taxonomy> labels, categories, shapes, materials, recycling;
    import_references references;
};

inline const fixtures& shared_fixtures() {
    static const fixtures f = [] {
        fixtures x;
        const std::string dir = ROBOTOFF_SHARED_DIR "/data/taxonomies/";
        x.labels = taxonomy::taxonomy::load_file("labels", dir + "labels.full.json.gz");
        x.categories = taxonomy::taxonomy::load_file("categories", dir + "categories.full.json.gz");
        x.shapes = taxonomy::taxonomy::load_file("packaging_shapes", dir + "packaging_shapes.full.json.gz");
        x.materials = taxonomy::taxonomy::load_file("packaging_materials", dir + "packaging_materials.full.json.gz");
        x.recycling = taxonomy::taxonomy::load_file("packaging_recycling", dir + "packaging_recycling.full.json.gz");
        x.references = import_references::load(ROBOTOFF_SHARED_DIR "/data");
        return x;
    }();
    return f;
}

inline importer_context context(const products::product* product) {
    const auto& f = shared_fixtures();
    importer_context c;
    c.product = product;
    c.labels = f.labels.get();
    c.categories = f.categories.get();
    c.packaging_shapes = f.shapes.get();
    c.packaging_materials = f.materials.get();
    c.packaging_recycling = f.recycling.get();
    c.references = &f.references;
    c.now = "2024-05-02T14:03:11.482913";
    c.process_after = "2024-05-02T14:13:11.482913";
    return c;
}

inline prediction make_prediction(const std::string& type, std::optional<std::string> value,
                                  std::optional<std::string> value_tag, std::string data = "{}") {
    prediction p;
    p.barcode = "3760094310634";
    p.type = type;
    p.value = std::move(value);
    p.value_tag = std::move(value_tag);
    p.data = std::move(data);
    return p;
}

inline products::product make_product(const std::string& barcode = "3760094310634") {
    products::product p;
    p.barcode = barcode;
    p.lang = "fr";
    return p;
}

}  // namespace robotoff::insights::test
