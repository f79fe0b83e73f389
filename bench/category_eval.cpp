// Category matcher evaluation (issue 8 §3): hold out the categories of the real sample products, predict from
// their names, report precision@1 (the prediction is among the product's categories_tags, which include
// ancestors) and coverage (products with a prediction / products with categories and a name in a matcher
// language); plus index build time and per-name latency.
// Usage: category_eval [products.jsonl.gz] [categories.full.json.gz]
#include "robotoff/core/file_io.hpp"
#include "robotoff/core/json.hpp"
#include "robotoff/matcher/category_matcher.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>

namespace {

using clock_type = std::chrono::steady_clock;

double ms_since(clock_type::time_point start) {
    return std::chrono::duration<double, std::milli>(clock_type::now() - start).count();
}

bool has_tag(const rapidjson::Value& product, const char* key, const std::string& tag) {
    const rapidjson::Value* tags = robotoff::core::get_member(product, key);
    if (tags == nullptr || !tags->IsArray()) {
        return false;
    }
    for (const auto& t : tags->GetArray()) {
        if (t.IsString() && tag == t.GetString()) {
            return true;
        }
    }
    return false;
}

}  // namespace

int main(int argc, char** argv) {
    using namespace robotoff;
    const std::string products =
        argc > 1 ? argv[1] : ROBOTOFF_SHARED_DIR "/samples/products/openfoodfacts-products-min.jsonl.gz";
    const std::string categories_path =
        argc > 2 ? argv[2] : ROBOTOFF_SHARED_DIR "/data/taxonomies/categories.full.json.gz";

    auto start = clock_type::now();
    const auto categories = taxonomy::taxonomy::load_file("categories", categories_path);
    const double load_ms = ms_since(start);
    start = clock_type::now();
    const auto m = matcher::category_matcher::build(*categories, {"fr", "en", "es", "de"});
    const double build_ms = ms_since(start);

    const bool verbose = std::getenv("CATEGORY_EVAL_VERBOSE") != nullptr;
    core::line_reader reader(products);
    std::string line;
    std::size_t total = 0;
    std::size_t eligible = 0;
    std::size_t predicted = 0;
    std::size_t correct = 0;
    std::size_t deepest_correct = 0;
    std::size_t no_category_predicted = 0;
    std::vector<double> latencies_us;
    while (reader.next(line)) {
        ++total;
        auto doc = core::try_parse_json(line);
        if (!doc || !doc->IsObject()) {
            continue;
        }
        const rapidjson::Value* tags = core::get_member(*doc, "categories_tags");
        const bool has_categories = tags != nullptr && tags->IsArray() && !tags->Empty();
        // Time every per-language query the product needs (predict_each_language = one match per language).
        const auto t0 = clock_type::now();
        const auto prediction = m->predict(*doc);
        const auto elapsed = std::chrono::duration<double, std::micro>(clock_type::now() - t0).count();
        bool has_name = false;
        if (const auto* codes = core::get_member(*doc, "languages_codes"); codes != nullptr && codes->IsObject()) {
            for (const auto& c : codes->GetObject()) {
                const std::string key = std::string("product_name_") + c.name.GetString();
                const auto name = core::get_string(*doc, key.c_str());
                if (m->supports(c.name.GetString()) && name && !name->empty()) {
                    has_name = true;
                }
            }
        }
        if (has_name) {
            latencies_us.push_back(elapsed);
        }
        if (!has_categories) {
            if (prediction) {
                ++no_category_predicted;
            }
            continue;
        }
        if (!has_name) {
            continue;
        }
        ++eligible;
        if (!prediction) {
            continue;
        }
        ++predicted;
        const bool hit = has_tag(*doc, "categories_tags", prediction->value_tag);
        if (verbose) {
            std::printf("%s\t%s\t%s\t%.2f\n", hit ? "HIT" : "MISS", prediction->product_name.c_str(),
                        prediction->value_tag.c_str(), prediction->confidence);
        }
        if (hit) {
            ++correct;
            std::vector<std::string> all;
            for (const auto& t : tags->GetArray()) {
                if (t.IsString()) {
                    all.emplace_back(t.GetString());
                }
            }
            const auto deepest = categories->deepest(all);
            if (std::find(deepest.begin(), deepest.end(), prediction->value_tag) != deepest.end()) {
                ++deepest_correct;
            }
        }
    }
    std::sort(latencies_us.begin(), latencies_us.end());
    auto pct = [&](double p) {
        if (latencies_us.empty()) {
            return 0.0;
        }
        return latencies_us[std::min(latencies_us.size() - 1, static_cast<std::size_t>(p * latencies_us.size()))];
    };
    double sum = 0;
    for (double v : latencies_us) {
        sum += v;
    }
    std::printf("taxonomy_load_ms=%.1f index_build_ms=%.1f entries=%zu\n", load_ms, build_ms, m->entry_count());
    std::printf("products=%zu eligible=%zu predicted=%zu coverage=%.3f precision_at_1=%.3f "
                "deepest_exact=%.3f predicted_without_categories=%zu\n",
                total, eligible, predicted, eligible ? double(predicted) / double(eligible) : 0.0,
                predicted ? double(correct) / double(predicted) : 0.0,
                predicted ? double(deepest_correct) / double(predicted) : 0.0, no_category_predicted);
    std::printf("per_product_latency_us mean=%.1f p50=%.1f p99=%.1f max=%.1f (n=%zu)\n",
                latencies_us.empty() ? 0.0 : sum / double(latencies_us.size()), pct(0.5), pct(0.99),
                latencies_us.empty() ? 0.0 : latencies_us.back(), latencies_us.size());
    return 0;
}
