#pragma once
// DESIGN: the `insights` module turns predictions into insights and records decisions on them
// (pipeline.md §2-§6). Layers, each in its own header:
// - model.hpp        plain structs for a stored/new prediction and an insight row (this file);
// - types.hpp        insight and prediction types, importer inputs;
// - importers.hpp    pure per-type rules: predictions + product + references -> candidates -> plan;
// - references.hpp   data files the rules need (label whitelist, brand blacklist and barcode prefixes);
// - store.hpp        SQL for predictions and insights (one connection, caller's transaction);
// - generation.hpp   prediction import + importer runs for one product under its advisory lock;
// - annotate.hpp     annotation and votes, with the Product Opener write behind `product_writer`;
// - queries.hpp      read-side filters and listings for the API; serialize.hpp JSON/CSV output;
// - file_import.hpp  prediction files (extract output and the legacy formats of pipeline.md §10.2).
// Pure parts are thread-safe; DB parts block on the connection they are given. Invariant everywhere:
// an annotated insight is never deleted or modified outside the transaction that decided it.

#include "robotoff/core/product_ref.hpp"

#include <optional>
#include <string>
#include <vector>

namespace robotoff::insights {

// One prediction (data-model.md §4). `data` is a compact JSON object. id 0 = not stored yet.
struct prediction {
    long long id = 0;
    std::string barcode;
    core::server_type server_type = core::server_type::off;
    std::string type;
    std::string data = "{}";
    std::string timestamp;  // ISO (README §5), empty when not stored
    std::optional<std::string> value_tag;
    std::optional<std::string> value;
    std::optional<std::string> source_image;
    std::optional<bool> automatic_processing;
    std::optional<std::string> predictor;
    std::optional<std::string> predictor_version;
    std::optional<double> confidence;
};

// One product_insight row (data-model.md §2), field order of api.md §2.1. Candidates have an empty id.
struct insight {
    std::string id;
    std::string barcode;
    std::string type;
    std::string data = "{}";
    std::string timestamp;
    std::optional<std::string> completed_at;
    std::optional<int> annotation;
    std::optional<int> annotated_result;
    int n_votes = 0;
    std::optional<std::string> username;
    std::vector<std::string> countries;
    std::vector<std::string> brands;
    std::optional<std::string> process_after;
    std::optional<std::string> value_tag;
    std::optional<std::string> value;
    std::optional<std::string> source_image;
    bool automatic_processing = false;
    core::server_type server_type = core::server_type::off;
    long long unique_scans_n = 0;
    bool reserved_barcode = false;
    std::optional<std::string> predictor;
    std::optional<std::string> predictor_version;
    std::vector<std::string> campaign;
    std::optional<double> confidence;
    std::optional<std::string> bounding_box;  // JSON array of 4 numbers
    std::optional<std::vector<std::string>> lc;
    std::optional<bool> with_image;
};

}  // namespace robotoff::insights
