#include "application.hpp"
#include "commands.hpp"

namespace robotoff::app {

int run_serve(command_context& ctx) {
    if (!ctx.args.empty()) {
        throw usage_failure("unexpected argument '" + ctx.args.front() + "'");
    }
    application app(ctx.cfg);
    return app.run();
}

}  // namespace robotoff::app
