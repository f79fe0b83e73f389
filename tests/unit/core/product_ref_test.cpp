#include "robotoff/core/product_ref.hpp"

#include <catch2/catch.hpp>

using namespace robotoff::core;

TEST_CASE("barcodes are normalized as the spec says", "[unit][product_ref]") {
    CHECK(normalize_barcode("0000012345") == "00012345");
    CHECK(normalize_barcode("76543210987") == "0076543210987");
    CHECK(normalize_barcode("000004006381333") == "0004006381333");
    CHECK(normalize_barcode("3017620425035") == "3017620425035");
    CHECK(normalize_barcode("12345678901234") == "12345678901234");
    CHECK(normalize_barcode("org-abc/123") == "org-abc/123");
}

TEST_CASE("split barcodes and source images", "[unit][product_ref]") {
    CHECK(split_barcode("3017620425035") == "/301/762/042/5035");
    CHECK(split_barcode("00016954") == "/000/000/001/6954");
    CHECK(source_image_path("3017620425035", "4") == "/301/762/042/5035/4.jpg");
    CHECK(split_barcode("org-x/3017620425035") == "/org-x/301/762/042/5035");
    CHECK(source_image_stem("/301/762/042/5035/4.jpg") == "4");
    CHECK(source_image_stem("/301/762/042/5035/front_fr.12.400.jpg") == "front_fr");
}

TEST_CASE("barcode and source image from OCR URLs", "[unit][product_ref]") {
    auto p = product_from_image_url("https://images.openfoodfacts.org/images/products/541/008/800/2341/6.json");
    REQUIRE(p);
    CHECK(p->barcode == "5410088002341");
    CHECK(p->type == server_type::off);
    p = product_from_image_url("/000/000/001/6954/1.jpg");
    REQUIRE(p);
    CHECK(p->barcode == "00016954");
    CHECK_FALSE(product_from_image_url("/252/535.bk/1.jpg"));
    p = product_from_image_url("https://images.pro.openfoodfacts.org/images/products/org-x/301/762/042/5035/1.json");
    REQUIRE(p);
    CHECK(p->barcode == "org-x/3017620425035");
    CHECK(p->type == server_type::off_pro);
    CHECK(source_image_from_url("https://images.openfoodfacts.org/images/products/541/008/800/2341/6.json") ==
          "/541/008/800/2341/6.jpg");
}

TEST_CASE("server types and URL templates", "[unit][product_ref]") {
    CHECK(parse_server_type("off-pro") == server_type::off_pro);
    CHECK(to_string(server_type::off_pro) == "off_pro");
    CHECK_FALSE(parse_server_type("xyz"));
    CHECK(expand_base_url("https://world.{base}.{tld}", server_type::obf, "net") == "https://world.openbeautyfacts.net");
    CHECK(expand_base_url("http://127.0.0.1:8080/", server_type::opff, "org") == "http://127.0.0.1:8080");
}
