#pragma once
// Image listing and per-product language shares (api.md §4.7 GET /api/v1/images, §7.2
// GET /api/v1/predict/lang/product). Read-only routes over the `image` and `prediction` tables.
// Handlers block on the database (handler pool threads).

#include "robotoff/api/insights_routes.hpp"
#include "robotoff/http/router.hpp"

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace robotoff::api {

void add_image_routes(http::router& router, insight_services& services);

// Language shares of §7.2 from (source_image, image_lang data JSON) pairs: the response body.
// Pure; exposed for unit tests.
std::string language_shares_json(const std::vector<std::pair<std::string, std::string>>& image_lang_predictions);

}  // namespace robotoff::api
