// The pure parts of the Product Opener hooks (api.md §8, pipeline.md §8.3): which jobs an event yields,
// server_domain validation and client network checks.

#include "robotoff/api/webhook_routes.hpp"
#include "robotoff/core/errors.hpp"

#include <catch2/catch.hpp>

using namespace robotoff;

namespace {

api::webhook_settings settings() {
    api::webhook_settings s;
    s.tld = "org";
    s.robot_user = "roboto-app";
    s.images_url = "https://images.{base}.{tld}";
    s.updated_wait = std::chrono::seconds(10);
    return s;
}

api::webhook_event event(std::string action, std::optional<std::string> diffs = std::nullopt) {
    api::webhook_event e;
    e.barcode = "3017620425035";
    e.action = std::move(action);
    e.diffs_json = std::move(diffs);
    return e;
}

}  // namespace

TEST_CASE("webhook events map to the jobs of pipeline.md §8.3", "[unit]") {
    auto s = settings();
    auto deleted = api::plan_webhook_jobs(event("deleted"), s);
    REQUIRE(deleted.size() == 1);
    CHECK(deleted[0].kind == "product_deleted");
    CHECK(core::parse_json(deleted[0].payload)["dedup_key"] == "deleted:off:3017620425035");

    auto created = api::plan_webhook_jobs(event("created"), s);
    REQUIRE(created.size() == 1);
    CHECK(created[0].kind == "product_updated");
    CHECK(created[0].delay == std::chrono::seconds(10));
    CHECK(core::parse_json(created[0].payload)["diffs"].ObjectEmpty());

    auto upload = api::plan_webhook_jobs(
        event("updated", R"({"uploaded_images":{"add":["3","4"],"delete":["1"]}})"), s);
    REQUIRE(upload.size() == 3);
    CHECK(upload[0].kind == "import_image");
    auto p = core::parse_json(upload[0].payload);
    CHECK(p["image_url"] == "https://images.openfoodfacts.org/images/products/301/762/042/5035/3.jpg");
    CHECK(p["ocr_url"] == "https://images.openfoodfacts.org/images/products/301/762/042/5035/3.json");
    CHECK(p["dedup_key"] == "image:off:3017620425035:3");
    CHECK(p["ocr_checks"].GetInt() == 0);
    CHECK(upload[1].kind == "import_image");
    CHECK(upload[2].kind == "image_deleted");
    CHECK(upload[2].delay == std::chrono::seconds(10));

    // Anything besides uploaded images -> also product_updated with the diffs.
    auto mixed = api::plan_webhook_jobs(
        event("updated", R"({"fields":{"change":["product_name"]},"uploaded_images":{"add":["5"]}})"), s);
    REQUIRE(mixed.size() == 2);
    CHECK(mixed[1].kind == "product_updated");
    CHECK(core::parse_json(mixed[1].payload)["diffs"]["fields"]["change"][0] == "product_name");

    // No diffs at all: product_updated.
    auto bare = api::plan_webhook_jobs(event("updated"), s);
    REQUIRE(bare.size() == 1);
    CHECK(bare[0].kind == "product_updated");
}

TEST_CASE("robotoffd's own edits are ignored", "[unit]") {
    auto s = settings();
    auto e = event("updated", R"({"fields":{"add":["labels"]}})");
    e.user_id = "roboto-app";
    CHECK(api::plan_webhook_jobs(e, s).empty());
    e.user_id = "alice";
    e.comment = "[robotoff] Adding label tag 'en:organic', ID: x";
    CHECK(api::plan_webhook_jobs(e, s).empty());
    e.comment = "fixed a typo";
    CHECK(api::plan_webhook_jobs(e, s).size() == 1);
}

TEST_CASE("server_domain must match the instance tld", "[unit]") {
    http::parameters p;
    p.add("server_domain", "api.pro.openfoodfacts.org");
    CHECK(api::resolve_server(p, "org") == core::server_type::off_pro);
    http::parameters q;
    q.add("server_domain", "api.openbeautyfacts.org");
    CHECK(api::resolve_server(q, "org") == core::server_type::obf);
    CHECK_THROWS_AS(api::resolve_server(q, "net"), core::client_error);
    http::parameters t;
    t.add("server_type", "opff");
    CHECK(api::resolve_server(t, "org") == core::server_type::opff);
    http::parameters none;
    CHECK(api::resolve_server(none, "org") == core::server_type::off);
    http::parameters bad;
    bad.add("server_type", "xyz");
    try {
        api::resolve_server(bad, "org");
        FAIL("expected a client error");
    } catch (const core::client_error& e) {
        CHECK(e.description() == "invalid server_type: xyz");
    }
}

TEST_CASE("legacy.allowed_cidrs", "[unit]") {
    std::vector<api::cidr> allowed = {api::parse_cidr("10.0.0.0/8"), api::parse_cidr("192.168.1.7"),
                                      api::parse_cidr("fd00::/8")};
    CHECK(api::address_allowed("10.1.2.3", allowed));
    CHECK(api::address_allowed("::ffff:10.9.9.9", allowed));
    CHECK(api::address_allowed("192.168.1.7", allowed));
    CHECK_FALSE(api::address_allowed("192.168.1.8", allowed));
    CHECK(api::address_allowed("fd12::1", allowed));
    CHECK_FALSE(api::address_allowed("127.0.0.1", allowed));
    CHECK(api::address_allowed("127.0.0.1", {}));
    CHECK_THROWS_AS(api::parse_cidr("10.0.0.0/33"), core::usage_error);
    CHECK_THROWS_AS(api::parse_cidr("not-an-ip"), core::usage_error);
}

TEST_CASE("the Product Opener guard: header token, networks, refused when nothing is configured", "[unit]") {
    auto status_of = [](const http::request& req, const api::webhook_settings& s,
                        const std::vector<std::string>& extra = {}) {
        try {
            api::check_product_opener_access(req, s, extra);
            return 200U;
        } catch (const core::client_error& e) {
            return e.status();
        }
    };
    http::request req;
    req.peer_address = "203.0.113.9";
    api::webhook_settings open_loopback;
    CHECK(status_of(req, open_loopback) == 200);  // a loopback listener (run.sh, tests)
    api::webhook_settings exposed;
    exposed.loopback_listener = false;
    CHECK(status_of(req, exposed) == 403);  // reachable from the network and nothing configured
    exposed.allowed = {api::parse_cidr("203.0.113.0/24")};
    CHECK(status_of(req, exposed) == 200);
    exposed.allowed.clear();
    exposed.token = "s3cret";
    CHECK(status_of(req, exposed) == 401);
    req.params.add("token", "s3cret");  // never read from parameters
    CHECK(status_of(req, exposed) == 401);
    req.headers.emplace_back("authorization", "Bearer s3creT");
    CHECK(status_of(req, exposed) == 401);
    req.headers.back().second = "Bearer s3cret";
    CHECK(status_of(req, exposed) == 200);
    req.headers.back().second = "Bearer other";
    CHECK(status_of(req, exposed, {"other"}) == 200);  // import.token on insights/import
    exposed.allowed = {api::parse_cidr("10.0.0.0/8")};
    CHECK(status_of(req, exposed, {"other"}) == 403);  // right token, wrong network
}
