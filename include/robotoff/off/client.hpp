#pragma once
// DESIGN: the Product Opener client (module `off`): every request robotoffd makes to Product Opener and its
// image/static servers — product reads (API v2 with the field list of pipeline.md §1.1), OCR JSON and image
// downloads, conditional downloads (dump, taxonomies) streamed to disk, and the writes of §7.
// - Base URLs come from off.world_url / off.images_url / off.static_url with {base}/{tld} expanded per
//   server type (core::expand_base_url). On the `net` tld every request carries Basic off:off.
// - User-Agent: "{off.user_agent} robotoffd/<version>".
// - At most off.max_concurrency requests are in flight per client (callers beyond that wait).
// - Errors are typed (off::po_error, errors.hpp); reads map HTTP statuses to not_found / unauthorized /
//   server_error, transport problems to timeout / transport.
// - Credentials: a user's session cookie or Basic credentials are forwarded as given; decisions without a
//   user use the robot account off.user / off.password; no credentials at all -> po_error(refused).
// Thread-safe; every call blocks the calling thread (use it from job and handler threads, not I/O threads).
// Owned by the composition root; holds no connection between calls.

#include "robotoff/core/json.hpp"
#include "robotoff/core/product_ref.hpp"
#include "robotoff/off/errors.hpp"
#include "robotoff/off/fetch_policy.hpp"
#include "robotoff/off/http_client.hpp"
#include "robotoff/off/writes.hpp"

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace robotoff::core {
class config;
class metrics_registry;
}  // namespace robotoff::core

namespace robotoff::off {

struct client_settings {
    std::string world_url = "https://world.{base}.{tld}";
    std::string images_url = "https://images.{base}.{tld}";
    std::string static_url = "https://static.{base}.{tld}";
    std::string tld = "org";
    std::string user;                      // robot account
    std::string password;
    std::string user_agent = "Robotoff Live Analysis";
    std::chrono::seconds read_timeout{10};
    std::chrono::seconds write_timeout{15};
    std::chrono::seconds image_write_timeout{30};
    std::chrono::seconds download_timeout{7200};  // dumps
    int max_concurrency = 8;
    std::vector<std::string> spellcheck_langs{"fr"};
    std::vector<std::string> matcher_langs{"fr", "en", "es", "de"};
    // OCR JSON and image downloads go through the outbound fetch policy (fetch_policy.hpp): image servers
    // only, these networks and limits.
    fetch_settings fetch;

    static client_settings from_config(const core::config& cfg);
};

// Credentials that came with an annotation (api.md §1.4). Empty = no user: the robot account is used.
struct credentials {
    std::string session;    // raw value of the `session` cookie
    std::string user_id;    // Basic credentials
    std::string password;

    bool has_user() const { return !session.empty() || !user_id.empty(); }
};

struct write_result {
    unsigned http_status = 0;
    std::string status_verbose;  // field edits: "fields saved" normally
};

struct download_result {
    bool not_modified = false;   // the ETag matched: nothing downloaded
    std::string etag;            // quotes removed
    std::uint64_t bytes = 0;
};

struct conditional_body {
    bool not_modified = false;
    std::string etag;            // quotes removed
    std::string body;
};

class client {
public:
    explicit client(client_settings settings, core::metrics_registry* metrics = nullptr);

    const client_settings& settings() const { return settings_; }

    // Base URLs for a server type (placeholders expanded).
    std::string world_url(core::server_type s) const;
    std::string images_url(core::server_type s) const;
    std::string static_url(core::server_type s) const;
    // {images_url}/images/products{split barcode}/{id}.jpg and .json
    std::string image_url(core::server_type s, std::string_view barcode, std::string_view image_id) const;
    std::string ocr_url(core::server_type s, std::string_view barcode, std::string_view image_id) const;

    // The product-record field list of pipeline.md §1.1.
    std::vector<std::string> product_record_fields() const;

    // GET /api/v2/product/{barcode}?fields=...: the `product` object, or nullopt when not found (404 or a
    // status_verbose other than "product found"). Throws po_error for transient failures and 401/403.
    std::optional<rapidjson::Document> get_product(core::server_type s, std::string_view barcode,
                                                   const std::vector<std::string>& fields) const;
    std::optional<rapidjson::Document> get_product(core::server_type s, std::string_view barcode) const {
        return get_product(s, barcode, product_record_fields());
    }

    // GET /api/v3.4/product/{barcode}?fields=product_type (intake.md §2.4): the product's type as Product
    // Opener knows it ("food", "beauty", "petfood", "product"). Asked on the server of another type, Product
    // Opener answers 404 with an errors[] item whose field.id is "product_type": its field.value. nullopt when
    // the product is gone (any other 404). Throws po_error for other statuses and unreadable answers.
    std::optional<std::string> get_product_type(core::server_type s, std::string_view barcode) const;

    // GET of an OCR JSON URL: its (decoded) text, or nullopt on 404. Throws po_error otherwise (fetch_refused
    // when the URL is not on an image server of images_url or the policy refuses it).
    std::optional<std::string> fetch_ocr_json(const std::string& url) const;
    // GET of an image under the same policy: the bytes. Throws po_error (not_found included).
    std::string fetch_image(const std::string& url) const;

    // HEAD: the ETag (quotes removed; empty if none). Throws po_error.
    std::string head_etag(const std::string& url) const;
    // Streams `url` into `path` unless `known_etag` matches (HEAD first, then If-None-Match on the GET).
    download_result download_if_changed(const std::string& url, const std::string& path,
                                        const std::string& known_etag) const;
    // Conditional GET into memory (taxonomies).
    conditional_body get_if_changed(const std::string& url, const std::string& known_etag) const;

    // Sends one write of §7. `insight_id` and `origin` make the comment. Throws po_error on any failure
    // (refused without credentials, HTTP 4xx/5xx, timeout, transport, a v3 answer with `errors`).
    write_result write(const write_request& request, const credentials& user, std::string_view insight_id,
                       decision_origin origin) const;

private:
    http_response send(const std::string& endpoint, http_request request, const std::string* file = nullptr) const;
    void add_common_headers(http_request& request) const;

    client_settings settings_;
    core::metrics_registry* metrics_;
    http_client http_;
    // Concurrency limit (off.max_concurrency).
    mutable std::mutex mutex_;
    mutable std::condition_variable slot_free_;
    mutable int in_flight_ = 0;
};

}  // namespace robotoff::off
