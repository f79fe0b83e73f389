// GET /api/v1/predict/ocr_prediction (api.md §7.1), GET /api/v1/images/crop (§4.8), POST /api/v1/images/ocr.
#include "robotoff/api/ocr_routes.hpp"

#include "robotoff/core/errors.hpp"
#include "robotoff/core/json.hpp"
#include "robotoff/core/log.hpp"
#include "robotoff/core/product_ref.hpp"
#include "robotoff/extract/extract.hpp"
#include "robotoff/extract/prediction.hpp"
#include "robotoff/ocr/ocr_result.hpp"
#include "robotoff/ocr_engine/crop.hpp"
#include "robotoff/ocr_engine/errors.hpp"

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

core::client_error refused(const std::string& name) {
    return core::client_error(400, "400 Bad Request", "could not fetch " + name + ": refused by policy");
}

// The URL of parameter `name`, parsed once and its host checked against `hosts`: the canonical text of that
// parsed URL, which is what the fetcher gets (and checks again, hop by hop, with the addresses).
std::string checked_url(const http::request& req, const std::string& name, const std::string& url,
                        const off::host_allow_list& hosts) {
    std::string reason;
    try {
        const off::parsed_url parsed = off::parse_url(url);
        if (off::host_allowed(hosts, parsed)) {
            return off::to_string(parsed);
        }
        reason = "host not allowed";
    } catch (const off::po_error& e) {
        reason = e.what();
    }
    core::log::warning("api.fetch_refused", {{"request_id", req.request_id}, {"parameter", name}, {"url", url},
                                             {"reason", reason}});
    throw refused(name);
}

// Fetches a checked URL. A refusal by the fetcher (an address, a redirect) is a 400 like the host check; any
// other failure is `fetch_failed` (nullopt): the caller words it. Details only in the log.
std::optional<std::string> fetch_checked(const url_fetcher& fetch, const http::request& req, const std::string& name,
                                         const std::string& url) {
    try {
        return fetch(url, req.deadline);
    } catch (const off::fetch_refused& e) {
        core::log::warning("api.fetch_refused", {{"request_id", req.request_id}, {"parameter", name}, {"url", url},
                                                 {"reason", e.what()}});
        throw refused(name);
    } catch (const std::exception& e) {
        core::log::warning("api.fetch_failed", {{"request_id", req.request_id}, {"parameter", name}, {"url", url},
                                                {"error", e.what()}});
        return std::nullopt;
    }
}

off::host_allow_list with_extra(off::host_allow_list hosts, const off::host_allow_list& extra) {
    hosts.insert(hosts.end(), extra.begin(), extra.end());
    return hosts;
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

url_fetcher fetch_with_policy(off::fetcher fetcher, off::host_allow_list hosts) {
    return [fetcher = std::move(fetcher), hosts = std::move(hosts)](const std::string& url,
                                                                    clock_type::time_point deadline) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock_type::now());
        const off::http_response answer = fetcher.get(url, hosts, std::max(left, std::chrono::milliseconds(1)));
        if (answer.status < 200 || answer.status >= 300) {
            throw std::runtime_error("HTTP " + std::to_string(answer.status) + " from " + answer.final_url);
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
    const std::string name = ocr_url ? "ocr_url" : "image_url";
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
    const auto server = core::parse_server_type(server_type);
    if (!server) {
        throw core::invalid_parameter("server_type", "must be off, obf, opff, opf or off_pro");
    }
    const std::string url = checked_url(
        req, name, ocr_url ? *ocr_url : *image_url,
        with_extra({off::image_server(services.images_url, *server, services.tld)}, services.ocr_allowed_hosts));
    const auto product = core::product_from_image_url(url);
    if (!product) {
        throw core::bad_request("invalid OCR URL: " + url);
    }
    const bool local = image_url.has_value() || (services.ocr != nullptr && is_image_url(url));
    auto body = fetch_checked(services.fetch, req, name, url);
    if (!body) {
        return http::response::json(error_body("download_error", "could not fetch " + name + ": fetch failed"));
    }
    std::optional<ocr::ocr_result> ocr;
    try {
        ocr = ocr::parse_vision_json(local ? run_ocr(services, std::move(*body), req.deadline).json : *body);
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
    const std::string url = checked_url(req, "image_url", req.params.required("image_url"),
                                        off::parse_allow_list(services.crop_allowed_domains));
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
    auto bytes = fetch_checked(services.crop_fetch ? services.crop_fetch : services.fetch, req, "image_url", url);
    if (!bytes) {
        throw core::bad_request("could not fetch image_url: fetch failed");
    }
    return http::response::text(ocr_engine::crop_jpeg(*bytes, box, services.limits), "image/jpeg");
}

http::response images_ocr(const ocr_route_services& services, const http::request& req) {
    std::string bytes;
    std::string source_url;
    if (const auto url = req.params.get("image_url")) {
        // Not a product's route (no server_type): any configured image server, or fetch.ocr_allowed_hosts.
        source_url = checked_url(req, "image_url", *url,
                                 with_extra(off::image_servers(services.images_url, services.tld),
                                            services.ocr_allowed_hosts));
        auto fetched = fetch_checked(services.fetch, req, "image_url", source_url);
        if (!fetched) {
            throw core::bad_request("could not fetch image_url: fetch failed");
        }
        bytes = std::move(*fetched);
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
                {{"ocr_url", "query", "string", false,
                  "URL of a Vision OCR JSON (or of an image) on the image server of server_type or a host of "
                  "fetch.ocr_allowed_hosts"},
                 {"image_url", "query", "string", false, "URL of an image, read with local OCR (same hosts)"},
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
                {{"image_url", "query", "string", false,
                  "image URL on an image server or a host of fetch.ocr_allowed_hosts (else the body holds the image "
                  "bytes)"},
                 {"predictions", "query", "boolean", false, "also run the default extractors"}},
                "images"});
}

}  // namespace robotoff::api
