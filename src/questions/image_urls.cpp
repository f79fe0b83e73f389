#include "robotoff/questions/image_urls.hpp"

#include "robotoff/core/json.hpp"

#include <algorithm>

namespace robotoff::questions {
namespace {

// Numbers may arrive as strings or integers (pipeline.md §1.2): compare as strings.
std::optional<std::string> scalar_text(const rapidjson::Value& object, const char* key) {
    const auto* v = core::get_member(object, key);
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
}

bool has_size_400(const rapidjson::Value& image) {
    const auto* sizes = core::get_member(image, "sizes");
    return sizes != nullptr && sizes->IsObject() && sizes->HasMember("400");
}

// Numeric order of digit-only ids ("10" > "9").
bool id_less(const std::string& a, const std::string& b) {
    return a.size() != b.size() ? a.size() < b.size() : a < b;
}

}  // namespace

std::string products_images_base(std::string_view images_url_pattern, core::server_type type, std::string_view tld) {
    std::string base = core::expand_base_url(images_url_pattern, type, tld);
    while (!base.empty() && base.back() == '/') {
        base.pop_back();
    }
    return base + "/images/products";
}

std::string display_image_path(std::string_view source_image) {
    std::string_view stem = core::source_image_stem(source_image);
    if (!core::is_all_digits(stem)) {
        return std::string(source_image);
    }
    std::size_t slash = source_image.rfind('/');
    std::string out(source_image.substr(0, slash == std::string_view::npos ? 0 : slash + 1));
    out += stem;
    out += ".400.jpg";
    return out;
}

std::optional<std::string> generic_image_file(std::string_view images_json, std::string_view product_lang,
                                              const std::vector<std::string>& types) {
    auto doc = core::try_parse_json(images_json);
    if (!doc || !doc->IsObject()) {
        return std::nullopt;
    }
    for (const auto& type : types) {
        const std::string prefix = type + "_";
        std::vector<std::string> keys;
        for (auto it = doc->MemberBegin(); it != doc->MemberEnd(); ++it) {
            std::string key(it->name.GetString(), it->name.GetStringLength());
            if (key.starts_with(prefix) && it->value.IsObject() && has_size_400(it->value)) {
                keys.push_back(std::move(key));
            }
        }
        if (keys.empty()) {
            continue;
        }
        // {type}_{product lang} first, then the others in ascending key order.
        std::sort(keys.begin(), keys.end());
        const std::string preferred = prefix + std::string(product_lang);
        auto pref = std::find(keys.begin(), keys.end(), preferred);
        if (!product_lang.empty() && pref != keys.end()) {
            std::rotate(keys.begin(), pref, pref + 1);
        }
        for (const auto& key : keys) {
            const auto size = static_cast<rapidjson::SizeType>(key.size());
            const auto member = doc->FindMember(rapidjson::Value(rapidjson::StringRef(key.data(), size)));
            if (auto rev = scalar_text(member->value, "rev")) {
                return key + "." + *rev + ".400.jpg";
            }
        }
    }
    std::optional<std::string> best;
    for (auto it = doc->MemberBegin(); it != doc->MemberEnd(); ++it) {
        std::string key(it->name.GetString(), it->name.GetStringLength());
        if (core::is_all_digits(key) && (!best || id_less(*best, key))) {
            best = std::move(key);
        }
    }
    if (best) {
        return *best + ".400.jpg";
    }
    return std::nullopt;
}

}  // namespace robotoff::questions
