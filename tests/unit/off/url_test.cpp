#include "robotoff/off/client.hpp"
#include "robotoff/off/http_client.hpp"

#include <catch2/catch.hpp>

#include <algorithm>

using namespace robotoff;

TEST_CASE("URL parsing", "[unit]") {
    auto u = off::parse_url("https://world.openfoodfacts.org/api/v2/product/1?fields=a,b");
    CHECK(u.tls);
    CHECK(u.host == "world.openfoodfacts.org");
    CHECK(u.port == "443");
    CHECK(u.target == "/api/v2/product/1?fields=a,b");
    auto p = off::parse_url("http://127.0.0.1:8080");
    CHECK_FALSE(p.tls);
    CHECK(p.port == "8080");
    CHECK(p.target == "/");
    CHECK_THROWS_AS(off::parse_url("ftp://x/y"), off::po_error);
    CHECK_THROWS_AS(off::parse_url("http://user:pw@host/"), off::po_error);
}

TEST_CASE("redirect locations", "[unit]") {
    CHECK(off::resolve_location("http://a:1/x/y?q", "/z") == "http://a:1/z");
    CHECK(off::resolve_location("http://a:1/x/y?q", "w") == "http://a:1/x/w");
    CHECK(off::resolve_location("https://a/x", "https://b/c") == "https://b/c");
}

TEST_CASE("base URLs, image URLs and the product field list", "[unit]") {
    off::client_settings s;
    s.tld = "net";
    s.spellcheck_langs = {"fr"};
    s.matcher_langs = {"fr", "en"};
    off::client c(s);
    CHECK(c.world_url(core::server_type::obf) == "https://world.openbeautyfacts.net");
    CHECK(c.image_url(core::server_type::off, "3017620425035", "4") ==
          "https://images.openfoodfacts.net/images/products/301/762/042/5035/4.jpg");
    CHECK(c.ocr_url(core::server_type::off, "3017620425035", "4") ==
          "https://images.openfoodfacts.net/images/products/301/762/042/5035/4.json");
    auto f = c.product_record_fields();
    CHECK(std::find(f.begin(), f.end(), "ingredients_text_fr") != f.end());
    CHECK(std::find(f.begin(), f.end(), "product_name_en") != f.end());
    CHECK(std::find(f.begin(), f.end(), "last_modified_t") != f.end());
    CHECK(std::find(f.begin(), f.end(), "packagings") != f.end());

    s.world_url = "http://127.0.0.1:1234";
    off::client t(s);
    CHECK(t.world_url(core::server_type::opff) == "http://127.0.0.1:1234");
}

TEST_CASE("writes without any credentials are refused before any request", "[unit]") {
    off::client_settings s;
    s.world_url = "http://127.0.0.1:9";  // never contacted
    off::client c(s);
    auto w = off::add_label(core::server_type::off, "1", "en:organic");
    try {
        c.write(w, {}, "id", off::decision_origin::automatic);
        FAIL("expected po_error");
    } catch (const off::po_error& e) {
        CHECK(e.kind() == off::error_kind::refused);
    }
}
