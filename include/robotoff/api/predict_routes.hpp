#pragma once
// Predictor routes of the in-process models (api.md §7.3-7.4): POST /api/v1/predict/category (category
// matcher, pipeline.md §12) and POST /api/v1/predict/ingredients/spellcheck (pipeline.md §13).
//
// Wiring (composition root): keep one `predict_services` as a member; set `matcher` from the categories
// taxonomy at start-up and on every taxonomy swap (matcher::category_matcher::build), and `spellchecker`
// when the build_spellcheck_corpus job finishes; then call add_predict_routes(router, services).
// `find_product` reads a product's (lang, product_name_{lang}) pairs for the barcode form (use
// product_names_from_pool). Handlers block (DB for the barcode form) and run on the handler pool; nothing is
// stored. Thread-safe: the models are immutable snapshots.

#include "robotoff/db/pool.hpp"
#include "robotoff/http/router.hpp"
#include "robotoff/matcher/category_matcher.hpp"
#include "robotoff/spellcheck/spellchecker.hpp"

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace robotoff::api {

// (lang, product name) pairs in the product's language order, or nullopt when the product is unknown/deleted.
using product_names = std::vector<std::pair<std::string, std::string>>;
using product_names_finder =
    std::function<std::optional<product_names>(const std::string& barcode, std::chrono::steady_clock::time_point)>;

struct predict_services {
    matcher::shared_matcher matcher;
    spellcheck::shared_spellchecker own_spellchecker;
    // The spellchecker the route reads: its own by default; the daemon points it at the job system's, which
    // build_spellcheck_corpus fills (until then the route answers 503).
    spellcheck::shared_spellchecker* spellchecker = &own_spellchecker;
    std::vector<std::string> spellcheck_langs = {"fr"};  // setting spellcheck.langs
    product_names_finder find_product;                    // off products only
    std::size_t max_text_chars = 20000;                   // spellcheck `text` above this -> 413
};

// Reads the `product` table (server_type off) through the pool.
product_names_finder product_names_from_pool(db::pool& pool);

void add_predict_routes(http::router& router, predict_services& services);

// The handlers, exposed for tests without a server.
http::response predict_category(const predict_services& services, const http::request& req);
http::response predict_spellcheck(const predict_services& services, const http::request& req);

}  // namespace robotoff::api
