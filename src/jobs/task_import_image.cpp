// import_image (pipeline.md §8.2): register the image, get its OCR document (Product Opener's Vision JSON,
// or local Tesseract per ocr.backend), run the image extractors, import with the "OCR of one image" scope.
// The payload's `flags` (intake.md §2.3) choose the steps after the registration; no `flags` = all of them.
// Downloads go through off::client's outbound fetch policy (image servers only, fetch.* limits).

#include "robotoff/core/file_io.hpp"
#include "robotoff/core/log.hpp"
#include "robotoff/extract/extract.hpp"
#include "robotoff/insights/generation.hpp"
#include "robotoff/ocr/ocr_result.hpp"
#include "robotoff/ocr_engine/ocr_service.hpp"
#include "tasks_internal.hpp"

#include <filesystem>

namespace robotoff::jobs {

namespace {

std::string str(const rapidjson::Value& v, const char* key) {
    auto s = core::get_string(v, key);
    return s ? std::string(*s) : std::string();
}

// Tesseract on the raw image, cached as Vision-shaped JSON under ocr.cache_dir.
std::string local_ocr_json(task_environment& env, core::server_type s, const std::string& barcode,
                           const std::string& image_id, const std::string& image_url) {
    namespace fs = std::filesystem;
    std::string path = env.settings.ocr_cache_dir + "/" + std::string(core::to_string(s)) +
                       core::split_barcode(barcode) + "/" + image_id + ".json";
    std::error_code ec;
    if (fs::exists(path, ec)) {
        try {
            return core::read_file(path);
        } catch (const core::io_error&) {
            // Unreadable cache entry: OCR again.
        }
    }
    std::string bytes = env.po.fetch_image(image_url);
    auto result = env.local_ocr->recognize(std::move(bytes));
    fs::create_directories(fs::path(path).parent_path(), ec);
    try {
        core::write_file_atomic(path, result.json);
    } catch (const core::io_error& e) {
        core::log::warning("jobs.ocr_cache_write_failed", {{"path", path}, {"error", e.what()}});
    }
    return result.json;
}

}  // namespace

job_outcome run_import_image(task_environment& env, const job& j) {
    auto server = core::parse_server_type(str(j.payload, "server_type"));
    std::string barcode = str(j.payload, "barcode");
    std::string image_id = str(j.payload, "image_id");
    int ocr_checks = static_cast<int>(core::get_int(j.payload, "ocr_checks").value_or(0));
    if (!server || barcode.empty()) {
        throw std::runtime_error("import_image payload without server_type/barcode");
    }
    const auto s = *server;
    const std::string st(core::to_string(s));
    const std::string source_image = core::source_image_path(barcode, image_id);
    // The photo and its OCR JSON are where Product Opener keeps them on the image server of this server type
    // (spec README §5), whatever URLs the payload carries: no job fetches a URL a caller chose (issue 13).
    const std::string image_url = env.po.image_url(s, barcode, image_id);
    const std::string ocr_url = env.po.ocr_url(s, barcode, image_id);

    // 1. The product.
    std::optional<products::product> product;
    if (env.settings.product_check) {
        product = read_product(env, s, barcode);
        if (!product) {
            return job_outcome::done("product not found");
        }
    }

    // 2. Register the image (data-model.md §7).
    {
        auto conn = env.pool.acquire();
        auto existing = conn->exec("SELECT deleted FROM image WHERE server_type = $1 AND source_image = $2",
                                   {st, source_image});
        if (existing.rows() > 0 && existing.get_bool(0, 0)) {
            return job_outcome::done("image deleted");
        }
        if (!core::is_all_digits(image_id)) {
            return job_outcome::done("not a raw image id");
        }
        if (product) {
            const auto* entry = product->image(image_id);
            if (!product->has_image_id(image_id) || !entry) {
                conn->exec("UPDATE image SET deleted = true WHERE server_type = $1 AND source_image = $2",
                           {st, source_image});
                return job_outcome::done("image not in product");
            }
            if (!entry->full_width || !entry->full_height) {
                return job_outcome::done("image without full size");
            }
            if (existing.rows() == 0) {
                conn->exec("INSERT INTO image (barcode, uploaded_at, image_id, source_image, width, height, "
                           "server_type) VALUES ($1, to_timestamp($2) AT TIME ZONE 'UTC', $3, $4, $5, $6, $7) "
                           "ON CONFLICT (server_type, source_image) DO NOTHING",
                           {barcode, entry->uploaded_t, image_id, source_image, *entry->full_width,
                            *entry->full_height, st});
            }
        }
    }

    // Only import_insights_from_image has a model here yet (intake.md §2.3): without it there is no OCR to
    // fetch, and an upload event's import must not wait for an OCR JSON that ocr_ready announces later.
    if (!has_image_flag(j.payload, image_flag::import_insights_from_image)) {
        return job_outcome::done("no OCR flags: image registered");
    }

    // 3. The OCR document.
    std::string json;
    std::string engine = "gcv";
    const std::string& backend = env.settings.ocr_backend;
    bool use_local = backend == "tesseract";
    if (!use_local) {
        auto fetched = env.po.fetch_ocr_json(ocr_url);
        if (fetched) {
            json = std::move(*fetched);
        } else if (auto delay = ocr_retry_delay(ocr_checks)) {
            env.metrics.increment("robotoffd_ocr_results_total", {{"engine", "gcv"}, {"result", "missing"}});
            rapidjson::Document next;
            next.CopyFrom(j.payload, next.GetAllocator());
            next["ocr_checks"].SetInt(ocr_checks + 1);
            return job_outcome::not_ready(std::chrono::duration_cast<std::chrono::seconds>(*delay),
                                          core::to_json(next), "OCR JSON not there yet");
        } else if (backend == "auto" && env.local_ocr) {
            use_local = true;
        } else {
            return job_outcome::done(backend == "auto" ? "OCR JSON missing; no local OCR engine"
                                                       : "OCR JSON missing");
        }
    }
    if (use_local) {
        if (!env.local_ocr) {
            throw std::runtime_error("ocr.backend needs the local OCR engine, which is not available");
        }
        engine = "tesseract";
        json = local_ocr_json(env, s, barcode, image_id, image_url);
    }
    // 4. Extract. The OCR result is built in place (never moved: it keeps views into its own buffers).
    const auto& types = extract::default_types();
    std::vector<extract::prediction> extracted;
    try {
        const ocr::ocr_result doc = ocr::parse_vision_json(json);
        env.metrics.increment("robotoffd_ocr_results_total", {{"engine", engine}, {"result", "ok"}});
        std::vector<double> seconds_by_type;
        extracted = extract::extract_timed(doc, *env.rules, types, {}, seconds_by_type);
        for (std::size_t i = 0; i < types.size() && i < seconds_by_type.size(); ++i) {
            env.metrics.observe("robotoffd_extraction_duration_seconds", {{"type", types[i]}}, seconds_by_type[i]);
        }
    } catch (const ocr::invalid_ocr& e) {
        env.metrics.increment("robotoffd_ocr_results_total", {{"engine", engine}, {"result", "invalid"}});
        core::log::warning("jobs.ocr_invalid", {{"job_id", j.id}, {"url", ocr_url}, {"error", e.what()}});
        return job_outcome::done("invalid OCR document");
    }
    std::vector<insights::prediction> preds;
    preds.reserve(extracted.size());
    for (auto& p : extracted) {
        auto ip = to_insight_prediction(p, s, barcode);
        ip.source_image = source_image;
        preds.push_back(std::move(ip));
    }
    insights::prediction_scope scope;
    scope.types = types;
    scope.match_source_image = true;
    scope.source_image = source_image;
    auto conn = env.pool.acquire();
    auto result = insights::replace_product_predictions(*conn, env.insights, s, barcode, scope, preds, product);
    return job_outcome::done(std::to_string(preds.size()) + " predictions, " +
                             std::to_string(result.insights.inserted) + " insights inserted");
}

}  // namespace robotoff::jobs
