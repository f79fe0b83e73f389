#pragma once
// DESIGN: the `products` module owns the product records the insight rules read (pipeline.md §1.0-1.2):
// - product.hpp: the normalized product record (flat images, image ids) and its JSON form (`product.record`).
// - repository.hpp: the `product` table (upsert one row, read, mark deleted).
// - dataset_import.hpp: streaming import of a JSONL(.gz) dump in batches with bounded memory.
// Everything here is blocking; the pure parts (normalization) are thread-safe, the DB parts use one lease.

#include "robotoff/core/config.hpp"
#include "robotoff/core/json.hpp"
#include "robotoff/core/product_ref.hpp"

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace robotoff::products {

// One entry of the flat `images` object (pipeline.md §1.2). Raw images have a digit key; selected images
// have keys like "front_fr". Numbers are kept as strings ("compare as strings").
struct image_entry {
    std::optional<long long> full_width;   // sizes.full.w
    std::optional<long long> full_height;  // sizes.full.h
    std::optional<long long> uploaded_t;   // raw images
    std::string imgid;                     // selected images: the raw image id
    std::string rev;                       // selected images
    std::optional<long long> angle;        // selected images: integer angle (absent = nullopt)
};

// The product record of pipeline.md §1.1. Empty strings and missing fields count as absent.
struct product {
    core::server_type server_type = core::server_type::off;
    std::string barcode;                  // normalized
    std::string lang;
    std::string product_name;
    std::string quantity;
    std::string expiration_date;
    std::string emb_codes;                // comma-separated string (annotation action)
    std::vector<std::string> countries_tags;
    std::vector<std::string> categories_tags;
    std::vector<std::string> emb_codes_tags;
    std::vector<std::string> labels_tags;
    std::vector<std::string> brands_tags;
    std::vector<std::string> stores_tags;
    std::vector<std::string> languages_codes;
    long long unique_scans_n = 0;
    std::optional<long long> last_modified_t;
    std::map<std::string, image_entry> images;   // flat shape
    std::string packagings_json = "[]";          // the `packagings` array, compact JSON
    // ingredients_text_{l}, product_name_{l} and ingredients_text: field name -> non-empty text.
    std::map<std::string, std::string> texts;

    // Raw image ids: keys of `images` made only of digits (file order is not kept: sorted as strings).
    std::vector<std::string> image_ids() const;
    bool has_image_id(std::string_view id) const;
    const image_entry* image(std::string_view key) const;
    // texts["ingredients_text_" + lang] or empty.
    std::string text(std::string_view field) const;
};

// The languages whose texts a record keeps (pipeline.md §1.1): ingredients_text_{l} for each l in
// spellcheck.langs and product_name_{l} for each l in category_matcher.langs, as the Product Opener client
// requests them. The default keeps every language (tests; an answer whose request already chose the fields).
// A dump line carries dozens of languages (and ingredients_text_debug): keeping only these halves the record.
struct record_languages {
    std::vector<std::string> ingredients;  // spellcheck.langs
    std::vector<std::string> names;        // category_matcher.langs
    bool every_language = true;

    static record_languages from_config(const core::config& cfg);
    // True for ingredients_text and for the ingredients_text_{l} / product_name_{l} fields kept.
    bool keeps(std::string_view field) const;
};

// Builds the record from a Product Opener product object (API answer or dump line). `barcode_override`
// (when non-empty) replaces `code`. Throws core::json_error when `value` is not an object.
product normalize_product(const rapidjson::Value& value, core::server_type type,
                          std::string_view barcode_override = {}, const record_languages& languages = {});

// True for the top-level product fields `normalize_product` reads (the dump importer keeps only these).
bool is_record_field(std::string_view key, const record_languages& languages = {});

// The stored record (`product.record` jsonb): the fields of §1.1 with images in the flat shape.
std::string record_to_json(const product& p);
// Parses a stored record back (server_type and barcode are not part of it). Throws core::json_error.
product record_from_json(std::string_view json, core::server_type type, std::string_view barcode);

// Converts the new `images` shape ({"uploaded": ..., "selected": ...}) into the flat one in place; a flat
// object is left unchanged. Exposed for tests.
void flatten_images(rapidjson::Value& images, rapidjson::Document::AllocatorType& alloc);

}  // namespace robotoff::products
