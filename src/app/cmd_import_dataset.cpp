// robotoffd import-dataset FILE.jsonl[.gz] [--complete] [--server-type=T] [--batch-size=N]
#include "application.hpp"
#include "commands.hpp"

#include "robotoff/core/file_io.hpp"
#include "robotoff/products/dataset_import.hpp"

#include <cstdio>
#include <unistd.h>

namespace robotoff::app {
namespace {

void draw_progress(const products::dataset_progress& p) {
    double fraction = p.bytes_total > 0 ? static_cast<double>(p.bytes_read) / static_cast<double>(p.bytes_total) : 0;
    if (fraction > 1) {
        fraction = 1;
    }
    constexpr int width = 30;
    int filled = static_cast<int>(fraction * width);
    std::string bar(static_cast<std::size_t>(filled), '#');
    bar.append(static_cast<std::size_t>(width - filled), ' ');
    double rate = p.seconds > 0 ? static_cast<double>(p.products) / p.seconds : 0;
    double mb_rate = p.seconds > 0 ? static_cast<double>(p.bytes_read) / 1e6 / p.seconds : 0;
    std::fprintf(stderr, "\r[%s] %5.1f%%  %.1f/%.1f MB (%.1f MB/s)  %llu products (%.0f/s)  ", bar.c_str(),
                 fraction * 100, static_cast<double>(p.bytes_read) / 1e6, static_cast<double>(p.bytes_total) / 1e6,
                 mb_rate, static_cast<unsigned long long>(p.products), rate);
    std::fflush(stderr);
}

}  // namespace

int run_import_dataset(command_context& ctx) {
    std::string path;
    products::dataset_import_options options;
    options.languages = products::record_languages::from_config(ctx.cfg);
    for (const auto& arg : ctx.args) {
        if (arg == "--complete") {
            options.complete = true;
        } else if (arg.starts_with("--server-type=")) {
            auto t = core::parse_server_type(arg.substr(14));
            if (!t) {
                throw usage_failure("invalid server type '" + arg.substr(14) + "'");
            }
            options.type = *t;
        } else if (arg.starts_with("--batch-size=")) {
            auto n = core::parse_int(arg.substr(13));
            if (!n || *n < 1 || *n > 1000000) {
                throw usage_failure("invalid batch size '" + arg.substr(13) + "'");
            }
            options.batch_size = static_cast<std::size_t>(*n);
        } else if (arg.starts_with("--")) {
            throw usage_failure("unknown option '" + arg + "'");
        } else if (path.empty()) {
            path = arg;
        } else {
            throw usage_failure("unexpected argument '" + arg + "'");
        }
    }
    if (path.empty()) {
        throw usage_failure("missing FILE");
    }
    const bool tty = ::isatty(STDERR_FILENO) == 1;
    if (tty) {
        options.on_progress = draw_progress;
    }
    const auto settings = pool_settings_from(ctx.cfg);
    db::connection conn(settings.url, 0 /* a batch may take long on a busy server */, settings.connect_timeout_s,
                        "robotoffd-import-dataset");
    products::dataset_import_summary summary;
    try {
        summary = products::import_dataset(conn, path, options);
    } catch (const core::io_error& e) {
        std::fprintf(stderr, "robotoffd import-dataset: %s\n", e.what());
        return 1;
    }
    if (tty) {
        std::fputc('\n', stderr);
    }
    std::printf("%s\n", products::format_summary(summary).c_str());
    return summary.error.empty() ? 0 : 1;
}

}  // namespace robotoff::app
