#pragma once
// DESIGN: the `questions` module turns open insights into yes/no questions (questions.md): which types have a
// question (question_types.cpp), the value shown and the texts in the asked language (format.cpp, catalog.hpp),
// the picture URLs (image_urls.hpp), the SQL that selects candidates (store.hpp) and the embedded annotation
// page (ui_assets.hpp). Questions are computed per request; nothing is stored.
// Threads: everything here is pure or read-only after start-up (catalog, taxonomies, label logos are shared
// immutable snapshots), so handler threads call it concurrently. SQL functions block on the connection given.
// Invariant: optional JSON fields are omitted, never null (questions.md §2).

#include "robotoff/core/product_ref.hpp"
#include "robotoff/questions/catalog.hpp"
#include "robotoff/taxonomy/taxonomy.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace robotoff::questions {

// The insight columns a question needs (a subset of product_insight, data-model.md §2).
struct insight_row {
    std::string id;
    std::string barcode;
    std::string type;
    core::server_type server_type = core::server_type::off;
    std::optional<std::string> value_tag;
    std::optional<std::string> value;
    std::optional<std::string> source_image;
    std::optional<std::string> predictor;
    std::string data = "{}";  // compact JSON object
    int n_votes = 0;
};

// What the product table says about the pictures of one product (pipeline.md §1.2 flat images).
struct product_info {
    std::optional<std::string> product_name;
    std::string lang;                  // product main language, may be empty
    std::string images_json = "{}";    // record->'images', flat shape
};

struct question {
    std::string barcode;
    core::server_type server_type = core::server_type::off;
    std::string value;
    std::string text;                  // "question" in JSON
    std::string insight_id;
    std::string insight_type;
    std::optional<std::string> value_tag;
    std::optional<std::string> ref_image_url;
    std::optional<std::string> source_image_url;
};

// Label tag -> logo URL (data.dir/label_logos.json). Immutable after loading.
class label_logos {
public:
    // Missing file -> empty (the caller logs); malformed -> throws core::json_error. Blocks (file I/O).
    static label_logos load_file(const std::string& path);
    static label_logos from_json(std::string_view json);
    const std::string* find(std::string_view tag) const;
    std::size_t size() const { return urls_.size(); }

private:
    std::unordered_map<std::string, std::string, taxonomy::string_hash, std::equal_to<>> urls_;
};

// Everything format_question reads besides the insight; all references outlive the call.
struct format_context {
    const catalog& messages;
    const taxonomy::taxonomy_set& taxonomies;
    const label_logos& logos;
    std::string images_url_pattern = "https://images.{base}.{tld}";  // off.images_url
    std::string tld = "org";
};

// --- question types (questions.md §1) ---
// The English question text of a type (also the translation key), or nullptr if the type has no question.
const char* question_key(std::string_view insight_type);
// category, label, product_weight, brand, packaging.
const std::vector<std::string>& default_question_types();
// `insight_types` parameter: absent -> the default set; present -> its intersection with the question
// types, in the order given, unknown names dropped (possibly empty).
std::vector<std::string> requested_question_types(const std::vector<std::string>& requested, bool present);
// category 0, label 1, brand 2, others 3 (api.md §6.1 stable sort).
int type_priority(std::string_view insight_type);

// --- formatting (questions.md §2-§4) ---
// The value shown for the insight in `lang` (region suffix ignored).
std::string display_value(const insight_row& row, std::string_view lang, const taxonomy::taxonomy_set& taxonomies);
// `product` may be null (product not in the table).
question format_question(const insight_row& row, std::string_view lang, const format_context& ctx,
                         const product_info* product);
// {"barcode", "server_type", "type", "value", "question", "insight_id", "insight_type", ["value_tag"],
//  ["ref_image_url"], ["source_image_url"]}
std::string to_json(const question& q);

}  // namespace robotoff::questions
