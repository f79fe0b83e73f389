#pragma once
// The route table of the daemon, in one place (STYLE.md: an explicit table, no self-registration).

#include "robotoff/api/insights_routes.hpp"
#include "robotoff/api/ocr_routes.hpp"
#include "robotoff/api/predict_routes.hpp"
#include "robotoff/api/image_routes.hpp"
#include "robotoff/api/question_routes.hpp"
#include "robotoff/api/system_routes.hpp"
#include "robotoff/api/webhook_routes.hpp"
#include "robotoff/http/router.hpp"

namespace robotoff::app {

// Everything the route groups need; the application fills it.
struct route_context {
    api::system_services& system;
    api::question_services& questions;
    api::insight_services& insights;
    api::webhook_services* webhooks = nullptr;   // Product Opener hooks (api.md §8)
    api::predict_services* predict = nullptr;    // category matcher and spellcheck (api.md §7.3, §7.4)
    api::ocr_route_services* ocr = nullptr;      // local OCR, ocr_prediction, crop (api.md §7.1, §4.8)
};

void add_all_routes(http::router& router, const route_context& ctx);

}  // namespace robotoff::app
