// The Product Opener client over real HTTP against the fake Product Opener: reads, gzip, typed errors,
// timeouts, conditional downloads, writes with forwarded credentials, Basic off:off on the net tld.

#include "fake_po/fake_po.hpp"
#include "robotoff/core/file_io.hpp"
#include "robotoff/off/client.hpp"
#include "support/test_support.hpp"

#include <catch2/catch.hpp>

using namespace robotoff;
using namespace std::chrono;

namespace {

off::client_settings settings_for(const testing::fake_po& po) {
    off::client_settings s;
    s.world_url = po.url();
    s.images_url = po.url();
    s.static_url = po.url();
    s.fetch.allowed_networks = {off::parse_network("127.0.0.0/8")};  // the fake image server is on loopback
    s.read_timeout = seconds(2);
    s.user = "roboto-app";
    s.password = "pw";
    return s;
}

}  // namespace

TEST_CASE("product reads: found, not found, field list, typed errors", "[integration]") {
    testing::fake_po po;
    off::client c(settings_for(po));
    auto p = c.get_product(core::server_type::off, "3088543506255");
    REQUIRE(p);
    CHECK(std::string((*p)["code"].GetString()) == "3088543506255");
    CHECK(p->HasMember("images"));
    CHECK_FALSE(p->HasMember("_keywords"));  // only the requested fields
    CHECK_FALSE(c.get_product(core::server_type::off, "0000000000000"));
    auto reads = core::parse_json(po.reads());
    std::string first(reads[0]["path"].GetString());
    CHECK(first.find("/api/v2/product/3088543506255?fields=code,lang,product_name,") == 0);
    CHECK(std::string(reads[0]["user_agent"].GetString()).find("Robotoff Live Analysis robotoffd/") == 0);

    po.fail(500, 1);
    try {
        c.get_product(core::server_type::off, "3088543506255");
        FAIL("expected po_error");
    } catch (const off::po_error& e) {
        CHECK(e.kind() == off::error_kind::server_error);
        CHECK(e.transient());
    }
    po.fail(0, 1, 3000);  // slower than read_timeout (2 s)
    auto start = steady_clock::now();
    try {
        c.get_product(core::server_type::off, "3088543506255");
        FAIL("expected po_error");
    } catch (const off::po_error& e) {
        CHECK(e.kind() == off::error_kind::timeout);
    }
    CHECK(steady_clock::now() - start < seconds(3));
}

TEST_CASE("OCR JSON: plain, gzip-encoded, missing", "[integration]") {
    testing::fake_po po;
    off::client c(settings_for(po));
    auto plain = c.fetch_ocr_json(c.ocr_url(core::server_type::off, "4903015130266", "2"));
    REQUIRE(plain);
    CHECK(plain->starts_with("{"));
    // 5000159422345_3 is stored as .json.gz: served with Content-Encoding: gzip, decoded by the client.
    auto gz = c.fetch_ocr_json(c.ocr_url(core::server_type::off, "5000159422345", "3"));
    REQUIRE(gz);
    CHECK(gz->find("\"responses\"") != std::string::npos);
    CHECK_FALSE(c.fetch_ocr_json(c.ocr_url(core::server_type::off, "5000159422345", "99")));
    auto image = c.fetch_image(c.image_url(core::server_type::off, "4903015130266", "2"));
    CHECK(image.size() == 459564);
}

TEST_CASE("conditional download streamed to disk", "[integration]") {
    testing::fake_po po;
    off::client c(settings_for(po));
    std::string dir = testing::make_temp_dir();
    std::string url = po.url() + "/data/openfoodfacts-products.jsonl.gz";
    auto first = c.download_if_changed(url, dir + "/dump.gz", "");
    CHECK_FALSE(first.not_modified);
    CHECK(first.bytes == 3068882);
    CHECK(first.etag.size() == 40);
    CHECK(core::read_file(dir + "/dump.gz").size() > first.bytes);  // read_file decompresses
    auto second = c.download_if_changed(url, dir + "/dump2.gz", first.etag);
    CHECK(second.not_modified);
    auto body = c.get_if_changed(url, first.etag);
    CHECK(body.not_modified);
}

TEST_CASE("writes: robot account, forwarded session cookie, v3 packaging, Basic on net", "[integration]") {
    testing::fake_po po;
    auto s = settings_for(po);
    s.tld = "net";
    off::client c(s);
    c.write(off::add_store(core::server_type::off, "3088543506255", "Carrefour"), {}, "id-1",
            off::decision_origin::automatic);
    off::credentials user;
    user.session = "user_id&alice&user_session&abc";
    c.write(off::add_label(core::server_type::off, "3088543506255", "en:organic"), user, "id-2",
            off::decision_origin::user);
    c.write(off::add_packaging(core::server_type::off, "3088543506255", "en:bottle", "en:glass", ""), {}, "id-3",
            off::decision_origin::vote);
    auto w = core::parse_json(po.writes());
    REQUIRE(w.Size() == 3);
    CHECK(std::string(w[0]["form"]["user_id"].GetString()) == "roboto-app");
    CHECK(std::string(w[0]["form"]["add_stores"].GetString()) == "Carrefour");
    CHECK(std::string(w[0]["headers"]["authorization"].GetString()) == "Basic b2ZmOm9mZg==");
    CHECK(std::string(w[1]["headers"]["cookie"].GetString()) == "session=user_id&alice&user_session&abc");
    CHECK_FALSE(w[1]["form"].HasMember("user_id"));
    CHECK(std::string(w[1]["form"]["comment"].GetString()) == "[robotoff] Adding label tag 'en:organic', ID: id-2");
    CHECK(std::string(w[2]["method"].GetString()) == "PATCH");
    CHECK(std::string(w[2]["path"].GetString()) == "/api/v3/product/3088543506255");
    const auto& body = w[2]["json"];
    CHECK(std::string(body["product"]["packagings_add"][0]["shape"]["id"].GetString()) == "en:bottle");
    CHECK(std::string(body["product"]["packagings_add"][0]["material"]["id"].GetString()) == "en:glass");
    CHECK_FALSE(body["product"]["packagings_add"][0].HasMember("recycling"));
    CHECK(std::string(body["comment"].GetString()) ==
          "[robotoff] Updating/adding packaging elements 'en:bottle', ID: id-3 (applied after 3 anonymous votes)");
    CHECK(std::string(body["user_id"].GetString()) == "roboto-app");

    po.fail(403, 1, 0, "/cgi/");
    try {
        c.write(off::add_store(core::server_type::off, "1", "x"), {}, "id-4", off::decision_origin::automatic);
        FAIL("expected po_error");
    } catch (const off::po_error& e) {
        CHECK(e.kind() == off::error_kind::unauthorized);
    }
}
