// GET /api/v1/predictions (api.md §4.6), GET /api/v1/users/statistics.
#include "insights_params.hpp"
#include "robotoff/core/json.hpp"
#include "robotoff/insights/serialize.hpp"

namespace robotoff::api::detail {
namespace {

http::response predictions(insight_services& s, const http::request& req) {
    insights::prediction_filter f;
    f.server_type = server_type_param(req);
    f.barcode = barcode_param(req);
    f.value_tag = req.params.get("value_tag");
    f.types = req.params.get_list("types", 10);
    int count = count_param(req, 25);
    long long page = page_param(req);
    auto conn = s.pool.acquire(req.deadline);
    auto items = insights::list_predictions(*conn, f, count, (page - 1) * count);
    long long total = insights::count_predictions(*conn, f);
    std::string body = "{\"count\":" + std::to_string(total) + ",\"predictions\":[";
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i > 0) {
            body += ',';
        }
        insights::append_prediction_json(body, items[i]);
    }
    body += "],\"status\":\"";
    body += items.empty() ? "no_predictions" : "found";
    body += "\"}";
    return http::response::json(std::move(body));
}

http::response user_statistics(insight_services& s, const http::request& req) {
    auto conn = s.pool.acquire(req.deadline);
    long long n = insights::user_annotation_count(*conn, req.path_param("username"));
    return http::response::json("{\"count\":{\"annotations\":" + std::to_string(n) + "}}");
}

}  // namespace

http::handler predictions_handler(insight_services& s) {
    return [&s](const http::request& r) { return predictions(s, r); };
}

http::handler user_statistics_handler(insight_services& s) {
    return [&s](const http::request& r) { return user_statistics(s, r); };
}

}  // namespace robotoff::api::detail
