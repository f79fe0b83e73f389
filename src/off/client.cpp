#include "robotoff/off/client.hpp"

#include "robotoff/core/config.hpp"
#include "robotoff/core/file_io.hpp"
#include "robotoff/core/log.hpp"
#include "robotoff/core/metrics.hpp"
#include "robotoff/core/version.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace robotoff::off {

namespace {

std::string base64(std::string_view in) {
    static const char* table = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    std::size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
        unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8) |
                     static_cast<unsigned char>(in[i + 2]);
        out += table[(v >> 18) & 63];
        out += table[(v >> 12) & 63];
        out += table[(v >> 6) & 63];
        out += table[v & 63];
    }
    if (i + 1 == in.size()) {
        unsigned v = static_cast<unsigned char>(in[i]) << 16;
        out += table[(v >> 18) & 63];
        out += table[(v >> 12) & 63];
        out += "==";
    } else if (i + 2 == in.size()) {
        unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8);
        out += table[(v >> 18) & 63];
        out += table[(v >> 12) & 63];
        out += table[(v >> 6) & 63];
        out += '=';
    }
    return out;
}

std::string strip_quotes(std::string etag) {
    if (etag.starts_with("W/")) {
        etag.erase(0, 2);
    }
    if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') {
        etag = etag.substr(1, etag.size() - 2);
    }
    return etag;
}

// Throws the typed error of a non-2xx status.
void check_status(const http_response& r, const std::string& what) {
    if (r.status >= 200 && r.status < 300) {
        return;
    }
    throw po_error(kind_of_status(r.status), what + ": HTTP " + std::to_string(r.status), r.status);
}

}  // namespace

client_settings client_settings::from_config(const core::config& cfg) {
    client_settings s;
    s.world_url = cfg.get_string("off.world_url");
    s.images_url = cfg.get_string("off.images_url");
    s.static_url = cfg.get_string("off.static_url");
    s.tld = cfg.tld();
    s.user = cfg.get_string("off.user");
    s.password = cfg.get_string("off.password");
    s.user_agent = cfg.get_string("off.user_agent");
    s.read_timeout = std::chrono::seconds(cfg.get_int("off.read_timeout_s"));
    s.write_timeout = std::chrono::seconds(cfg.get_int("off.write_timeout_s"));
    s.image_write_timeout = std::chrono::seconds(cfg.get_int("off.image_write_timeout_s"));
    s.max_concurrency = static_cast<int>(cfg.get_int("off.max_concurrency"));
    s.spellcheck_langs = cfg.get_list("spellcheck.langs");
    s.matcher_langs = cfg.get_list("category_matcher.langs");
    s.fetch = fetch_settings::from_config(cfg);
    return s;
}

client::client(client_settings settings, core::metrics_registry* metrics)
    : settings_(std::move(settings)), metrics_(metrics),
      http_(settings_.user_agent + " " + std::string(core::product_token())) {
    if (metrics_) {
        metrics_->describe("robotoffd_product_opener_requests_total", core::metrics_registry::kind::counter,
                           "Requests sent to Product Opener and its image/static servers");
    }
}

std::string client::world_url(core::server_type s) const {
    return core::expand_base_url(settings_.world_url, s, settings_.tld);
}
std::string client::images_url(core::server_type s) const {
    return core::expand_base_url(settings_.images_url, s, settings_.tld);
}
std::string client::static_url(core::server_type s) const {
    return core::expand_base_url(settings_.static_url, s, settings_.tld);
}

std::string client::image_url(core::server_type s, std::string_view barcode, std::string_view image_id) const {
    return images_url(s) + "/images/products" + core::split_barcode(barcode) + "/" + std::string(image_id) + ".jpg";
}

std::string client::ocr_url(core::server_type s, std::string_view barcode, std::string_view image_id) const {
    return images_url(s) + "/images/products" + core::split_barcode(barcode) + "/" + std::string(image_id) +
           ".json";
}

std::vector<std::string> client::product_record_fields() const {
    std::vector<std::string> f = {"code",         "lang",          "product_name",   "countries_tags",
                                  "categories_tags", "emb_codes_tags", "labels_tags", "quantity",
                                  "expiration_date", "brands_tags",  "stores_tags",    "unique_scans_n",
                                  "images",       "packagings",    "ingredients_text"};
    for (const auto& l : settings_.spellcheck_langs) {
        f.push_back("ingredients_text_" + l);
    }
    f.push_back("languages_codes");
    for (const auto& l : settings_.matcher_langs) {
        f.push_back("product_name_" + l);
    }
    f.push_back("last_modified_t");
    return f;
}

void client::add_common_headers(http_request& request) const {
    if (settings_.tld == "net") {
        request.headers.emplace_back("Authorization", "Basic " + base64("off:off"));
    }
}

http_response client::send(const std::string& endpoint, http_request request, const std::string* file) const {
    add_common_headers(request);
    {
        std::unique_lock lock(mutex_);
        slot_free_.wait(lock, [&] { return in_flight_ < settings_.max_concurrency; });
        ++in_flight_;
    }
    struct release {
        const client* self;
        ~release() {
            {
                std::lock_guard lock(self->mutex_);
                --self->in_flight_;
            }
            self->slot_free_.notify_one();
        }
    } guard{this};
    try {
        http_response r = file ? http_.send_to_file(request, *file) : http_.send(request);
        if (metrics_) {
            metrics_->increment("robotoffd_product_opener_requests_total",
                                {{"endpoint", endpoint}, {"status", std::to_string(r.status)}});
        }
        return r;
    } catch (const po_error& e) {
        if (metrics_) {
            metrics_->increment("robotoffd_product_opener_requests_total",
                                {{"endpoint", endpoint}, {"status", std::string(to_string(e.kind()))}});
        }
        throw;
    }
}

std::optional<rapidjson::Document> client::get_product(core::server_type s, std::string_view barcode,
                                                       const std::vector<std::string>& fields) const {
    http_request req;
    req.url = world_url(s) + "/api/v2/product/" + std::string(barcode);
    if (!fields.empty()) {
        req.url += "?fields=";
        for (std::size_t i = 0; i < fields.size(); ++i) {
            req.url += (i ? "," : "") + fields[i];
        }
    }
    req.timeout = settings_.read_timeout;
    http_response r = send("product", std::move(req));
    if (r.status == 404) {
        return std::nullopt;
    }
    check_status(r, "product read");
    auto doc = core::try_parse_json(r.body);
    if (!doc || !doc->IsObject()) {
        throw po_error(error_kind::transport, "product read: unparsable JSON answer", r.status);
    }
    auto verbose = core::get_string(*doc, "status_verbose");
    const rapidjson::Value* product = core::get_member(*doc, "product");
    if (!verbose || *verbose != "product found" || !product || !product->IsObject()) {
        return std::nullopt;
    }
    rapidjson::Document out;
    out.CopyFrom(*product, out.GetAllocator());
    return out;
}

std::optional<std::string> client::get_product_type(core::server_type s, std::string_view barcode) const {
    http_request req;
    req.url = world_url(s) + "/api/v3.4/product/" + std::string(barcode) + "?fields=product_type";
    req.timeout = settings_.read_timeout;
    http_response r = send("product_type", std::move(req));
    auto doc = core::try_parse_json(r.body);
    bool object = doc && doc->IsObject();
    if (r.status == 404) {
        const rapidjson::Value* errors = object ? core::get_member(*doc, "errors") : nullptr;
        if (errors && errors->IsArray()) {
            for (const auto& e : errors->GetArray()) {
                const rapidjson::Value* field = e.IsObject() ? core::get_member(e, "field") : nullptr;
                if (field && field->IsObject() && core::get_string(*field, "id") == "product_type") {
                    if (auto value = core::get_string(*field, "value")) {
                        return std::string(*value);
                    }
                }
            }
        }
        return std::nullopt;
    }
    check_status(r, "product type read");
    const rapidjson::Value* product = object ? core::get_member(*doc, "product") : nullptr;
    std::optional<std::string_view> type;
    if (product && product->IsObject() && core::get_string(*doc, "status") == "success") {
        type = core::get_string(*product, "product_type");
    }
    if (!type) {
        throw po_error(error_kind::transport, "product type read: unexpected answer", r.status);
    }
    return std::string(*type);
}

std::optional<std::string> client::fetch_ocr_json(const std::string& url) const {
    const fetch_policy policy{&settings_.fetch, image_servers(settings_.images_url, settings_.tld)};
    http_request req;
    req.url = url;
    req.timeout = settings_.read_timeout;
    req.policy = &policy;
    http_response r = send("ocr", std::move(req));
    if (r.status == 404) {
        return std::nullopt;
    }
    check_status(r, "OCR download");
    if (core::looks_gzipped(r.body)) {
        // A .json.gz served without Content-Encoding.
        return gunzip(r.body, settings_.fetch.max_bytes);
    }
    return std::move(r.body);
}

std::string client::fetch_image(const std::string& url) const {
    const fetch_policy policy{&settings_.fetch, image_servers(settings_.images_url, settings_.tld)};
    http_request req;
    req.url = url;
    req.timeout = settings_.read_timeout;
    req.policy = &policy;
    http_response r = send("image", std::move(req));
    check_status(r, "image download");
    return std::move(r.body);
}

std::string client::head_etag(const std::string& url) const {
    http_request req;
    req.method = "HEAD";
    req.url = url;
    req.timeout = settings_.read_timeout;
    http_response r = send("dataset", std::move(req));
    check_status(r, "HEAD " + url);
    return strip_quotes(r.header("etag"));
}

download_result client::download_if_changed(const std::string& url, const std::string& path,
                                            const std::string& known_etag) const {
    download_result out;
    if (!known_etag.empty()) {
        std::string remote = head_etag(url);
        if (!remote.empty() && remote == known_etag) {
            out.not_modified = true;
            out.etag = remote;
            return out;
        }
    }
    http_request req;
    req.url = url;
    req.timeout = settings_.download_timeout;
    // The dump is already gzip: ask for it as is, so the file on disk is the original bytes.
    req.headers.emplace_back("Accept-Encoding", "identity");
    if (!known_etag.empty()) {
        req.headers.emplace_back("If-None-Match", "\"" + known_etag + "\"");
    }
    http_response r = send("dataset", std::move(req), &path);
    if (r.status == 304) {
        out.not_modified = true;
        out.etag = known_etag;
        return out;
    }
    check_status(r, "download " + url);
    out.etag = strip_quotes(r.header("etag"));
    out.bytes = r.body_bytes;
    return out;
}

conditional_body client::get_if_changed(const std::string& url, const std::string& known_etag) const {
    http_request req;
    req.url = url;
    req.timeout = settings_.download_timeout;
    if (!known_etag.empty()) {
        req.headers.emplace_back("If-None-Match", "\"" + known_etag + "\"");
    }
    http_response r = send("taxonomy", std::move(req));
    conditional_body out;
    if (r.status == 304) {
        out.not_modified = true;
        out.etag = known_etag;
        return out;
    }
    check_status(r, "download " + url);
    out.etag = strip_quotes(r.header("etag"));
    out.body = std::move(r.body);
    return out;
}

write_result client::write(const write_request& w, const credentials& user, std::string_view insight_id,
                           decision_origin origin) const {
    // Decisions without a user (votes, automatic) always write as the robot; a user writes as themself.
    bool use_cookie = origin == decision_origin::user && !user.session.empty();
    std::string user_id;
    std::string password;
    if (!use_cookie) {
        if (origin == decision_origin::user && !user.user_id.empty()) {
            user_id = user.user_id;
            password = user.password;
        } else {
            user_id = settings_.user;
            password = settings_.password;
        }
        if (user_id.empty()) {
            core::log::error("off.write_refused", {{"barcode", w.barcode}, {"insight_id", insight_id},
                                                   {"reason", "no credentials (off.user is empty)"}});
            throw po_error(error_kind::refused, "no credentials for the Product Opener write");
        }
    }
    // The comment suffix follows who actually writes: robot credentials on a "user" origin mean no user.
    decision_origin effective = origin;
    if (origin == decision_origin::user && !user.has_user()) {
        effective = decision_origin::automatic;
    }
    std::string comment = comment_text(w.action, insight_id, effective);

    http_request req;
    std::string endpoint;
    if (use_cookie) {
        req.headers.emplace_back("Cookie", "session=" + user.session);
    }
    if (w.endpoint == write_endpoint::packaging_patch) {
        endpoint = "packaging";
        req.method = "PATCH";
        req.url = world_url(w.server) + "/api/v3/product/" + w.barcode;
        req.timeout = settings_.write_timeout;
        rapidjson::StringBuffer sb;
        rapidjson::Writer<rapidjson::StringBuffer> jw(sb);
        auto prop = [&](const char* name, const std::string& tag) {
            if (!tag.empty()) {
                jw.Key(name);
                jw.StartObject();
                jw.Key("id");
                jw.String(tag.c_str(), static_cast<rapidjson::SizeType>(tag.size()));
                jw.EndObject();
            }
        };
        jw.StartObject();
        jw.Key("product");
        jw.StartObject();
        jw.Key("packagings_add");
        jw.StartArray();
        jw.StartObject();
        prop("shape", w.shape);
        prop("material", w.material);
        prop("recycling", w.recycling);
        jw.EndObject();
        jw.EndArray();
        jw.EndObject();
        jw.Key("fields");
        jw.String("none");
        jw.Key("comment");
        jw.String(comment.c_str(), static_cast<rapidjson::SizeType>(comment.size()));
        if (!use_cookie) {
            jw.Key("user_id");
            jw.String(user_id.c_str(), static_cast<rapidjson::SizeType>(user_id.size()));
            jw.Key("password");
            jw.String(password.c_str(), static_cast<rapidjson::SizeType>(password.size()));
        }
        jw.EndObject();
        req.body = sb.GetString();
        req.headers.emplace_back("Content-Type", "application/json");
    } else {
        bool image = w.endpoint == write_endpoint::image_select;
        endpoint = image ? "image_crop" : "write";
        req.method = "POST";
        req.url = world_url(w.server) + (image ? "/cgi/product_image_crop.pl" : "/cgi/product_jqm2.pl");
        req.timeout = image ? settings_.image_write_timeout : settings_.write_timeout;
        std::vector<std::pair<std::string, std::string>> form;
        form.emplace_back("code", w.barcode);
        for (const auto& f : w.fields) {
            form.push_back(f);
        }
        form.emplace_back("comment", comment);
        if (!use_cookie) {
            form.emplace_back("user_id", user_id);
            form.emplace_back("password", password);
        }
        req.body = form_encode(form);
        req.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
    }
    http_response r = send(endpoint, std::move(req));
    check_status(r, "Product Opener write");
    write_result out;
    out.http_status = r.status;
    auto doc = core::try_parse_json(r.body);
    if (doc && doc->IsObject()) {
        if (auto verbose = core::get_string(*doc, "status_verbose")) {
            out.status_verbose = std::string(*verbose);
        }
        const rapidjson::Value* errors = core::get_member(*doc, "errors");
        if (w.endpoint == write_endpoint::packaging_patch && errors && errors->IsArray() && !errors->Empty()) {
            throw po_error(error_kind::client_error, "Product Opener v3 answered errors: " + core::to_json(*errors),
                           r.status);
        }
    }
    if (w.endpoint == write_endpoint::field_edit && out.status_verbose != "fields saved") {
        // §7.2: logged and counted, not retried.
        core::log::warning("off.write_unexpected_status", {{"barcode", w.barcode}, {"insight_id", insight_id},
                                                          {"status_verbose", out.status_verbose}});
        if (metrics_) {
            metrics_->increment("robotoffd_product_opener_requests_total",
                                {{"endpoint", "write_unexpected_status"}, {"status", std::to_string(r.status)}});
        }
    }
    return out;
}

}  // namespace robotoff::off
