#pragma once
// Product identity: server types, barcode normalization, image paths and URLs (spec README §3, §5,
// ocr-and-extraction.md §1.1). Pure functions, thread-safe.

#include <optional>
#include <string>
#include <string_view>

namespace robotoff::core {

enum class server_type { off, obf, opff, opf, off_pro };

// "off", "obf", "opff", "opf", "off_pro" (also "off-pro"); nullopt for anything else.
std::optional<server_type> parse_server_type(std::string_view text);
// The stored spelling ("off_pro" with an underscore).
std::string_view to_string(server_type t);
// "openfoodfacts", "openbeautyfacts", "openpetfoodfacts", "openproductsfacts", "pro.openfoodfacts".
std::string_view base_domain(server_type t);
// off and off_pro: product-name extraction, category matcher, spellchecker apply.
bool is_food(server_type t);

// Digit-only codes: leading zeros removed, then left-padded to 8 digits, and to 13 if longer than 8.
// Anything else (pro platform "org/code") is returned unchanged.
std::string normalize_barcode(std::string_view barcode);

// "/301/762/042/5035" for "3017620425035": the barcode zero-padded to 13 digits and split 3/3/3/rest.
// Pro barcodes "org/code" give "/org/<split code>".
std::string split_barcode(std::string_view barcode);

// "/301/762/042/5035/4.jpg"
std::string source_image_path(std::string_view barcode, std::string_view image_id);

// The file stem of a source image ("4" for ".../4.jpg"); empty if there is none.
std::string_view source_image_stem(std::string_view source_image);

// True if every character is an ASCII digit and the string is non-empty.
bool is_all_digits(std::string_view text);

// "{server_type}:{barcode}"
std::string product_key(server_type t, std::string_view barcode);

// Barcode read from an image or OCR URL or path (ocr-and-extraction.md §1.1): the run of all-digit segments
// right before the file name, normalized; a producer org id before the run gives "org/digits" and off_pro.
struct url_product {
    std::string barcode;
    server_type type = server_type::off;
};
std::optional<url_product> product_from_image_url(std::string_view url_or_path);

// source_image of an OCR/image URL: the path after "/images/products" with ".json" replaced by ".jpg".
std::optional<std::string> source_image_from_url(std::string_view url);

// Expands "{base}" and "{tld}" placeholders of a configured base URL (README §6).
std::string expand_base_url(std::string_view pattern, server_type t, std::string_view tld);

}  // namespace robotoff::core
