#include "robotoff/core/json.hpp"
#include "robotoff/questions/image_urls.hpp"
#include "robotoff/questions/questions.hpp"

namespace robotoff::questions {
namespace {

std::string localized(const taxonomy::taxonomy_set& taxonomies, std::string_view taxonomy_name, std::string_view id,
                      std::string_view lang) {
    auto t = taxonomies.get(taxonomy_name);
    return t ? t->localized_name(id, lang) : std::string(id);
}

// "Bocal, Verre, Recycler": shape, material, recycling names, those present (questions.md §3).
std::string packaging_value(const insight_row& row, std::string_view lang, const taxonomy::taxonomy_set& taxonomies) {
    auto doc = core::try_parse_json(row.data);
    const rapidjson::Value* element = doc && doc->IsObject() ? core::get_member(*doc, "element") : nullptr;
    if (element == nullptr || !element->IsObject()) {
        return row.value.value_or("");
    }
    static constexpr std::pair<const char*, std::string_view> parts[] = {
        {"shape", "packaging_shapes"}, {"material", "packaging_materials"}, {"recycling", "packaging_recycling"}};
    std::string out;
    for (const auto& [key, taxonomy_name] : parts) {
        const auto* prop = core::get_member(*element, key);
        if (prop == nullptr || !prop->IsObject()) {
            continue;
        }
        std::string name;
        if (auto tag = core::get_string(*prop, "value_tag")) {
            name = localized(taxonomies, taxonomy_name, *tag, lang);
        } else if (auto value = core::get_string(*prop, "value")) {
            name = std::string(*value);
        }
        if (name.empty()) {
            continue;
        }
        if (!out.empty()) {
            out += ", ";
        }
        out += name;
    }
    return out;
}

std::optional<std::string> display_url(const insight_row& row, const std::string& base) {
    if (!row.source_image || row.source_image->empty()) {
        return std::nullopt;
    }
    return base + display_image_path(*row.source_image);
}

std::optional<std::string> generic_url(const insight_row& row, const std::string& base, const product_info* product,
                                       const std::vector<std::string>& types) {
    if (product == nullptr) {
        return std::nullopt;
    }
    auto file = generic_image_file(product->images_json, product->lang, types);
    if (!file) {
        return std::nullopt;
    }
    return base + core::split_barcode(row.barcode) + "/" + *file;
}

std::optional<std::string> orientation_url(const insight_row& row, const std::string& base) {
    auto doc = core::try_parse_json(row.data);
    if (!doc || !doc->IsObject()) {
        return std::nullopt;
    }
    auto text = [&](const char* key) -> std::optional<std::string> {
        const auto* v = core::get_member(*doc, key);
        if (v == nullptr) {
            return std::nullopt;
        }
        if (v->IsString()) {
            return std::string(v->GetString(), v->GetStringLength());
        }
        if (v->IsInt64()) {
            return std::to_string(v->GetInt64());
        }
        return std::nullopt;
    };
    auto key = text("image_key");
    auto rev = text("image_rev");
    if (!key || !rev) {
        return std::nullopt;
    }
    return base + core::split_barcode(row.barcode) + "/" + *key + "." + *rev + ".400.jpg";
}

}  // namespace

std::string display_value(const insight_row& row, std::string_view lang, const taxonomy::taxonomy_set& taxonomies) {
    const std::string tax_lang = base_language(lang).empty() ? "en" : base_language(lang);
    if (row.type == "category" && row.value_tag) {
        return localized(taxonomies, "categories", *row.value_tag, tax_lang);
    }
    if (row.type == "label" && row.value_tag) {
        return localized(taxonomies, "labels", *row.value_tag, tax_lang);
    }
    if (row.type == "packaging") {
        return packaging_value(row, tax_lang, taxonomies);
    }
    if (row.type == "nutrition_image" || row.type == "image_orientation") {
        return row.value_tag.value_or("");
    }
    // product_weight, brand: the insight value as is.
    if (row.value) {
        return *row.value;
    }
    return row.value_tag.value_or("");
}

question format_question(const insight_row& row, std::string_view lang, const format_context& ctx,
                         const product_info* product) {
    question q;
    q.barcode = row.barcode;
    q.server_type = row.server_type;
    q.value = display_value(row, lang, ctx.taxonomies);
    const char* key = question_key(row.type);
    q.text = key != nullptr ? ctx.messages.translate(lang, key) : std::string();
    q.insight_id = row.id;
    q.insight_type = row.type;
    if ((row.type == "category" || row.type == "label" || row.type == "brand") && row.value_tag) {
        q.value_tag = row.value_tag;
    }
    const std::string base = products_images_base(ctx.images_url_pattern, row.server_type, ctx.tld);
    if (row.type == "category") {
        q.source_image_url = generic_url(row, base, product, {"front", "ingredients", "nutrition"});
    } else if (row.type == "label") {
        q.source_image_url = display_url(row, base);
        if (row.value_tag) {
            if (const auto* logo = ctx.logos.find(*row.value_tag)) {
                q.ref_image_url = *logo;
            }
        }
    } else if (row.type == "brand") {
        if (row.predictor == "curated-list" || row.predictor == "taxonomy") {
            q.source_image_url = generic_url(row, base, product, {"front"});
        }
        if (!q.source_image_url) {
            q.source_image_url = display_url(row, base);
        }
    } else if (row.type == "image_orientation") {
        q.source_image_url = orientation_url(row, base);
    } else {
        // product_weight, packaging, nutrition_image
        q.source_image_url = display_url(row, base);
    }
    return q;
}

std::string to_json(const question& q) {
    std::string out = "{\"barcode\":";
    core::append_json_string(out, q.barcode);
    out += ",\"server_type\":";
    core::append_json_string(out, core::to_string(q.server_type));
    out += ",\"type\":\"add-binary\",\"value\":";
    core::append_json_string(out, q.value);
    out += ",\"question\":";
    core::append_json_string(out, q.text);
    out += ",\"insight_id\":";
    core::append_json_string(out, q.insight_id);
    out += ",\"insight_type\":";
    core::append_json_string(out, q.insight_type);
    if (q.value_tag) {
        out += ",\"value_tag\":";
        core::append_json_string(out, *q.value_tag);
    }
    if (q.ref_image_url) {
        out += ",\"ref_image_url\":";
        core::append_json_string(out, *q.ref_image_url);
    }
    if (q.source_image_url) {
        out += ",\"source_image_url\":";
        core::append_json_string(out, *q.source_image_url);
    }
    out += '}';
    return out;
}

}  // namespace robotoff::questions
