#pragma once
// Product Opener hooks (api.md §8): POST /api/v1/webhook/product, POST /api/v1/images/import,
// GET/POST /api/v1/products/dataset. Each turns the call into durable jobs (pipeline.md §8.3) committed in
// ONE transaction before answering {"status": "scheduled"}; then wakes this node's workers.
// Guards: check_product_opener_access below (webhooks.token as a Bearer header, legacy.allowed_cidrs),
// server_domain validation; events caused by robotoffd itself (robot user or "[robotoff]" comment) are
// acknowledged and ignored. Handlers block on the database (handler pool threads). Thread-safe.

#include "robotoff/core/network.hpp"
#include "robotoff/core/product_ref.hpp"
#include "robotoff/db/pool.hpp"
#include "robotoff/http/router.hpp"
#include "robotoff/jobs/queue.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace robotoff::core {
class config;
}

namespace robotoff::api {

// An allowed client network ("10.0.0.0/8", "::1/128", or a bare address).
using cidr = core::cidr;
// Throws core::usage_error for a malformed entry.
cidr parse_cidr(const std::string& text);
// True when `address` (IPv4, IPv6 or IPv4-mapped IPv6) is inside one of `allowed` (empty list: everything).
bool address_allowed(const std::string& address, const std::vector<cidr>& allowed);

struct webhook_settings {
    std::string token;                       // webhooks.token (empty: no check)
    std::vector<cidr> allowed;               // legacy.allowed_cidrs
    bool loopback_listener = true;           // http.listen is a loopback address: open without a guard
    std::string tld = "org";
    std::string robot_user;                  // off.user
    std::string images_url = "https://images.{base}.{tld}";
    std::string dataset_dir = "datasets";
    std::chrono::seconds updated_wait{10};   // jobs.updated_product_wait_s
    long long max_pending = 1000000;         // jobs.max_pending: above it, 503 instead of more jobs

    static webhook_settings from_config(const core::config& cfg);
};

// A webhook call after parsing (api.md §8.2).
struct webhook_event {
    core::server_type server = core::server_type::off;
    std::string barcode;                     // normalized
    std::string action;                      // created, updated, deleted
    std::optional<std::string> diffs_json;   // absent: "everything may have changed"
    std::string user_id;
    std::string comment;
};

// The guard of every Product Opener hook: the client network must be in legacy.allowed_cidrs (when set) and
// the Authorization header must be "Bearer <webhooks.token or one of extra_tokens>" (constant-time; when
// one is set). With neither set, only a loopback listener serves these routes. Throws 401 / 403.
void check_product_opener_access(const http::request& req, const webhook_settings& settings,
                                 const std::vector<std::string>& extra_tokens);

// The jobs of pipeline.md §8.3 for one event (pure). Empty for ignored events (robotoffd's own edits).
std::vector<jobs::new_job> plan_webhook_jobs(const webhook_event& event, const webhook_settings& settings);

// Server type from server_domain / server_type parameters (400 with the spec's descriptions).
core::server_type resolve_server(const http::parameters& params, const std::string& tld);

struct webhook_services {
    webhook_settings settings;
    db::pool& pool;
    std::function<void()> wake;              // wakes local workers after a commit (may be empty)
};

void add_webhook_routes(http::router& router, webhook_services& services);

}  // namespace robotoff::api
