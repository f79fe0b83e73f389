#include "routes.hpp"

namespace robotoff::app {

void add_all_routes(http::router& router, const route_context& ctx) {
    // Operations (api.md §9).
    api::add_system_routes(router, ctx.system);
    // Questions (api.md §6) and the annotation page (GET /, /ui/...).
    api::add_question_routes(router, ctx.questions);
    api::add_ui_routes(router, ctx.questions);
    // Insights, predictions, annotation, prediction import (api.md §4, §5).
    api::add_insight_routes(router, ctx.insights);
    // Images and per-product OCR language shares (api.md §4.7, §7.2).
    api::add_image_routes(router, ctx.insights);
    // Product Opener hooks (api.md §8.1 POST, §8.2, §8.3).
    if (ctx.webhooks) {
        api::add_webhook_routes(router, *ctx.webhooks);
    }
    // Predictors run on request, nothing stored (api.md §7.3, §7.4).
    if (ctx.predict) {
        api::add_predict_routes(router, *ctx.predict);
    }
    if (ctx.ocr) {
        api::add_ocr_routes(router, *ctx.ocr);
    }
}

}  // namespace robotoff::app
