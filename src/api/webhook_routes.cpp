#include "robotoff/api/webhook_routes.hpp"

#include "robotoff/core/config.hpp"
#include "robotoff/core/errors.hpp"
#include "robotoff/core/file_io.hpp"
#include "robotoff/core/json.hpp"
#include "robotoff/core/log.hpp"
#include "robotoff/jobs/job.hpp"

#include <boost/asio/ip/address.hpp>

#include <algorithm>
#include <fstream>

namespace robotoff::api {

namespace {

bool constant_time_equal(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) {
        return false;
    }
    unsigned char diff = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        diff |= static_cast<unsigned char>(a[i] ^ b[i]);
    }
    return diff == 0;
}

// "Bearer <token>" of the Authorization header, or empty.
std::string_view bearer_token(const http::request& req) {
    std::string_view auth = req.header("authorization");
    if (auth.size() > 7 && (auth.substr(0, 7) == "Bearer " || auth.substr(0, 7) == "bearer ")) {
        return auth.substr(7);
    }
    return {};
}

bool is_loopback_host(const std::string& host) {
    if (host == "localhost") {
        return true;
    }
    boost::system::error_code ec;
    const auto a = boost::asio::ip::make_address(host, ec);
    return !ec && a.is_loopback();
}

}  // namespace

void check_product_opener_access(const http::request& req, const webhook_settings& s,
                                 const std::vector<std::string>& extra_tokens) {
    if (!address_allowed(req.peer_address, s.allowed)) {
        throw core::client_error(403, "403 Forbidden", "client network not allowed");
    }
    std::vector<std::string_view> tokens;
    if (!s.token.empty()) {
        tokens.push_back(s.token);
    }
    for (const auto& t : extra_tokens) {
        if (!t.empty()) {
            tokens.push_back(t);
        }
    }
    if (tokens.empty()) {
        if (s.allowed.empty() && !s.loopback_listener) {
            // Nothing says who Product Opener is, and anyone on the network could call: refused.
            throw core::client_error(403, "403 Forbidden",
                                     "this Product Opener route is disabled: set webhooks.token or legacy.allowed_cidrs");
        }
        return;
    }
    const std::string_view given = bearer_token(req);
    const bool ok = std::any_of(tokens.begin(), tokens.end(),
                                [&](std::string_view t) { return !given.empty() && constant_time_equal(given, t); });
    if (!ok) {
        throw core::client_error(401, "401 Unauthorized", "a valid bearer token is required");
    }
}

namespace {

void check_access(const http::request& req, const webhook_settings& s) {
    check_product_opener_access(req, s, {});
}

std::string normalized_barcode(const http::parameters& params) {
    auto raw = params.get("barcode");
    if (!raw || raw->empty()) {
        throw core::client_error(400, "invalid_barcode", "barcode should not be empty");
    }
    return core::normalize_barcode(*raw);
}

http::response scheduled() {
    return http::response::json("{\"status\":\"scheduled\"}");
}

std::string image_extra(const std::string& image_id, const std::string& image_url, const std::string& ocr_url) {
    std::string out = "{\"image_id\":";
    core::append_json_string(out, image_id);
    out += ",\"image_url\":";
    core::append_json_string(out, image_url);
    out += ",\"ocr_url\":";
    core::append_json_string(out, ocr_url);
    out += ",\"ocr_checks\":0}";
    return out;
}

jobs::new_job import_image_job(core::server_type s, const std::string& barcode, const std::string& image_id,
                               const std::string& image_url, const std::string& ocr_url) {
    std::string pk = core::product_key(s, barcode);
    return {"import_image",
            jobs::product_payload(s, barcode, jobs::dedup_key_for("import_image", pk, image_id),
                                  image_extra(image_id, image_url, ocr_url)),
            std::chrono::seconds(0)};
}

// Commits every job in one transaction, then wakes the local workers.
void commit_jobs(webhook_services& services, const std::vector<jobs::new_job>& planned,
                 const http::request& req) {
    if (planned.empty()) {
        return;
    }
    auto conn = services.pool.acquire(req.deadline);
    // A bounded queue: past jobs.max_pending the caller is told to come back later (503 + Retry-After).
    if (jobs::pending_total(*conn) >= services.settings.max_pending) {
        throw core::service_unavailable("job queue full (jobs.max_pending)");
    }
    db::transaction tx(*conn);
    for (const auto& j : planned) {
        jobs::enqueue_in_transaction(*conn, j);
    }
    tx.commit();
    if (services.wake) {
        services.wake();
    }
}

std::vector<std::string> string_list(const rapidjson::Value* v) {
    std::vector<std::string> out;
    if (v && v->IsArray()) {
        for (const auto& item : v->GetArray()) {
            if (item.IsString()) {
                out.emplace_back(item.GetString(), item.GetStringLength());
            } else if (item.IsInt64()) {
                out.push_back(std::to_string(item.GetInt64()));
            }
        }
    }
    return out;
}

}  // namespace

cidr parse_cidr(const std::string& text) {
    return core::parse_cidr(text, "legacy.allowed_cidrs");
}

bool address_allowed(const std::string& address, const std::vector<cidr>& allowed) {
    return allowed.empty() || core::in_networks(address, allowed);
}

webhook_settings webhook_settings::from_config(const core::config& cfg) {
    webhook_settings s;
    s.token = cfg.get_string("webhooks.token");
    const std::string listen = cfg.get_string("http.listen");
    const auto colon = listen.rfind(':');
    std::string host = colon == std::string::npos ? listen : listen.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
        host = host.substr(1, host.size() - 2);
    }
    s.loopback_listener = is_loopback_host(host);
    for (const auto& item : cfg.get_list("legacy.allowed_cidrs")) {
        s.allowed.push_back(parse_cidr(item));
    }
    s.tld = cfg.tld();
    s.robot_user = cfg.get_string("off.user");
    s.images_url = cfg.get_string("off.images_url");
    s.dataset_dir = cfg.get_string("dataset.dir");
    s.updated_wait = std::chrono::seconds(cfg.get_int("jobs.updated_product_wait_s"));
    s.max_pending = cfg.get_int("jobs.max_pending");
    return s;
}

core::server_type resolve_server(const http::parameters& params, const std::string& tld) {
    if (auto domain = params.get("server_domain")) {
        for (auto t : {core::server_type::off, core::server_type::obf, core::server_type::opff, core::server_type::opf,
                       core::server_type::off_pro}) {
            if (*domain == "api." + std::string(core::base_domain(t)) + "." + tld) {
                return t;
            }
        }
        throw core::bad_request("invalid server_domain: " + *domain);
    }
    auto name = params.get("server_type");
    if (!name) {
        return core::server_type::off;
    }
    auto t = core::parse_server_type(*name);
    if (!t) {
        throw core::bad_request("invalid server_type: " + *name);
    }
    return *t;
}

std::vector<jobs::new_job> plan_webhook_jobs(const webhook_event& e, const webhook_settings& s) {
    std::vector<jobs::new_job> out;
    if ((!s.robot_user.empty() && e.user_id == s.robot_user) || e.comment.find("[robotoff]") != std::string::npos) {
        return out;
    }
    const std::string pk = core::product_key(e.server, e.barcode);
    if (e.action == "deleted") {
        out.push_back({"product_deleted",
                       jobs::product_payload(e.server, e.barcode, jobs::dedup_key_for("product_deleted", pk)),
                       std::chrono::seconds(0)});
        return out;
    }
    auto updated_job = [&](const std::string& diffs) {
        return jobs::new_job{"product_updated",
                             jobs::product_payload(e.server, e.barcode, jobs::dedup_key_for("product_updated", pk),
                                                   "{\"diffs\":" + diffs + "}"),
                             s.updated_wait};
    };
    if (e.action == "created") {
        out.push_back(updated_job("{}"));
        return out;
    }
    if (!e.diffs_json) {
        out.push_back(updated_job("{}"));
        return out;
    }
    rapidjson::Document diffs = core::parse_json(*e.diffs_json);
    bool other_changes = false;
    if (diffs.IsObject()) {
        for (auto it = diffs.MemberBegin(); it != diffs.MemberEnd(); ++it) {
            std::string_view name(it->name.GetString(), it->name.GetStringLength());
            if (name != "uploaded_images") {
                other_changes = true;
            }
        }
        if (const auto* images = core::get_member(diffs, "uploaded_images"); images && images->IsObject()) {
            std::string base = core::expand_base_url(s.images_url, e.server, s.tld) + "/images/products" +
                               core::split_barcode(e.barcode) + "/";
            for (const auto& id : string_list(core::get_member(*images, "add"))) {
                out.push_back(import_image_job(e.server, e.barcode, id, base + id + ".jpg", base + id + ".json"));
            }
            for (const auto& id : string_list(core::get_member(*images, "delete"))) {
                std::string extra = "{\"image_id\":";
                core::append_json_string(extra, id);
                extra += "}";
                out.push_back({"image_deleted", jobs::product_payload(e.server, e.barcode, "", extra), s.updated_wait});
            }
        }
    } else {
        other_changes = true;
    }
    if (other_changes) {
        out.push_back(updated_job(diffs.IsObject() ? core::to_json(diffs) : "{}"));
    }
    return out;
}

void add_webhook_routes(http::router& router, webhook_services& services) {
    const auto& guard = services.settings;
    if (guard.token.empty() && guard.allowed.empty() && !guard.loopback_listener) {
        core::log::warning("api.product_opener_routes_refused",
                           {{"routes", "webhook/product, images/import, products/dataset POST, insights/import"},
                            {"reason", "http.listen is not loopback and neither webhooks.token nor "
                                       "legacy.allowed_cidrs is set"}});
    }
    router.add({"POST", "/api/v1/webhook/product",
                [&services](const http::request& req) {
                    const auto& s = services.settings;
                    check_access(req, s);
                    webhook_event e;
                    e.barcode = normalized_barcode(req.params);
                    e.action = req.params.get_or("action", "");
                    if (e.action != "created" && e.action != "updated" && e.action != "deleted") {
                        throw core::client_error(400, "invalid_action",
                                                 "action must be one of created, updated, deleted");
                    }
                    e.server = resolve_server(req.params, s.tld);
                    e.user_id = req.params.get_or("user_id", "");
                    e.comment = req.params.get_or("comment", "");
                    if (auto diffs = req.params.get("diffs")) {
                        auto doc = core::try_parse_json(*diffs);
                        if (!doc || !doc->IsObject()) {
                            throw core::invalid_parameter("diffs", "must be a JSON object.");
                        }
                        e.diffs_json = *diffs;
                    } else if (auto fields = req.params.get_list("updated_fields"); !fields.empty()) {
                        std::string d = "{\"fields\":{\"change\":[";
                        for (std::size_t i = 0; i < fields.size(); ++i) {
                            if (i) {
                                d += ",";
                            }
                            core::append_json_string(d, fields[i]);
                        }
                        e.diffs_json = d + "]}}";
                    }
                    auto planned = plan_webhook_jobs(e, s);
                    if (planned.empty()) {
                        core::log::info("webhook.ignored", {{"request_id", req.request_id},
                                                            {"barcode", e.barcode},
                                                            {"reason", "robotoff edit"}});
                    }
                    commit_jobs(services, planned, req);
                    core::log::info("webhook.scheduled", {{"request_id", req.request_id},
                                                          {"barcode", e.barcode},
                                                          {"action", e.action},
                                                          {"jobs", static_cast<long long>(planned.size())}});
                    return scheduled();
                },
                "Product Opener product event (created, updated, deleted): schedules jobs",
                {{"barcode", "formData", "string", true, "product barcode"},
                 {"action", "formData", "string", true, "created, updated or deleted"},
                 {"server_domain", "formData", "string", false, "api.{base}.{tld}"},
                 {"server_type", "formData", "string", false, "off, obf, opff, opf, off_pro"},
                 {"diffs", "formData", "string", false, "JSON change summary"},
                 {"updated_fields", "formData", "array", false, "2019 form of diffs.fields.change"},
                 {"user_id", "formData", "string", false, "editor"},
                 {"comment", "formData", "string", false, "edit comment"}},
                "webhooks"});

    router.add({"POST", "/api/v1/images/import",
                [&services](const http::request& req) {
                    const auto& s = services.settings;
                    check_access(req, s);
                    std::string barcode = normalized_barcode(req.params);
                    std::string image_url = req.params.required("image_url");
                    std::string ocr_url = req.params.required("ocr_url");
                    auto server = resolve_server(req.params, s.tld);
                    std::string image_id;
                    if (auto source = core::source_image_from_url(image_url)) {
                        image_id = std::string(core::source_image_stem(*source));
                    }
                    if (image_id.empty()) {
                        throw core::invalid_parameter("image_url", "must be a product image URL.");
                    }
                    // Never a caller-chosen host (issue 13): the URLs are where Product Opener keeps this image
                    // (spec README §5); anything else is refused.
                    const std::string base = core::expand_base_url(s.images_url, server, s.tld) +
                                             "/images/products" + core::split_barcode(barcode) + "/" + image_id;
                    if (image_url != base + ".jpg") {
                        throw core::invalid_parameter("image_url", "must be " + base + ".jpg");
                    }
                    if (ocr_url != base + ".json") {
                        throw core::invalid_parameter("ocr_url", "must be " + base + ".json");
                    }
                    commit_jobs(services, {import_image_job(server, barcode, image_id, image_url, ocr_url)}, req);
                    return scheduled();
                },
                "Schedules the import of one product image (OCR extraction)",
                {{"barcode", "formData", "string", true, "product barcode"},
                 {"image_url", "formData", "string", true,
                  "raw image URL: {off.images_url}/images/products{split barcode}/{image id}.jpg (others: 400)"},
                 {"ocr_url", "formData", "string", true, "OCR JSON URL: the same with .json (others: 400)"},
                 {"server_domain", "formData", "string", false, "api.{base}.{tld}"},
                 {"server_type", "formData", "string", false, "off, obf, opff, opf, off_pro"}},
                "webhooks"});

    router.add({"GET", "/api/v1/products/dataset",
                [&services](const http::request&) {
                    std::string path = services.settings.dataset_dir + "/products-etag.txt";
                    std::ifstream in(path);
                    std::string etag;
                    if (in && std::getline(in, etag) && !etag.empty()) {
                        std::string body = "{\"etag\":";
                        core::append_json_string(body, etag);
                        return http::response::json(body + "}");
                    }
                    return http::response::json("{\"etag\":null}");
                },
                "ETag of the last downloaded product dump", {}, "products"});

    router.add({"POST", "/api/v1/products/dataset",
                [&services](const http::request& req) {
                    check_access(req, services.settings);
                    commit_jobs(services, {{"download_dataset", "{\"dedup_key\":\"download_dataset\"}",
                                            std::chrono::seconds(0)}},
                                req);
                    return scheduled();
                },
                "Schedules a product dump download (a no-op when its ETag is unchanged)", {}, "products"});
}

}  // namespace robotoff::api
