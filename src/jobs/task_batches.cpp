// Batch jobs over the minified dump (pipeline.md §8.4): category_matcher_batch.

#include "robotoff/core/file_io.hpp"
#include "robotoff/core/log.hpp"
#include "robotoff/insights/generation.hpp"
#include "robotoff/matcher/category_matcher.hpp"
#include "robotoff/products/repository.hpp"
#include "robotoff/spellcheck/corpus.hpp"
#include "robotoff/spellcheck/spellchecker.hpp"
#include "tasks_internal.hpp"

#include <filesystem>

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

}  // namespace

job_outcome run_category_matcher_batch(task_environment& env, const job& j) {
    auto m = env.matcher ? env.matcher() : nullptr;
    if (!m) {
        throw std::runtime_error("the category matcher is not available (no categories taxonomy)");
    }
    const std::string path = env.settings.dataset_dir + "/products-min.jsonl.gz";
    if (!std::filesystem::exists(path)) {
        return job_outcome::done("no minified dump yet");
    }
    const long long since = since_seconds(j);
    core::line_reader reader(path);
    std::string line;
    long long considered = 0;
    long long predicted = 0;
    auto conn = env.pool.acquire();
    while (reader.next(line)) {
        auto doc = core::try_parse_json(line);
        if (!doc || !doc->IsObject()) {
            continue;
        }
        const auto& p = *doc;
        if (!non_empty(p, "code") || !non_empty(p, "product_name") || non_empty(p, "categories_tags") ||
            !non_empty(p, "countries_tags") || !non_empty(p, "languages_codes")) {
            continue;
        }
        if (core::get_int(p, "last_modified_t").value_or(0) < since) {
            continue;
        }
        ++considered;
        const std::string barcode = core::normalize_barcode(*core::get_string(p, "code"));
        std::vector<insights::prediction> preds;
        if (auto c = m->predict(p)) {
            insights::prediction ip;
            ip.barcode = barcode;
            ip.server_type = core::server_type::off;
            ip.type = "category";
            ip.value_tag = c->value_tag;
            ip.confidence = c->confidence;
            ip.predictor = "matcher";
            ip.predictor_version = "1";
            std::string data = "{\"lang\":";
            core::append_json_string(data, c->lang);
            data += ",\"product_name\":";
            core::append_json_string(data, c->product_name);
            ip.data = data + "}";
            ip.automatic_processing = false;
            preds.push_back(std::move(ip));
            ++predicted;
        }
        insights::prediction_scope scope;
        scope.types = {"category"};
        scope.predictor = "matcher";
        // Validity: the product is in today's dump; the importers use the stored row (imported from it).
        auto product = products::find_product(*conn, core::server_type::off, barcode);
        insights::replace_product_predictions(*conn, env.insights, core::server_type::off, barcode, scope, preds,
                                              product);
    }
    core::log::info("jobs.category_matcher_batch", {{"job_id", j.id}, {"products", considered}, {"predicted", predicted}});
    return job_outcome::done(std::to_string(predicted) + " category predictions for " + std::to_string(considered) +
                             " products");
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
    const std::string path = env.settings.dataset_dir + "/products-min.jsonl.gz";
    if (!std::filesystem::exists(path)) {
        return job_outcome::done("no minified dump yet");
    }
    const long long since = since_seconds(j);
    core::line_reader reader(path);
    std::string line;
    long long considered = 0;
    long long predicted = 0;
    auto conn = env.pool.acquire();
    while (reader.next(line)) {
        auto doc = core::try_parse_json(line);
        if (!doc || !doc->IsObject() || !non_empty(*doc, "code")) {
            continue;
        }
        std::string lang(core::get_string(*doc, "lang").value_or(""));
        if (lang.empty() || !checker->supports(lang) ||
            core::get_int(*doc, "last_modified_t").value_or(0) < since) {
            continue;
        }
        std::string field = "ingredients_text_" + lang;
        std::string text(core::get_string(*doc, field.c_str()).value_or(""));
        if (text.empty()) {
            continue;
        }
        ++considered;
        const std::string barcode = core::normalize_barcode(*core::get_string(*doc, "code"));
        std::vector<insights::prediction> preds;
        if (auto p = spellcheck_prediction(*checker, core::server_type::off, barcode, text, lang, 10.0)) {
            preds.push_back(std::move(*p));
            ++predicted;
        }
        insights::prediction_scope scope;
        scope.types = {"ingredient_spellcheck"};
        scope.predictor = "spellcheck";
        auto product = products::find_product(*conn, core::server_type::off, barcode);
        insights::replace_product_predictions(*conn, env.insights, core::server_type::off, barcode, scope, preds,
                                              product);
    }
    core::log::info("jobs.spellcheck_batch", {{"job_id", j.id}, {"products", considered}, {"predicted", predicted}});
    return job_outcome::done(std::to_string(predicted) + " spellcheck predictions for " +
                             std::to_string(considered) + " products");
}

}  // namespace robotoff::jobs
