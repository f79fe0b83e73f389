// Registration, shared helpers and the product jobs of pipeline.md §8.3-8.4.

#include "robotoff/jobs/tasks.hpp"

#include "robotoff/core/config.hpp"
#include "robotoff/core/log.hpp"
#include "robotoff/extract/extract.hpp"
#include "robotoff/insights/file_import.hpp"
#include "robotoff/insights/store.hpp"
#include "robotoff/matcher/category_matcher.hpp"
#include "robotoff/products/repository.hpp"
#include "robotoff/spellcheck/spellchecker.hpp"
#include "tasks_internal.hpp"

#include <filesystem>

namespace robotoff::jobs {

core::server_type payload_server(const job& j) {
    auto s = core::get_string(j.payload, "server_type");
    auto t = s ? core::parse_server_type(*s) : std::nullopt;
    if (!t) {
        throw std::runtime_error("job payload without a valid server_type");
    }
    return *t;
}

std::string payload_barcode(const job& j) {
    auto b = core::get_string(j.payload, "barcode");
    if (!b || b->empty()) {
        throw std::runtime_error("job payload without a barcode");
    }
    return std::string(*b);
}

namespace {

using std::chrono::seconds;

// Did the diffs add or change a field for which `pred` holds?
template <typename Pred>
bool diff_touches(const rapidjson::Value* diffs, Pred pred) {
    if (!diffs || !diffs->IsObject()) {
        return false;
    }
    const auto* fields = core::get_member(*diffs, "fields");
    if (!fields || !fields->IsObject()) {
        return false;
    }
    for (const char* group : {"add", "change"}) {
        const auto* list = core::get_member(*fields, group);
        if (list && list->IsArray()) {
            for (const auto& f : list->GetArray()) {
                if (f.IsString() && pred(std::string_view(f.GetString(), f.GetStringLength()))) {
                    return true;
                }
            }
        }
    }
    return false;
}

bool diffs_empty(const rapidjson::Value* diffs) {
    return !diffs || !diffs->IsObject() || diffs->ObjectEmpty();
}

job_outcome run_product_updated(task_environment& env, const job& j) {
    auto s = payload_server(j);
    auto barcode = payload_barcode(j);
    auto product = read_product(env, s, barcode);
    if (!product) {
        return job_outcome::done("product not found");
    }
    const rapidjson::Value* diffs = core::get_member(j.payload, "diffs");
    auto conn = env.pool.acquire();
    if (core::is_food(s) && env.rules) {
        // 1. product-name extraction, "product name" scope (an empty name clears the previous set).
        std::vector<insights::prediction> preds;
        if (!product->product_name.empty()) {
            for (auto& p : extract::extract_product_name(product->product_name, *env.rules)) {
                preds.push_back(to_insight_prediction(p, s, barcode));
            }
        }
        insights::prediction_scope scope;
        scope.types = {"label", "product_weight", "brand"};
        scope.match_source_image = true;
        scope.source_image = std::nullopt;
        scope.product_name_source = true;
        insights::replace_product_predictions(*conn, env.insights, s, barcode, scope, preds, product);

        // 2. category matcher when the product has no categories and the name changed (or diffs are empty).
        auto m = env.matcher ? env.matcher() : nullptr;
        bool name_changed = diffs_empty(diffs) ||
                            diff_touches(diffs, [](std::string_view f) { return f.starts_with("product_name"); });
        if (m && product->categories_tags.empty() && name_changed) {
            // The matcher reads languages_codes (object keys, in order) and product_name_{L}.
            std::string input = "{\"languages_codes\":{";
            for (std::size_t i = 0; i < product->languages_codes.size(); ++i) {
                input += i ? "," : "";
                core::append_json_string(input, product->languages_codes[i]);
                input += ":1";
            }
            input += "}";
            for (const auto& [field, text] : product->texts) {
                if (field.starts_with("product_name_")) {
                    input += ",";
                    core::append_json_string(input, field);
                    input += ":";
                    core::append_json_string(input, text);
                }
            }
            input += "}";
            rapidjson::Document record = core::parse_json(input);
            std::vector<insights::prediction> cats;
            if (auto c = m->predict(record)) {
                cats.push_back(matcher_prediction(s, barcode, *c));
            }
            insights::replace_product_predictions(*conn, env.insights, s, barcode, matcher_scope(), cats, product);
        }
    }
    // 3. spellchecker when an ingredients text of the product's language changed (spellcheck.langs).
    auto checker = env.spellchecker ? env.spellchecker->get() : nullptr;
    if (core::is_food(s) && checker && checker->supports(product->lang)) {
        const std::string field = "ingredients_text_" + product->lang;
        bool changed = diffs_empty(diffs) || diff_touches(diffs, [&](std::string_view f) {
                           return f == field || f == "ingredients_text";
                       });
        if (changed) {
            std::vector<insights::prediction> preds;
            std::string text = product->text(field);
            if (!text.empty()) {
                if (auto p = spellcheck_prediction(*checker, s, barcode, text, product->lang, 1.0)) {
                    preds.push_back(std::move(*p));
                }
            }
            insights::prediction_scope sscope;
            sscope.types = {"ingredient_spellcheck"};
            sscope.predictor = "spellcheck";
            insights::replace_product_predictions(*conn, env.insights, s, barcode, sscope, preds, product);
        }
    }
    // Then refresh the product (§5.1).
    insights::refresh_product(*conn, env.insights, s, barcode, product);
    return job_outcome::done();
}

job_outcome run_refresh_product(task_environment& env, const job& j) {
    auto s = payload_server(j);
    auto barcode = payload_barcode(j);
    std::optional<products::product> product;
    if (env.settings.product_check) {
        product = read_product(env, s, barcode);
    }
    auto conn = env.pool.acquire();
    auto counts = insights::refresh_product(*conn, env.insights, s, barcode, product);
    return job_outcome::done("refreshed: " + std::to_string(counts.inserted) + " inserted, " +
                             std::to_string(counts.updated) + " updated, " + std::to_string(counts.deleted) +
                             " deleted");
}

job_outcome run_product_deleted(task_environment& env, const job& j) {
    auto s = payload_server(j);
    auto barcode = payload_barcode(j);
    auto conn = env.pool.acquire();
    db::transaction tx(*conn);
    insights::lock_product(*conn, s, barcode);
    std::string st(core::to_string(s));
    conn->exec("DELETE FROM prediction WHERE server_type = $1 AND barcode = $2", {st, barcode});
    // Annotated insights are never deleted (spec README §10).
    conn->exec("DELETE FROM product_insight WHERE server_type = $1 AND barcode = $2 AND annotation IS NULL",
               {st, barcode});
    products::mark_product_deleted(*conn, s, barcode);
    tx.commit();
    return job_outcome::done();
}

job_outcome run_image_deleted(task_environment& env, const job& j) {
    auto s = payload_server(j);
    auto barcode = payload_barcode(j);
    auto image_id = core::get_string(j.payload, "image_id");
    if (!image_id || image_id->empty()) {
        return job_outcome::done("no image_id");
    }
    std::string source = core::source_image_path(barcode, *image_id);
    std::string st(core::to_string(s));
    {
        auto conn = env.pool.acquire();
        db::transaction tx(*conn);
        insights::lock_product(*conn, s, barcode);
        conn->exec("UPDATE image SET deleted = true WHERE server_type = $1 AND source_image = $2", {st, source});
        conn->exec("DELETE FROM prediction WHERE server_type = $1 AND barcode = $2 AND source_image = $3",
                   {st, barcode, source});
        conn->exec("DELETE FROM product_insight WHERE server_type = $1 AND barcode = $2 AND source_image = $3 "
                   "AND annotation IS NULL",
                   {st, barcode, source});
        tx.commit();
    }
    std::optional<products::product> product;
    if (env.settings.product_check) {
        product = read_product(env, s, barcode);
    }
    auto conn = env.pool.acquire();
    insights::refresh_product(*conn, env.insights, s, barcode, product);
    return job_outcome::done();
}

job_outcome run_import_predictions_file(task_environment& env, const job& j) {
    auto server = core::get_string(j.payload, "server_type");
    auto type = core::get_string(j.payload, "type");
    const auto* lines = core::get_member(j.payload, "lines");
    if (!lines || !lines->IsArray()) {
        return job_outcome::done("no lines");
    }
    std::vector<std::string> text;
    for (const auto& l : lines->GetArray()) {
        if (l.IsString()) {
            text.emplace_back(l.GetString(), l.GetStringLength());
        }
    }
    auto s = server ? core::parse_server_type(*server) : std::nullopt;
    auto conn = env.pool.acquire();
    auto summary = insights::import_prediction_lines(
        *conn, env.insights, text, type ? std::optional<std::string>(std::string(*type)) : std::nullopt,
        s.value_or(core::server_type::off));
    core::log::info("jobs.predictions_file", {{"job_id", j.id}, {"summary", insights::format_summary(summary)}});
    return job_outcome::done();
}

job_outcome run_process_insights(task_environment& env, const job&) {
    auto conn = env.pool.acquire();
    auto due = conn->exec(
        "SELECT id::text FROM product_insight WHERE annotation IS NULL AND process_after IS NOT NULL "
        "AND process_after <= (now() AT TIME ZONE 'UTC') ORDER BY process_after LIMIT 1000");
    int applied = 0;
    int failed = 0;
    for (int i = 0; i < due.rows(); ++i) {
        std::string id = due.get_string(i, 0);
        int code = 0;
        try {
            auto r = insights::decide_insight(*conn, id, 1, true, std::nullopt, {}, false, env.writer);
            code = r.status_code;
        } catch (const std::exception& e) {
            core::log::warning("jobs.process_insight_error", {{"insight_id", id}, {"error", e.what()}});
            code = insights::status::failed_update;
        }
        if (code == insights::status::failed_update) {
            ++failed;
            conn->exec("UPDATE product_insight SET process_after = (now() AT TIME ZONE 'UTC') + "
                       "make_interval(mins => $2) WHERE id = $1::uuid AND annotation IS NULL",
                       {id, static_cast<long long>(env.settings.auto_apply_retry.count())});
        } else {
            ++applied;
        }
    }
    core::log::info("jobs.process_insights", {{"due", due.rows()}, {"decided", applied}, {"failed", failed}});
    return job_outcome::done();
}

job_outcome run_cleanup(task_environment& env, const job&) {
    long long purged = 0;
    long long events = 0;
    {
        auto conn = env.pool.acquire();
        purged = purge(*conn, env.settings.retention);
        // Handled stream entries are kept as long as jobs (intake.md §3.7): long enough to spot a redelivery.
        events = conn->exec("DELETE FROM redis_stream_event WHERE received_at < now() - make_interval(secs => $1)",
                            {static_cast<long long>(std::chrono::seconds(env.settings.retention).count())})
                     .affected();
    }
    // OCR cache entries older than 7 days; image cache entries older than 24 h.
    auto sweep = [](const std::string& dir, std::chrono::hours age) {
        namespace fs = std::filesystem;
        long long removed = 0;
        std::error_code ec;
        if (!fs::is_directory(dir, ec)) {
            return removed;
        }
        auto limit = fs::file_time_type::clock::now() - age;
        for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
             it.increment(ec)) {
            if (it->is_regular_file(ec) && it->last_write_time(ec) < limit) {
                fs::remove(it->path(), ec);
                ++removed;
            }
        }
        return removed;
    };
    long long ocr = sweep(env.settings.ocr_cache_dir, std::chrono::hours(24 * 7));
    long long images = sweep("cache/images", std::chrono::hours(24));
    core::log::info("jobs.cleanup", {{"jobs_purged", purged},
                                     {"stream_events_purged", events},
                                     {"ocr_cache_removed", ocr},
                                     {"images_removed", images}});
    return job_outcome::done();
}

}  // namespace

task_settings task_settings::from_config(const core::config& cfg) {
    task_settings s;
    s.ocr_backend = cfg.get_string("ocr.backend");
    s.product_check = cfg.get_bool("insights.product_check");
    s.max_staleness = std::chrono::hours(cfg.get_int("products.max_staleness_h"));
    s.auto_apply_retry = std::chrono::minutes(cfg.get_int("insights.auto_apply_retry_min"));
    s.retention = std::chrono::hours(24 * cfg.get_int("jobs.retention_days"));
    s.ocr_cache_dir = cfg.get_string("ocr.cache_dir");
    s.spellcheck_langs = cfg.get_list("spellcheck.langs");
    s.matcher_langs = cfg.get_list("category_matcher.langs");
    s.dataset_url = cfg.get_string("dataset.url");
    s.data_dir = cfg.get_string("data.dir");
    s.dataset_dir = cfg.get_string("dataset.dir");
    s.min_product_count = cfg.get_int("dataset.min_product_count");
    return s;
}

std::optional<std::chrono::minutes> ocr_retry_delay(int ocr_checks) {
    static const int delays[] = {1, 2, 5, 10, 20, 30};
    if (ocr_checks < 0 || ocr_checks >= 6) {
        return std::nullopt;
    }
    return std::chrono::minutes(delays[ocr_checks]);
}

insights::prediction to_insight_prediction(const extract::prediction& p, core::server_type s,
                                           const std::string& barcode) {
    insights::prediction out;
    out.barcode = barcode;
    out.server_type = s;
    out.type = p.type;
    out.value = p.value;
    out.value_tag = p.value_tag;
    out.data = p.data;
    out.predictor = p.predictor;
    out.predictor_version = p.predictor_version;
    out.automatic_processing = p.automatic_processing;
    out.confidence = p.confidence;
    out.source_image = p.source_image;
    return out;
}

std::optional<products::product> read_product(task_environment& env, core::server_type s,
                                              const std::string& barcode) {
    try {
        auto doc = env.po.get_product(s, barcode);
        if (!doc) {
            return std::nullopt;
        }
        auto p = products::normalize_product(*doc, s, barcode);
        auto conn = env.pool.acquire();
        products::upsert_product(*conn, p, "api");
        return p;
    } catch (const off::po_error& e) {
        if (!e.transient()) {
            throw;
        }
        auto conn = env.pool.acquire();
        auto fresh = conn->exec("SELECT fetched_at > now() - make_interval(hours => $3) FROM product "
                                "WHERE server_type = $1 AND barcode = $2 AND NOT deleted",
                                {std::string(core::to_string(s)), barcode,
                                 static_cast<long long>(env.settings.max_staleness.count())});
        if (fresh.rows() > 0 && fresh.get_bool(0, 0)) {
            core::log::warning("jobs.product_read_stale", {{"barcode", barcode}, {"error", e.what()}});
            return products::find_product(*conn, s, barcode);
        }
        throw;
    }
}

void register_tasks(runner& r, task_environment& env) {
    auto add = [&](const char* kind, job_outcome (*fn)(task_environment&, const job&)) {
        r.register_handler(kind, [&env, fn](const job& j, std::stop_token) { return fn(env, j); });
    };
    if (env.rules) {
        r.register_handler("import_image",
                           [&env](const job& j, std::stop_token) { return run_import_image(env, j); });
    }
    add("product_updated", run_product_updated);
    add("product_deleted", run_product_deleted);
    add("image_deleted", run_image_deleted);
    add("refresh_product", run_refresh_product);
    add("product_type_switched", run_product_type_switched);
    add("import_predictions_file", run_import_predictions_file);
    if (env.writer) {
        add("process_insights", run_process_insights);
    }
    add("cleanup", run_cleanup);
    add("download_dataset", run_download_dataset);
    add("refresh_all", run_refresh_all);
    if (env.matcher && env.matcher()) {
        add("category_matcher_batch", run_category_matcher_batch);
    }
    if (env.spellchecker) {
        add("build_spellcheck_corpus", run_build_spellcheck_corpus);
        add("spellcheck_batch", run_spellcheck_batch);
    }
}

job_outcome run_download_taxonomies(task_environment& env, taxonomy::taxonomy_set& set, const job& j) {
    std::string changed;
    int failures = 0;
    const std::string base = env.po.static_url(core::server_type::off) + "/data/taxonomies/";
    for (const char* name : {"categories", "labels", "packaging_shapes", "packaging_materials", "packaging_recycling",
                             "countries"}) {
        try {
            auto etag = taxonomy::taxonomy_set::cached_etag(name, env.settings.data_dir).value_or("");
            auto r = env.po.get_if_changed(base + name + ".full.json", etag);
            if (r.not_modified) {
                continue;
            }
            if (set.install_download(name, r.body, r.etag, env.settings.data_dir)) {
                changed += (changed.empty() ? "" : ",") + std::string(name);
                env.metrics.set_gauge("robotoffd_taxonomy_loaded_timestamp_seconds", {{"taxonomy", name}},
                                      core::unix_seconds(std::chrono::system_clock::now()));
            }
        } catch (const std::exception& e) {
            // Any failure keeps the current version (§11.4).
            ++failures;
            core::log::warning("jobs.taxonomy_download_failed", {{"job_id", j.id}, {"taxonomy", name}, {"error", e.what()}});
        }
    }
    core::log::info("jobs.download_taxonomies", {{"job_id", j.id}, {"changed", changed}, {"failures", failures}});
    return job_outcome::done(changed.empty() ? "no change" : "changed: " + changed);
}

insights::prediction matcher_prediction(core::server_type s, const std::string& barcode,
                                        const matcher::category_prediction& c) {
    insights::prediction p;
    p.barcode = barcode;
    p.server_type = s;
    p.type = "category";
    p.value_tag = c.value_tag;
    p.confidence = c.confidence;
    p.predictor = matcher::category_matcher::predictor;
    p.predictor_version = matcher::category_matcher::predictor_version;
    std::string data = "{\"lang\":";
    core::append_json_string(data, c.lang);
    data += ",\"product_name\":";
    core::append_json_string(data, c.product_name);
    p.data = data + "}";
    p.automatic_processing = false;
    return p;
}

insights::prediction_scope matcher_scope() {
    insights::prediction_scope scope;
    scope.types = {"category"};
    scope.predictor = matcher::category_matcher::predictor;
    return scope;
}

std::vector<std::string> missing_kinds(const runner& r) {
    auto have = r.kinds();
    std::vector<std::string> out;
    for (const auto& k : all_kinds()) {
        if (std::find(have.begin(), have.end(), k) == have.end()) {
            out.push_back(k);
        }
    }
    return out;
}

}  // namespace robotoff::jobs
