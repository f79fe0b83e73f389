// robotoffd import-robotoff --from DSN [--allow-rejects] [--reject-file PATH]
#include "application.hpp"
#include "commands.hpp"

#include "robotoff/migrate/robotoff_import.hpp"

#include <cstdio>
#include <unistd.h>

namespace robotoff::app {
namespace {

void draw_progress(const migrate::table_progress& p) {
    if (p.indexes > 0) {
        std::fprintf(stderr, "%-18s rebuilding %zu indexes dropped for the copy\n", p.table.c_str(), p.indexes);
        return;
    }
    const double rate = p.seconds > 0 ? static_cast<double>(p.rows) / p.seconds : 0;
    std::fprintf(stderr, "\r%-18s %12lld rows  %9.0f rows/s  %7.1f s%s", p.table.c_str(), p.rows, rate, p.seconds,
                 p.done ? "\n" : "  ");
    std::fflush(stderr);
}

}  // namespace

int run_import_robotoff(command_context& ctx) {
    migrate::import_options options;
    bool allow_rejects = false;
    for (std::size_t i = 0; i < ctx.args.size(); ++i) {
        const auto& arg = ctx.args[i];
        auto value = [&](const char* name) -> std::string {
            const std::string prefix = std::string(name) + "=";
            if (arg.starts_with(prefix)) {
                return arg.substr(prefix.size());
            }
            if (i + 1 >= ctx.args.size()) {
                throw usage_failure(std::string(name) + " needs a value");
            }
            return ctx.args[++i];
        };
        if (arg == "--from" || arg.starts_with("--from=")) {
            options.source_url = value("--from");
        } else if (arg == "--reject-file" || arg.starts_with("--reject-file=")) {
            options.reject_path = value("--reject-file");
        } else if (arg == "--allow-rejects") {
            allow_rejects = true;
        } else if (arg.starts_with("--")) {
            throw usage_failure("unknown option '" + arg + "'");
        } else {
            throw usage_failure("unexpected argument '" + arg + "'");
        }
    }
    if (options.source_url.empty()) {
        throw usage_failure("missing --from DSN (the Robotoff database)");
    }
    if (options.reject_path.empty()) {
        throw usage_failure("--reject-file needs a path");
    }
    if (::isatty(STDERR_FILENO) == 1) {
        options.on_progress = draw_progress;
    }
    const auto settings = pool_settings_from(ctx.cfg);
    options.target_url = settings.url;
    options.connect_timeout_s = settings.connect_timeout_s;
    std::unique_ptr<db::connection> target;
    try {
        // No statement timeout: one batch or one index build may take long.
        target = std::make_unique<db::connection>(settings.url, 0, settings.connect_timeout_s,
                                                  "robotoffd-import-robotoff");
    } catch (const db::unavailable& e) {
        std::fprintf(stderr, "robotoffd import-robotoff: our database (database.url): %s\n",
                     migrate::redact_dsn(e.what()).c_str());
        return 1;
    }
    migrate::import_summary summary;
    try {
        summary = migrate::import_robotoff(*target, options);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "robotoffd import-robotoff: %s\n", e.what());
        return 1;
    }
    std::printf("%s", migrate::format_summary(summary).c_str());
    if (summary.skipped > 0 && !allow_rejects) {
        std::fprintf(stderr, "robotoffd import-robotoff: %lld rows skipped (see %s); --allow-rejects accepts them\n",
                     summary.skipped, summary.reject_path.c_str());
        return 1;
    }
    return 0;
}

}  // namespace robotoff::app
