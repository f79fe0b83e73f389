#pragma once
// Parameter parsing shared by the insight route files (api.md §1.1): server_type, countries, count/page,
// barcodes. Each throws core::client_error with the spec's 400 bodies. Private to the api module.

#include "robotoff/api/insights_routes.hpp"
#include "robotoff/http/request.hpp"

#include <string>
#include <vector>

namespace robotoff::api::detail {

core::server_type server_type_param(const http::request& req);
// Country codes -> country tags through the countries taxonomy; 400 "invalid countries value: ...".
std::vector<std::string> countries_param(const http::request& req, const insight_services& services);
// count >= 1, clamped to `cap` (README §10).
int count_param(const http::request& req, int fallback, int cap = 1000);
long long page_param(const http::request& req);
std::optional<std::string> barcode_param(const http::request& req, const char* name = "barcode");

http::handler annotate_handler(insight_services& services);
http::handler import_handler(insight_services& services);
http::handler predictions_handler(insight_services& services);
http::handler user_statistics_handler(insight_services& services);

}  // namespace robotoff::api::detail
