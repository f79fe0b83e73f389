#include "application.hpp"
#include "commands.hpp"

#include "robotoff/core/log.hpp"
#include "robotoff/db/migrations.hpp"

#include <cstdio>

namespace robotoff::app {

int run_migrate(command_context& ctx) {
    if (!ctx.args.empty()) {
        throw usage_failure("unexpected argument '" + ctx.args.front() + "'");
    }
    const auto settings = pool_settings_from(ctx.cfg);
    db::connection conn(settings.url, 0 /* no statement timeout for DDL */, settings.connect_timeout_s,
                        "robotoffd-migrate");
    const auto applied = db::migrate(conn);
    std::printf("schema at version %d (%zu migration%s applied)\n", db::latest_version(), applied.size(),
                applied.size() == 1 ? "" : "s");
    return 0;
}

}  // namespace robotoff::app
