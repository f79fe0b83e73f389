#pragma once
// Cuts a Product Opener product line down to the top-level fields `normalize_product` reads.
// A dump line is ~20 KB of JSON (nutriments, ingredient trees, image sizes...) of which the product record
// needs ~2 KB. simdjson indexes the line at GB/s with SIMD instructions and skips the unwanted values; only
// the kept fields are then parsed into the RapidJSON DOM that `normalize_product` reads. This made
// `robotoffd import-dataset` parse the sample dump about 3x faster (bench/api_bench.sh --import-only).

#include "robotoff/products/product.hpp"

#include <memory>
#include <string>

namespace robotoff::products {

class field_filter {
public:
    explicit field_filter(record_languages languages = {});
    ~field_filter();
    field_filter(const field_filter&) = delete;
    field_filter& operator=(const field_filter&) = delete;

    // Writes into `out` a JSON object holding the fields of `line` (a JSON object) that
    // `is_record_field` accepts (with the languages given), in their order. Returns false when `line` is not one JSON object (values
    // of skipped fields are checked for their structure only: brackets, quotes, separators).
    // `line` may grow its capacity (the parser reads a few padding bytes after the text); its content is kept.
    bool filter(std::string& line, std::string& out);

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace robotoff::products
