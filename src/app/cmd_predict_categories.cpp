// robotoffd predict-categories: the category matcher (pipeline.md §12) over every product of the product table
// that has no category, each result imported with the matcher scope (so the insight rules apply and a
// product's previous matcher prediction is replaced). Progress on a terminal, one summary line otherwise.
#include "application.hpp"
#include "commands.hpp"

#include "robotoff/insights/generation.hpp"
#include "robotoff/insights/references.hpp"
#include "robotoff/jobs/tasks.hpp"
#include "robotoff/matcher/category_matcher.hpp"
#include "robotoff/products/repository.hpp"

#include <chrono>
#include <cstdio>
#include <unistd.h>

namespace robotoff::app {

namespace {

// Keyset pagination over products without categories (never OFFSET: the table may hold millions).
constexpr const char* next_batch_sql =
    "SELECT barcode FROM product WHERE server_type = 'off' AND NOT deleted AND categories_tags = '[]'::jsonb "
    "AND barcode > $1 ORDER BY barcode LIMIT 1000";

}  // namespace

int run_predict_categories(command_context& ctx) {
    long long limit = -1;
    for (const auto& arg : ctx.args) {
        if (arg.starts_with("--limit=")) {
            const auto n = core::parse_int(arg.substr(8));
            if (!n || *n < 1) {
                throw usage_failure("--limit must be a positive integer");
            }
            limit = *n;
        } else {
            throw usage_failure("unexpected argument '" + arg + "'");
        }
    }
    const auto taxonomies = load_taxonomies(ctx.cfg);
    const auto categories = taxonomies->get("categories");
    if (!categories) {
        std::fprintf(stderr, "robotoffd predict-categories: no categories taxonomy under %s\n",
                     ctx.cfg.get_string("data.dir").c_str());
        return 1;
    }
    const auto matcher = matcher::category_matcher::build(*categories, ctx.cfg.get_list("category_matcher.langs"));
    auto references = insights::import_references::load(ctx.cfg.get_string("data.dir"));
    insights::insight_environment env;
    env.taxonomies = taxonomies.get();
    env.references = &references;
    env.settings = insights::insight_settings::from_config(ctx.cfg);

    const auto settings = pool_settings_from(ctx.cfg);
    db::connection conn(settings.url, settings.statement_timeout_ms, settings.connect_timeout_s,
                        "robotoffd-predict-categories");
    const auto scope = jobs::matcher_scope();

    const bool tty = ::isatty(STDERR_FILENO) != 0;
    const auto start = std::chrono::steady_clock::now();
    long long products = 0;
    long long predicted = 0;
    long long created = 0;
    std::string after;
    bool done = false;
    while (!done) {
        const auto batch = conn.exec(next_batch_sql, {after});
        if (batch.rows() == 0) {
            break;
        }
        for (int i = 0; i < batch.rows() && !done; ++i) {
            after = batch.get_string(i, 0);
            const auto product = products::find_product(conn, core::server_type::off, after);
            if (!product) {
                continue;
            }
            std::vector<std::pair<std::string, std::string>> names;
            for (const auto& lang : product->languages_codes) {
                if (const auto it = product->texts.find("product_name_" + lang); it != product->texts.end()) {
                    names.emplace_back(lang, it->second);
                }
            }
            std::vector<insights::prediction> predictions;
            if (const auto best = matcher->predict_each_language(names); !best.empty()) {
                predictions.push_back(jobs::matcher_prediction(core::server_type::off, after, best.front()));
                ++predicted;
            }
            const auto result = insights::replace_product_predictions(conn, env, core::server_type::off, after,
                                                                      scope, predictions, product);
            created += result.insights.inserted;
            ++products;
            done = limit > 0 && products >= limit;
            if (tty && products % 200 == 0) {
                const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
                std::fprintf(stderr, "\r%lld products, %lld predictions, %.0f products/s", products, predicted,
                             s > 0 ? static_cast<double>(products) / s : 0.0);
            }
        }
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (tty) {
        std::fputc('\n', stderr);
    }
    std::printf("predict-categories: %lld products without categories, %lld category predictions, %lld insights "
                "created, %.1f s\n",
                products, predicted, created, seconds);
    return 0;
}

}  // namespace robotoff::app
