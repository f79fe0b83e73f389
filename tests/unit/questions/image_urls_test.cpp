#include "robotoff/questions/image_urls.hpp"

#include <catch2/catch.hpp>

using namespace robotoff::questions;
using robotoff::core::server_type;

TEST_CASE("images base per server type and tld", "[unit]") {
    CHECK(products_images_base("https://images.{base}.{tld}", server_type::off, "org") ==
          "https://images.openfoodfacts.org/images/products");
    CHECK(products_images_base("https://images.{base}.{tld}/", server_type::obf, "net") ==
          "https://images.openbeautyfacts.net/images/products");
    CHECK(products_images_base("http://127.0.0.1:8080", server_type::opff, "org") ==
          "http://127.0.0.1:8080/images/products");
}

TEST_CASE("display image of a source image", "[unit]") {
    CHECK(display_image_path("/301/762/042/5035/6.jpg") == "/301/762/042/5035/6.400.jpg");
    CHECK(display_image_path("/301/762/042/5035/12.png") == "/301/762/042/5035/12.400.jpg");
    CHECK(display_image_path("/301/762/042/5035/front_fr.4.400.jpg") == "/301/762/042/5035/front_fr.4.400.jpg");
    CHECK(display_image_path("/301/762/042/5035/ingredients_fr.jpg") == "/301/762/042/5035/ingredients_fr.jpg");
}

TEST_CASE("generic product image: types in order, product language first, then ascending keys", "[unit]") {
    const char* images = R"({
        "1": {"sizes": {"full": {"w": 1, "h": 1}, "400": {"w": 1, "h": 1}}},
        "10": {"sizes": {"full": {"w": 1, "h": 1}}},
        "9": {"sizes": {"full": {"w": 1, "h": 1}}},
        "front_it": {"imgid": "1", "rev": 7, "sizes": {"400": {}}},
        "front_de": {"imgid": "1", "rev": "5", "sizes": {"400": {}}},
        "front_fr": {"imgid": "9", "rev": "12", "sizes": {"400": {}}},
        "front_en": {"imgid": "9", "rev": "3", "sizes": {"100": {}}},
        "ingredients_fr": {"imgid": "10", "rev": "20", "sizes": {"400": {}}}
    })";
    const std::vector<std::string> all = {"front", "ingredients", "nutrition"};
    CHECK(generic_image_file(images, "fr", all) == "front_fr.12.400.jpg");
    CHECK(generic_image_file(images, "it", all) == "front_it.7.400.jpg");   // integer rev
    CHECK(generic_image_file(images, "es", all) == "front_de.5.400.jpg");   // ascending key order
    CHECK(generic_image_file(images, "en", all) == "front_de.5.400.jpg");   // front_en has no 400 size
    CHECK(generic_image_file(images, "fr", {"ingredients", "front"}) == "ingredients_fr.20.400.jpg");
    CHECK(generic_image_file(images, "fr", {"nutrition"}) == "10.400.jpg");  // highest raw id, numerically
    CHECK(generic_image_file("{}", "fr", all) == std::nullopt);
    CHECK(generic_image_file("not json", "fr", all) == std::nullopt);
    CHECK(generic_image_file(R"({"front_fr": {"rev": "1", "sizes": {"400": {}}}})", "", {"front"}) ==
          "front_fr.1.400.jpg");
}
