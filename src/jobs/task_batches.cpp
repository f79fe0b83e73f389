// Batch jobs over the minified dump (pipeline.md §8.4): category_matcher_batch.

#include "robotoff/core/file_io.hpp"
#include "robotoff/core/log.hpp"
#include "robotoff/insights/generation.hpp"
#include "robotoff/matcher/category_matcher.hpp"
#include "robotoff/products/repository.hpp"
#include "robotoff/spellcheck/corpus.hpp"
#include "robotoff/spellcheck/spellchecker.hpp"
#include "tasks_internal.hpp"

#include <algorithm>
#include <filesystem>
#include <unordered_map>

namespace robotoff::jobs {

namespace {

bool non_empty(const rapidjson::Value& p, const char* key) {
    const auto* v = core::get_member(p, key);
    if (!v) {
        return false;
    }
    if (v->IsString()) {
        return v->GetStringLength() > 0;
    }
    if (v->IsArray()) {
        return !v->Empty();
    }
    if (v->IsObject()) {
        return !v->ObjectEmpty();
    }
    return false;
}

// `since` of the payload ("2024-05-02T00:00:00.000000") as unix seconds; yesterday 00:00 UTC when absent.
long long since_seconds(const job& j) {
    core::time_point t;
    auto since = core::get_string(j.payload, "since");
    if (since && since->size() >= 10 && core::parse_iso_date(std::string(since->substr(0, 10)), t)) {
        return static_cast<long long>(core::unix_seconds(t));
    }
    auto today = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
    return static_cast<long long>(core::unix_seconds(core::time_point(today - std::chrono::days(1))));
}

struct batch_counts {
    long long considered = 0;  // products `predict` looked at
    long long predicted = 0;   // products with at least one prediction
};

// The loop of the batch jobs (pipeline.md §8.4): every product of the minified dump with a code, modified since
// the job's `since`, goes to `predict(product, barcode)`, which returns nullopt to skip it or its predictions;
// those replace the product's predictions of `scope`. nullopt when there is no dump yet.
template <typename Predict>
std::optional<batch_counts> over_recent_dump_products(task_environment& env, const job& j,
                                                      const insights::prediction_scope& scope, Predict predict) {
    const std::string path = env.settings.dataset_dir + "/products-min.jsonl.gz";
    if (!std::filesystem::exists(path)) {
        return std::nullopt;
    }
    const long long since = since_seconds(j);
    core::line_reader reader(path);
    std::string line;
    batch_counts counts;
    auto conn = env.pool.acquire();
    while (reader.next(line)) {
        auto doc = core::try_parse_json(line);
        if (!doc || !doc->IsObject() || !non_empty(*doc, "code") ||
            core::get_int(*doc, "last_modified_t").value_or(0) < since) {
            continue;
        }
        const std::string barcode = core::normalize_barcode(*core::get_string(*doc, "code"));
        std::optional<std::vector<insights::prediction>> preds = predict(*doc, barcode);
        if (!preds) {
            continue;
        }
        ++counts.considered;
        counts.predicted += preds->empty() ? 0 : 1;
        // Validity: the product is in today's dump; the importers use the stored row (imported from it).
        auto product = products::find_product(*conn, core::server_type::off, barcode);
        insights::replace_product_predictions(*conn, env.insights, core::server_type::off, barcode, scope, *preds,
                                              product);
    }
    return counts;
}

}  // namespace

job_outcome run_category_matcher_batch(task_environment& env, const job& j) {
    auto m = env.matcher ? env.matcher() : nullptr;
    if (!m) {
        throw std::runtime_error("the category matcher is not available (no categories taxonomy)");
    }
    auto counts = over_recent_dump_products(
        env, j, matcher_scope(),
        [&](const rapidjson::Value& p, const std::string& barcode) -> std::optional<std::vector<insights::prediction>> {
            if (!non_empty(p, "product_name") || non_empty(p, "categories_tags") ||
                !non_empty(p, "countries_tags") || !non_empty(p, "languages_codes")) {
                return std::nullopt;
            }
            std::vector<insights::prediction> preds;
            if (auto c = m->predict(p)) {
                preds.push_back(matcher_prediction(core::server_type::off, barcode, *c));
            }
            return preds;
        });
    if (!counts) {
        return job_outcome::done("no minified dump yet");
    }
    core::log::info("jobs.category_matcher_batch",
                    {{"job_id", j.id}, {"products", counts->considered}, {"predicted", counts->predicted}});
    return job_outcome::done(std::to_string(counts->predicted) + " category predictions for " +
                             std::to_string(counts->considered) + " products");
}

}  // namespace robotoff::jobs

namespace robotoff::jobs {

job_outcome run_build_spellcheck_corpus(task_environment& env, const job& j) {
    const std::string path = env.settings.dataset_dir + "/products-min.jsonl.gz";
    if (!std::filesystem::exists(path)) {
        return job_outcome::done("no minified dump yet");
    }
    std::shared_ptr<const taxonomy::taxonomy> ingredients;
    if (env.insights.taxonomies) {
        ingredients = env.insights.taxonomies->get("ingredients");
    }
    auto corpora = spellcheck::build_corpora_from_dump(path, env.settings.spellcheck_langs, ingredients.get());
    env.spellchecker->set(std::make_shared<const spellcheck::spellchecker>(std::move(corpora)));
    core::log::info("jobs.spellcheck_corpus_built", {{"job_id", j.id}, {"path", path}});
    return job_outcome::done("corpus built");
}

std::optional<insights::prediction> spellcheck_prediction(const spellcheck::spellchecker& checker,
                                                          core::server_type s, const std::string& barcode,
                                                          const std::string& text, const std::string& lang,
                                                          double confidence) {
    auto r = checker.check(text, lang, confidence);
    if (r.corrections.empty()) {
        return std::nullopt;
    }
    insights::prediction p;
    p.barcode = barcode;
    p.server_type = s;
    p.type = "ingredient_spellcheck";
    p.value_tag = lang;
    p.data = spellcheck::prediction_data_json(r, lang);
    p.predictor = "spellcheck";
    p.predictor_version = "1";
    p.automatic_processing = false;
    return p;
}

job_outcome run_spellcheck_batch(task_environment& env, const job& j) {
    auto checker = env.spellchecker->get();
    if (!checker) {
        return job_outcome::done("no spellcheck corpus yet");
    }
    insights::prediction_scope scope;
    scope.types = {"ingredient_spellcheck"};
    scope.predictor = "spellcheck";
    auto counts = over_recent_dump_products(
        env, j, scope,
        [&](const rapidjson::Value& p, const std::string& barcode) -> std::optional<std::vector<insights::prediction>> {
            std::string lang(core::get_string(p, "lang").value_or(""));
            if (lang.empty() || !checker->supports(lang)) {
                return std::nullopt;
            }
            std::string field = "ingredients_text_" + lang;
            std::string text(core::get_string(p, field.c_str()).value_or(""));
            if (text.empty()) {
                return std::nullopt;
            }
            std::vector<insights::prediction> preds;
            if (auto pred = spellcheck_prediction(*checker, core::server_type::off, barcode, text, lang, 10.0)) {
                preds.push_back(std::move(*pred));
            }
            return preds;
        });
    if (!counts) {
        return job_outcome::done("no minified dump yet");
    }
    core::log::info("jobs.spellcheck_batch",
                    {{"job_id", j.id}, {"products", counts->considered}, {"predicted", counts->predicted}});
    return job_outcome::done(std::to_string(counts->predicted) + " spellcheck predictions for " +
                             std::to_string(counts->considered) + " products");
}

}  // namespace robotoff::jobs

namespace robotoff::jobs {

namespace {

struct dump_facts {
    std::string brands;      // compact JSON arrays as in the dump
    std::string countries;
    long long unique_scans_n = 0;
    std::vector<std::string> image_ids;
};

std::string json_array_or_empty(const rapidjson::Value& p, const char* key) {
    const auto* v = core::get_member(p, key);
    return v && v->IsArray() ? core::to_json(*v) : std::string("[]");
}

}  // namespace

// refresh_all (pipeline.md §5.2): the nightly check of stored predictions and open insights against today's
// minified dump. Batches of 1000 rows, one transaction each; annotated insights are never touched.
job_outcome run_refresh_all(task_environment& env, const job& j) {
    namespace fs = std::filesystem;
    const std::string path = env.settings.dataset_dir + "/products-min.jsonl.gz";
    std::error_code ec;
    if (!fs::exists(path, ec)) {
        return job_outcome::done("no minified dump");
    }
    auto file_time = std::chrono::file_clock::to_sys(fs::last_write_time(path, ec));
    auto today = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
    if (std::chrono::floor<std::chrono::days>(file_time) != today) {
        core::log::info("jobs.refresh_all_skipped", {{"job_id", j.id}, {"reason", "minified dump is not from today"}});
        return job_outcome::done("minified dump is not from today");
    }
    const std::string threshold = core::iso_timestamp(core::time_point(today));
    auto conn = env.pool.acquire();

    // 1. Barcodes to check.
    std::unordered_map<std::string, std::optional<dump_facts>> facts;
    {
        auto r = conn->exec("SELECT barcode FROM prediction WHERE server_type = 'off' AND timestamp <= $1::timestamp "
                            "UNION SELECT barcode FROM product_insight WHERE server_type = 'off' "
                            "AND annotation IS NULL AND timestamp <= $1::timestamp",
                            {threshold});
        for (int i = 0; i < r.rows(); ++i) {
            facts.emplace(r.get_string(i, 0), std::nullopt);
        }
    }
    // 2. One pass over the dump.
    {
        core::line_reader reader(path);
        std::string line;
        while (reader.next(line)) {
            auto doc = core::try_parse_json(line);
            if (!doc || !doc->IsObject()) {
                continue;
            }
            auto code = core::get_string(*doc, "code");
            if (!code) {
                continue;
            }
            auto it = facts.find(core::normalize_barcode(*code));
            if (it == facts.end()) {
                continue;
            }
            dump_facts f;
            f.brands = json_array_or_empty(*doc, "brands_tags");
            f.countries = json_array_or_empty(*doc, "countries_tags");
            f.unique_scans_n = core::get_int(*doc, "unique_scans_n").value_or(0);
            if (const auto* ids = core::get_member(*doc, "image_ids"); ids && ids->IsArray()) {
                for (const auto& id : ids->GetArray()) {
                    if (id.IsString()) {
                        f.image_ids.emplace_back(id.GetString(), id.GetStringLength());
                    }
                }
            }
            it->second = std::move(f);
        }
    }
    auto stale_image = [](const dump_facts& f, const std::optional<std::string>& source_image) {
        if (!source_image) {
            return false;
        }
        auto stem = std::string(core::source_image_stem(*source_image));
        return std::find(f.image_ids.begin(), f.image_ids.end(), stem) == f.image_ids.end();
    };
    long long predictions_deleted = 0;
    long long insights_deleted = 0;
    long long insights_updated = 0;
    // 3. Predictions, then 4. open insights, in batches of 1000 by id.
    for (long long last = 0;;) {
        auto r = conn->exec("SELECT id, barcode, source_image FROM prediction WHERE server_type = 'off' "
                            "AND timestamp <= $1::timestamp AND id > $2 ORDER BY id LIMIT 1000",
                            {threshold, last});
        if (r.rows() == 0) {
            break;
        }
        db::transaction tx(*conn);
        for (int i = 0; i < r.rows(); ++i) {
            last = r.get_int(i, 0);
            const auto& f = facts[r.get_string(i, 1)];
            if (!f || stale_image(*f, r.get_optional(i, 2))) {
                predictions_deleted += conn->exec("DELETE FROM prediction WHERE id = $1", {last}).affected();
            }
        }
        tx.commit();
    }
    for (std::string last;;) {
        auto r = conn->exec("SELECT id::text, barcode, source_image, brands::text, countries::text, unique_scans_n "
                            "FROM product_insight WHERE server_type = 'off' AND annotation IS NULL "
                            "AND timestamp <= $1::timestamp AND id::text > $2 ORDER BY id::text LIMIT 1000",
                            {threshold, last});
        if (r.rows() == 0) {
            break;
        }
        db::transaction tx(*conn);
        for (int i = 0; i < r.rows(); ++i) {
            last = r.get_string(i, 0);
            const auto& f = facts[r.get_string(i, 1)];
            if (!f || stale_image(*f, r.get_optional(i, 2))) {
                insights_deleted += conn->exec("DELETE FROM product_insight WHERE id = $1::uuid AND annotation IS NULL",
                                               {last}).affected();
                continue;
            }
            insights_updated +=
                conn->exec("UPDATE product_insight SET brands = $2::jsonb, countries = $3::jsonb, unique_scans_n = $4 "
                           "WHERE id = $1::uuid AND annotation IS NULL AND (brands <> $2::jsonb OR "
                           "countries <> $3::jsonb OR unique_scans_n <> $4)",
                           {last, f->brands, f->countries, f->unique_scans_n})
                    .affected();
        }
        tx.commit();
    }
    // 5. Open brand insights of any age failing the blacklist or barcode-prefix rule (§4.6).
    long long brands_deleted = 0;
    if (const auto* refs = env.insights.references) {
        auto r = conn->exec("SELECT id::text, barcode, coalesce(value_tag, '') FROM product_insight "
                            "WHERE type = 'brand' AND annotation IS NULL");
        db::transaction tx(*conn);
        for (int i = 0; i < r.rows(); ++i) {
            std::string tag = r.get_string(i, 2);
            std::string barcode = r.get_string(i, 1);
            bool bad = refs->brand_blacklist.count(tag) > 0 ||
                       (barcode.size() == 13 && !refs->brand_prefixes.empty() &&
                        !refs->brand_prefix_allowed(tag, barcode));
            if (bad) {
                brands_deleted += conn->exec("DELETE FROM product_insight WHERE id = $1::uuid AND annotation IS NULL",
                                             {r.get_string(i, 0)}).affected();
            }
        }
        tx.commit();
    }
    core::log::info("jobs.refresh_all", {{"job_id", j.id},
                                         {"products", static_cast<long long>(facts.size())},
                                         {"predictions_deleted", predictions_deleted},
                                         {"insights_deleted", insights_deleted},
                                         {"insights_updated", insights_updated},
                                         {"brand_insights_deleted", brands_deleted}});
    return job_outcome::done("refreshed " + std::to_string(facts.size()) + " products");
}

}  // namespace robotoff::jobs
