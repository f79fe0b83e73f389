// `robotoffd replay-events`: re-reads a range of Product Opener's streams into jobs (intake/replay.hpp).

#include "application.hpp"
#include "commands.hpp"
#include "robotoff/core/errors.hpp"
#include "robotoff/intake/replay.hpp"

#include <iostream>

namespace robotoff::app {

int run_replay_events(command_context& ctx) {
    intake::replay_options options;
    for (std::size_t i = 0; i < ctx.args.size(); ++i) {
        const std::string& a = ctx.args[i];
        auto value = [&](const std::string& flag) -> std::string {
            if (a.starts_with(flag + "=")) {
                return a.substr(flag.size() + 1);
            }
            if (i + 1 >= ctx.args.size()) {
                throw usage_failure(flag + " needs a value");
            }
            return ctx.args[++i];
        };
        if (a == "--force") {
            options.force = true;
        } else if (a == "--dry-run") {
            options.dry_run = true;
        } else if (a.starts_with("--stream")) {
            options.stream = value("--stream");
        } else if (a.starts_with("--since")) {
            options.since = value("--since");
        } else if (a.starts_with("--until")) {
            options.until = value("--until");
        } else {
            throw usage_failure("unexpected argument '" + a + "'");
        }
    }
    if (ctx.cfg.get_string("redis.url").empty()) {
        throw usage_failure("redis.url is not set (--redis.url=redis://host:port)");
    }
    if (options.since.empty()) {
        throw usage_failure("--since is required");
    }
    // Bad times and URLs are usage errors (exit 2) before anything is read.
    intake::range_bound(options.since);
    if (!options.until.empty()) {
        intake::range_bound(options.until);
    }
    const auto settings = intake::consumer_settings::from_config(ctx.cfg, "replay");
    db::pool pool(pool_settings_from(ctx.cfg));
    try {
        const auto counts = intake::replay(settings, options, pool, std::cout);
        std::printf("replay-events: %lld entries read, %lld already handled, %lld recorded, %lld jobs%s\n",
                    counts.read, counts.skipped, counts.recorded, counts.jobs,
                    options.dry_run ? " (dry run: nothing stored)" : "");
    } catch (const core::usage_error& e) {
        throw usage_failure(e.what());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "robotoffd replay-events: %s\n", e.what());
        return 1;
    }
    return 0;
}

}  // namespace robotoff::app
