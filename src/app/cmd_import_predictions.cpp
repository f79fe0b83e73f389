// robotoffd import-predictions FILE.jsonl [--server-type=T] [--type=T]
#include "application.hpp"
#include "commands.hpp"

#include "robotoff/core/file_io.hpp"
#include "robotoff/insights/file_import.hpp"
#include "robotoff/insights/types.hpp"

#include <cstdio>

namespace robotoff::app {

int run_import_predictions(command_context& ctx) {
    std::string path;
    core::server_type server_type = core::server_type::off;
    std::optional<std::string> form_type;
    for (const auto& arg : ctx.args) {
        if (arg.starts_with("--server-type=")) {
            auto t = core::parse_server_type(arg.substr(14));
            if (!t) {
                throw usage_failure("invalid server type '" + arg.substr(14) + "'");
            }
            server_type = *t;
        } else if (arg.starts_with("--type=")) {
            form_type = arg.substr(7);
            if (!insights::is_insight_type(*form_type)) {
                throw usage_failure("unknown insight type '" + *form_type + "'");
            }
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
    taxonomy::taxonomy_set taxonomies;
    taxonomies.load_from_dirs(ctx.cfg.get_string("data.dir"));
    auto references = insights::import_references::load(ctx.cfg.get_string("data.dir"));
    insights::insight_environment env;
    env.taxonomies = &taxonomies;
    env.references = &references;
    env.settings = insights::insight_settings::from_config(ctx.cfg);

    const auto settings = pool_settings_from(ctx.cfg);
    db::connection conn(settings.url, settings.statement_timeout_ms, settings.connect_timeout_s,
                        "robotoffd-import-predictions");
    insights::file_import_summary total;
    std::uint64_t line_offset = 0;
    try {
        core::line_reader reader(path);
        std::vector<std::string> chunk;
        std::string line;
        // Chunks keep memory bounded; a product split across chunks is simply imported twice (additive).
        auto flush = [&] {
            auto s = insights::import_prediction_lines(conn, env, chunk, form_type, server_type);
            total.lines += s.lines;
            total.malformed += s.malformed;
            for (auto n : s.malformed_lines) {
                if (total.malformed_lines.size() < 100) {
                    total.malformed_lines.push_back(n + line_offset);
                }
            }
            total.predictions += s.predictions;
            total.products += s.products;
            total.products_not_found += s.products_not_found;
            total.dropped_invalid += s.dropped_invalid;
            total.stored.inserted += s.stored.inserted;
            total.stored.updated += s.stored.updated;
            total.stored.deleted += s.stored.deleted;
            total.insights.inserted += s.insights.inserted;
            total.insights.updated += s.insights.updated;
            total.insights.deleted += s.insights.deleted;
            line_offset += chunk.size();
            chunk.clear();
        };
        while (reader.next(line)) {
            chunk.push_back(line);
            if (chunk.size() >= 5000) {
                flush();
            }
        }
        flush();
    } catch (const core::io_error& e) {
        std::fprintf(stderr, "robotoffd import-predictions: %s\n", e.what());
        std::printf("%s\n", insights::format_summary(total).c_str());
        return 1;
    }
    std::printf("%s\n", insights::format_summary(total).c_str());
    return 0;
}

}  // namespace robotoff::app
