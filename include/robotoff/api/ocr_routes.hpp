#pragma once
// Routes of local OCR (issue 6): GET /api/v1/predict/ocr_prediction (api.md §7.1; `ocr_url` or `image_url`),
// GET /api/v1/images/crop (api.md §4.8) and POST /api/v1/images/ocr (our addition: image bytes in the body or
// `image_url`; the Vision-shaped JSON, plus the extracted predictions with `predictions=1`).
//
// Wiring (composition root): own one ocr_engine::ocr_service (ocr.threads engines) unless ocr.backend is
// gcv, the extraction rules and an off::http_client; fill an `ocr_route_services` (fetch / crop_fetch =
// fetch_with_policy(...)) and call add_ocr_routes(router, services).
// Outbound fetches (issue 13): each handler parses the URL once (off::parse_url), checks its host against
// the route's allow-list (ocr_prediction: the image server of `server_type` + ocr_allowed_hosts; images/ocr:
// every image server + ocr_allowed_hosts; crop: crop.allowed_domains), then hands the canonical text of that
// parsed URL to the fetcher, which checks every hop and address again (off::fetcher). Clients only see
// "could not fetch <param>: refused by policy" (400) or "... fetch failed"; details go to the log.
// Threads: handlers run on the handler pool; OCR itself runs on the ocr pool (the handler waits for its
// future until the request deadline). A full OCR queue raises busy_error -> 503 through the error mapper.
// Nothing is stored. Thread-safe: every member is read-only after start-up.

#include "robotoff/extract/rules.hpp"
#include "robotoff/http/router.hpp"
#include "robotoff/ocr_engine/ocr_service.hpp"
#include "robotoff/off/fetch_policy.hpp"

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace robotoff::api {

// Downloads a URL's body; throws off::fetch_refused when the policy refuses it, std::runtime_error on
// transport failure or a non-2xx status. Blocking.
using url_fetcher = std::function<std::string(const std::string& url, std::chrono::steady_clock::time_point)>;

struct ocr_route_services {
    ocr_engine::ocr_service* ocr = nullptr;          // null when ocr.backend = gcv (no local OCR)
    const extract::rules* rules = nullptr;           // extraction rules (data.dir)
    url_fetcher fetch;
    url_fetcher crop_fetch;                          // /images/crop downloads (cached 24 h); empty: `fetch`
    std::vector<std::string> crop_allowed_domains;   // crop.allowed_domains
    std::string images_url = "https://images.{base}.{tld}";  // off.images_url: the image server of each type
    std::string tld = "org";
    off::host_allow_list ocr_allowed_hosts;          // fetch.ocr_allowed_hosts
    ocr_engine::image_limits limits;                 // ocr.max_image_bytes / ocr.max_image_pixels
};

// A url_fetcher over the outbound fetcher, every hop restricted to `hosts` (User-Agent, limits, gzip).
url_fetcher fetch_with_policy(off::fetcher fetcher, off::host_allow_list hosts);

void add_ocr_routes(http::router& router, ocr_route_services& services);

// The handlers, exposed for tests without a server.
http::response predict_ocr_prediction(const ocr_route_services& services, const http::request& req);
http::response images_crop(const ocr_route_services& services, const http::request& req);
http::response images_ocr(const ocr_route_services& services, const http::request& req);

}  // namespace robotoff::api
