// GET /api/v1/predict/ocr_prediction (api.md §7.1), GET /api/v1/images/crop (§4.8), POST /api/v1/images/ocr.
#include "robotoff/api/ocr_routes.hpp"

#include "robotoff/core/errors.hpp"
#include "robotoff/core/json.hpp"
#include "robotoff/core/product_ref.hpp"
#include "robotoff/extract/extract.hpp"
#include "robotoff/extract/prediction.hpp"
#include "robotoff/ocr/ocr_result.hpp"
#include "robotoff/ocr_engine/crop.hpp"
#include "robotoff/ocr_engine/errors.hpp"
#include "robotoff/off/http_client.hpp"

#include <algorithm>
#include <future>

namespace robotoff::api {

namespace {

using clock_type = std::chrono::steady_clock;

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

bool ends_with(const std::string& s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool is_image_url(const std::string& url) {
    std::string path = lower(url.substr(0, url.find_first_of("?#")));
    return ends_with(path, ".jpg") || ends_with(path, ".jpeg") || ends_with(path, ".png") || ends_with(path, ".webp");
}

std::string host_of(const std::string& url) {
    const auto scheme = url.find("://");
    if (scheme == std::string::npos) {
        return {};
    }
    const auto start = scheme + 3;
    const auto end = url.find_first_of(":/?#", start);
    return lower(url.substr(start, end == std::string::npos ? std::string::npos : end - start));
}

// Local OCR on the ocr pool; the handler thread waits for the result until the request deadline.
ocr_engine::ocr_result run_ocr(const ocr_route_services& services, std::string bytes, clock_type::time_point deadline) {
    if (!services.ocr) {
        throw core::client_error(400, "400 Bad Request", "local OCR is disabled (ocr.backend = gcv)");
    }
    auto future = services.ocr->submit(std::move(bytes), deadline);   // busy_error -> 503
    if (future.wait_until(deadline) != std::future_status::ready) {
        // The job still runs to completion on the pool; its own deadline check stops Tesseract early.
        throw ocr_engine::deadline_error("OCR did not finish before the request deadline");
    }
    return future.get();
}

std::string predictions_json(std::vector<extract::prediction>& predictions) {
    std::string out = "[";
    for (std::size_t i = 0; i < predictions.size(); ++i) {
        if (i > 0) {
            out += ',';
        }
        out += extract::to_json_line(predictions[i]);
    }
    out += ']';
    return out;
}

std::string error_body(std::string_view error, std::string_view description) {
    std::string out = "{\"error\":";
    core::append_json_string(out, error);
    out += ",\"error_description\":";
    core::append_json_string(out, description);
    out += '}';
    return out;
}

}  // namespace

url_fetcher fetch_with_client(const off::http_client& client) {
    return [&client](const std::string& url, clock_type::time_point deadline) {
        off::http_request r;
        r.url = url;
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock_type::now());
        r.timeout = std::max(left, std::chrono::milliseconds(1));
        const off::http_response answer = client.send(r);
        if (answer.status < 200 || answer.status >= 300) {
            throw std::runtime_error("HTTP " + std::to_string(answer.status) + " from " + url);
        }
        return answer.body;
    };
}

http::response predict_ocr_prediction(const ocr_route_services& services, const http::request& req) {
    const auto ocr_url = req.params.get("ocr_url");
    const auto image_url = req.params.get("image_url");
    if (!ocr_url && !image_url) {
        throw core::missing_parameter("ocr_url");
    }
    const std::string url = ocr_url ? *ocr_url : *image_url;
    const auto product = core::product_from_image_url(url);
    if (!product) {
        throw core::bad_request("invalid OCR URL: " + url);
    }
    std::vector<std::string> types = req.params.get_list("prediction_types");
    for (const auto& t : types) {
        if (!extract::is_known_type(t)) {
            throw core::invalid_parameter("prediction_types", "contains an unknown prediction type: " + t);
        }
    }
    if (types.empty()) {
        types = extract::default_types();
    }
    const std::string server_type = req.params.get_or("server_type", "off");
    if (!core::parse_server_type(server_type)) {
        throw core::invalid_parameter("server_type", "must be off, obf, opff, opf or off_pro");
    }
    const bool local = image_url.has_value() || (services.ocr != nullptr && is_image_url(url));
    std::string body;
    try {
        body = services.fetch(url, req.deadline);
    } catch (const std::exception& e) {
        return http::response::json(error_body("download_error", e.what()));
    }
    std::optional<ocr::ocr_result> ocr;
    try {
        ocr = ocr::parse_vision_json(local ? run_ocr(services, std::move(body), req.deadline).json : body);
    } catch (const ocr::invalid_ocr& e) {
        return http::response::json(error_body("invalid_ocr", e.what()));
    } catch (const ocr_engine::image_error& e) {
        return http::response::json(error_body("invalid_ocr", e.what()));
    }
    auto predictions = extract::extract(*ocr, *services.rules, types);
    const auto source_image = core::source_image_from_url(url);
    for (auto& p : predictions) {
        p.barcode = product->barcode;
        p.server_type = server_type;
        p.source_image = source_image;
    }
    return http::response::json("{\"predictions\":" + predictions_json(predictions) + "}");
}

http::response images_crop(const ocr_route_services& services, const http::request& req) {
    const std::string url = req.params.required("image_url");
    const std::string host = host_of(url);
    if (host.empty() || std::find(services.crop_allowed_domains.begin(), services.crop_allowed_domains.end(), host) ==
                            services.crop_allowed_domains.end()) {
        throw core::bad_request("Domain not allowed!");
    }
    ocr_engine::relative_box box;
    const char* names[] = {"y_min", "x_min", "y_max", "x_max"};
    double* fields[] = {&box.y_min, &box.x_min, &box.y_max, &box.x_max};
    for (int i = 0; i < 4; ++i) {
        const auto v = req.params.get_double(names[i]);
        if (!v) {
            throw core::missing_parameter(names[i]);
        }
        if (*v < 0.0 || *v > 1.0) {
            throw core::invalid_parameter(names[i], "must be between 0 and 1");
        }
        *fields[i] = *v;
    }
    if (box.y_min >= box.y_max || box.x_min >= box.x_max) {
        throw core::bad_request("y_min must be below y_max and x_min below x_max");
    }
    std::string bytes;
    try {
        bytes = services.crop_fetch ? services.crop_fetch(url, req.deadline) : services.fetch(url, req.deadline);
    } catch (const std::exception&) {
        throw core::bad_request("Could not fetch image: " + url);
    }
    return http::response::text(ocr_engine::crop_jpeg(bytes, box, services.limits), "image/jpeg");
}

http::response images_ocr(const ocr_route_services& services, const http::request& req) {
    std::string bytes;
    std::string source_url;
    if (const auto url = req.params.get("image_url")) {
        source_url = *url;
        try {
            bytes = services.fetch(*url, req.deadline);
        } catch (const std::exception&) {
            throw core::bad_request("Could not fetch image: " + *url);
        }
    } else if (!req.body.empty() && ocr_engine::looks_like_image(req.body)) {
        bytes = req.body;
    } else {
        throw core::bad_request("send the image bytes (JPEG, PNG or WebP) as the request body, or an image_url");
    }
    const bool with_predictions = req.params.get_bool("predictions").value_or(false);
    const ocr_engine::ocr_result result = run_ocr(services, std::move(bytes), req.deadline);
    if (!with_predictions) {
        return http::response::json(result.json);
    }
    auto predictions = extract::extract(ocr::parse_vision_json(result.json), *services.rules, extract::default_types());
    if (!source_url.empty()) {
        const auto product = core::product_from_image_url(source_url);
        const auto source_image = core::source_image_from_url(source_url);
        for (auto& p : predictions) {
            if (product) {
                p.barcode = product->barcode;
                p.server_type = std::string(core::to_string(product->type));
            }
            p.source_image = source_image;
        }
    }
    // The Vision document with one more top-level key: still a valid `images:annotate` response.
    std::string body = result.json;
    body.pop_back();
    body += ",\"predictions\":" + predictions_json(predictions) + "}";
    return http::response::json(std::move(body));
}

void add_ocr_routes(http::router& router, ocr_route_services& services) {
    router.add({"GET", "/api/v1/predict/ocr_prediction",
                [&services](const http::request& req) { return predict_ocr_prediction(services, req); },
                "Run the OCR extractors on one OCR JSON (or, with Tesseract, one image) without storing anything",
                {{"ocr_url", "query", "string", false, "URL of a Vision OCR JSON (or of an image)"},
                 {"image_url", "query", "string", false, "URL of an image, read with local OCR"},
                 {"prediction_types", "query", "array", false, "prediction types (default: the image set)"},
                 {"server_type", "query", "string", false, "off (default), obf, opff, opf, off_pro"}},
                "predict"});
    router.add({"GET", "/api/v1/images/crop",
                [&services](const http::request& req) { return images_crop(services, req); },
                "JPEG crop of an image (relative box)",
                {{"image_url", "query", "string", true, "image URL; host must be in crop.allowed_domains"},
                 {"y_min", "query", "number", true, "0..1"},
                 {"x_min", "query", "number", true, "0..1"},
                 {"y_max", "query", "number", true, "0..1"},
                 {"x_max", "query", "number", true, "0..1"}},
                "images"});
    router.add({"POST", "/api/v1/images/ocr",
                [&services](const http::request& req) { return images_ocr(services, req); },
                "Local OCR (Tesseract) of an image: Google-Vision-shaped JSON, optionally with predictions",
                {{"image_url", "query", "string", false, "image URL (else the body holds the image bytes)"},
                 {"predictions", "query", "boolean", false, "also run the default extractors"}},
                "images"});
}

}  // namespace robotoff::api
