#include "routes.hpp"

namespace robotoff::app {

void add_all_routes(http::router& router, const route_context& ctx) {
    // Operations (api.md §9).
    api::add_system_routes(router, ctx.system);
}

}  // namespace robotoff::app
