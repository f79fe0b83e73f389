#include "robotoff/products/product.hpp"

#include "robotoff/core/config.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace robotoff::products {
namespace {

// Numbers may arrive as strings or integers (pipeline.md §1.2).
std::string as_string(const rapidjson::Value& v) {
    if (v.IsString()) {
        return std::string(v.GetString(), v.GetStringLength());
    }
    if (v.IsInt64()) {
        return std::to_string(v.GetInt64());
    }
    if (v.IsUint64()) {
        return std::to_string(v.GetUint64());
    }
    if (v.IsDouble()) {
        double d = v.GetDouble();
        if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 1e18) {
            return std::to_string(static_cast<long long>(d));
        }
    }
    return {};
}

std::optional<long long> as_int(const rapidjson::Value& v) {
    if (v.IsInt64()) {
        return v.GetInt64();
    }
    if (v.IsUint64()) {
        return static_cast<long long>(v.GetUint64());
    }
    if (v.IsDouble() && std::isfinite(v.GetDouble()) && std::fabs(v.GetDouble()) < 1e18) {
        return static_cast<long long>(v.GetDouble());
    }
    if (v.IsString()) {
        auto parsed = core::parse_int(std::string_view(v.GetString(), v.GetStringLength()));
        if (parsed) {
            return parsed;
        }
    }
    return std::nullopt;
}

std::string member_string(const rapidjson::Value& obj, const char* key) {
    auto it = obj.FindMember(key);
    if (it == obj.MemberEnd() || !it->value.IsString()) {
        return {};
    }
    return std::string(it->value.GetString(), it->value.GetStringLength());
}

std::optional<long long> member_int(const rapidjson::Value& obj, const char* key) {
    auto it = obj.FindMember(key);
    if (it == obj.MemberEnd()) {
        return std::nullopt;
    }
    return as_int(it->value);
}

std::vector<std::string> member_strings(const rapidjson::Value& obj, const char* key) {
    std::vector<std::string> out;
    auto it = obj.FindMember(key);
    if (it == obj.MemberEnd() || !it->value.IsArray()) {
        return out;
    }
    out.reserve(it->value.Size());
    for (const auto& item : it->value.GetArray()) {
        if (item.IsString() && item.GetStringLength() > 0) {
            out.emplace_back(item.GetString(), item.GetStringLength());
        }
    }
    return out;
}

// "fr", "en", "xx", "pt_br" style language suffixes only: keeps out *_debug_tags and the like.
bool is_language_suffix(std::string_view s) {
    if (s.size() < 2 || s.size() > 5) {
        return false;
    }
    return std::all_of(s.begin(), s.end(), [](char c) { return (c >= 'a' && c <= 'z') || c == '_'; });
}


image_entry parse_image(const rapidjson::Value& v) {
    image_entry e;
    if (!v.IsObject()) {
        return e;
    }
    auto sizes = v.FindMember("sizes");
    if (sizes != v.MemberEnd() && sizes->value.IsObject()) {
        auto full = sizes->value.FindMember("full");
        if (full != sizes->value.MemberEnd() && full->value.IsObject()) {
            e.full_width = member_int(full->value, "w");
            e.full_height = member_int(full->value, "h");
        }
    }
    e.uploaded_t = member_int(v, "uploaded_t");
    auto imgid = v.FindMember("imgid");
    if (imgid != v.MemberEnd()) {
        e.imgid = as_string(imgid->value);
    }
    auto rev = v.FindMember("rev");
    if (rev != v.MemberEnd()) {
        e.rev = as_string(rev->value);
    }
    e.angle = member_int(v, "angle");
    return e;
}

void write_opt_int(rapidjson::Writer<rapidjson::StringBuffer>& w, const char* key, const std::optional<long long>& v) {
    if (v) {
        w.Key(key);
        w.Int64(*v);
    }
}

void write_string(rapidjson::Writer<rapidjson::StringBuffer>& w, const char* key, const std::string& v) {
    if (!v.empty()) {
        w.Key(key);
        w.String(v.data(), static_cast<rapidjson::SizeType>(v.size()));
    }
}

void write_list(rapidjson::Writer<rapidjson::StringBuffer>& w, const char* key, const std::vector<std::string>& v) {
    w.Key(key);
    w.StartArray();
    for (const auto& s : v) {
        w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
    }
    w.EndArray();
}

}  // namespace

std::vector<std::string> product::image_ids() const {
    std::vector<std::string> ids;
    for (const auto& [key, entry] : images) {
        if (core::is_all_digits(key)) {
            ids.push_back(key);
        }
    }
    return ids;
}

bool product::has_image_id(std::string_view id) const {
    return core::is_all_digits(id) && images.find(std::string(id)) != images.end();
}

const image_entry* product::image(std::string_view key) const {
    auto it = images.find(std::string(key));
    return it == images.end() ? nullptr : &it->second;
}

std::string product::text(std::string_view field) const {
    auto it = texts.find(std::string(field));
    return it == texts.end() ? std::string() : it->second;
}

void flatten_images(rapidjson::Value& images, rapidjson::Document::AllocatorType& alloc) {
    if (!images.IsObject()) {
        return;
    }
    auto uploaded = images.FindMember("uploaded");
    auto selected = images.FindMember("selected");
    bool new_shape = (uploaded != images.MemberEnd() && uploaded->value.IsObject()) ||
                     (selected != images.MemberEnd() && selected->value.IsObject());
    if (!new_shape) {
        return;
    }
    rapidjson::Value flat(rapidjson::kObjectType);
    if (uploaded != images.MemberEnd() && uploaded->value.IsObject()) {
        for (auto& m : uploaded->value.GetObject()) {
            flat.AddMember(rapidjson::Value(m.name, alloc), rapidjson::Value(m.value, alloc), alloc);
        }
    }
    if (selected != images.MemberEnd() && selected->value.IsObject()) {
        for (auto& by_type : selected->value.GetObject()) {
            if (!by_type.value.IsObject()) {
                continue;
            }
            for (auto& by_lang : by_type.value.GetObject()) {
                if (!by_lang.value.IsObject()) {
                    continue;
                }
                std::string key = std::string(by_type.name.GetString()) + "_" + by_lang.name.GetString();
                rapidjson::Value entry(rapidjson::kObjectType);
                for (const char* field : {"imgid", "rev"}) {
                    auto it = by_lang.value.FindMember(field);
                    if (it != by_lang.value.MemberEnd()) {
                        entry.AddMember(rapidjson::StringRef(field), rapidjson::Value(it->value, alloc), alloc);
                    }
                }
                auto sizes = by_lang.value.FindMember("sizes");
                if (sizes != by_lang.value.MemberEnd() && sizes->value.IsObject()) {
                    rapidjson::Value copy(rapidjson::kObjectType);
                    for (auto& size : sizes->value.GetObject()) {
                        rapidjson::Value one(rapidjson::kObjectType);
                        if (size.value.IsObject()) {
                            for (auto& f : size.value.GetObject()) {
                                if (std::string_view(f.name.GetString()) != "url") {
                                    one.AddMember(rapidjson::Value(f.name, alloc), rapidjson::Value(f.value, alloc),
                                                  alloc);
                                }
                            }
                        }
                        copy.AddMember(rapidjson::Value(size.name, alloc), one, alloc);
                    }
                    entry.AddMember("sizes", copy, alloc);
                }
                auto gen = by_lang.value.FindMember("generation");
                if (gen != by_lang.value.MemberEnd() && gen->value.IsObject()) {
                    for (auto& f : gen->value.GetObject()) {
                        if (!entry.HasMember(f.name)) {
                            entry.AddMember(rapidjson::Value(f.name, alloc), rapidjson::Value(f.value, alloc), alloc);
                        }
                    }
                }
                flat.AddMember(rapidjson::Value(key.c_str(), alloc), entry, alloc);
            }
        }
    }
    images = std::move(flat);
}

record_languages record_languages::from_config(const core::config& cfg) {
    return {cfg.get_list("spellcheck.langs"), cfg.get_list("category_matcher.langs"), false};
}

bool record_languages::keeps(std::string_view field) const {
    auto kept = [&](std::string_view lang, const std::vector<std::string>& langs) {
        return every_language ? is_language_suffix(lang) : std::find(langs.begin(), langs.end(), lang) != langs.end();
    };
    if (field.starts_with("ingredients_text")) {
        return field.size() == 16 || (field[16] == '_' && kept(field.substr(17), ingredients));
    }
    return field.starts_with("product_name_") && kept(field.substr(13), names);
}

bool is_record_field(std::string_view key, const record_languages& languages) {
    // Dispatch on the first letter: a dump line has ~200 keys and this runs for each of them.
    switch (key.empty() ? '\0' : key.front()) {
    case 'b': return key == "brands_tags";
    case 'c': return key == "code" || key == "categories_tags" || key == "countries_tags";
    case 'e': return key == "emb_codes" || key == "emb_codes_tags" || key == "expiration_date";
    case 'i': return key == "images" || languages.keeps(key);
    case 'l': return key == "lang" || key == "labels_tags" || key == "languages_codes" || key == "last_modified_t";
    case 'p': return key == "product_name" || key == "packagings" || languages.keeps(key);
    case 'q': return key == "quantity";
    case 's': return key == "stores_tags";
    case 'u': return key == "unique_scans_n";
    default: return false;
    }
}

product normalize_product(const rapidjson::Value& value, core::server_type type, std::string_view barcode_override,
                          const record_languages& languages) {
    if (!value.IsObject()) {
        throw core::json_error("product record is not a JSON object");
    }
    product p;
    p.server_type = type;
    if (!barcode_override.empty()) {
        p.barcode = core::normalize_barcode(barcode_override);
    } else {
        auto code = value.FindMember("code");
        if (code != value.MemberEnd()) {
            p.barcode = core::normalize_barcode(as_string(code->value));
        }
    }
    p.lang = member_string(value, "lang");
    p.product_name = member_string(value, "product_name");
    p.quantity = member_string(value, "quantity");
    p.expiration_date = member_string(value, "expiration_date");
    p.emb_codes = member_string(value, "emb_codes");
    p.countries_tags = member_strings(value, "countries_tags");
    p.categories_tags = member_strings(value, "categories_tags");
    p.emb_codes_tags = member_strings(value, "emb_codes_tags");
    p.labels_tags = member_strings(value, "labels_tags");
    p.brands_tags = member_strings(value, "brands_tags");
    p.stores_tags = member_strings(value, "stores_tags");
    auto langs = value.FindMember("languages_codes");
    if (langs != value.MemberEnd()) {
        if (langs->value.IsObject()) {
            for (const auto& m : langs->value.GetObject()) {
                p.languages_codes.emplace_back(m.name.GetString(), m.name.GetStringLength());
            }
        } else if (langs->value.IsArray()) {
            p.languages_codes = member_strings(value, "languages_codes");
        }
    }
    p.unique_scans_n = member_int(value, "unique_scans_n").value_or(0);
    p.last_modified_t = member_int(value, "last_modified_t");

    auto images = value.FindMember("images");
    if (images != value.MemberEnd() && images->value.IsObject()) {
        const rapidjson::Value* flat = &images->value;
        rapidjson::Document copy;
        if (images->value.HasMember("uploaded") || images->value.HasMember("selected")) {
            copy.CopyFrom(images->value, copy.GetAllocator());
            flatten_images(copy, copy.GetAllocator());
            flat = &copy;
        }
        for (const auto& m : flat->GetObject()) {
            p.images.emplace(std::string(m.name.GetString(), m.name.GetStringLength()), parse_image(m.value));
        }
    }
    auto packagings = value.FindMember("packagings");
    if (packagings != value.MemberEnd() && packagings->value.IsArray()) {
        p.packagings_json = core::to_json(packagings->value);
    }
    for (const auto& m : value.GetObject()) {
        std::string_view name(m.name.GetString(), m.name.GetStringLength());
        if (!m.value.IsString() || m.value.GetStringLength() == 0) {
            continue;
        }
        if (languages.keeps(name)) {
            p.texts.emplace(std::string(name), std::string(m.value.GetString(), m.value.GetStringLength()));
        }
    }
    return p;
}

std::string record_to_json(const product& p) {
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    w.StartObject();
    write_string(w, "code", p.barcode);
    write_string(w, "lang", p.lang);
    write_string(w, "product_name", p.product_name);
    write_string(w, "quantity", p.quantity);
    write_string(w, "expiration_date", p.expiration_date);
    write_string(w, "emb_codes", p.emb_codes);
    write_list(w, "countries_tags", p.countries_tags);
    write_list(w, "categories_tags", p.categories_tags);
    write_list(w, "emb_codes_tags", p.emb_codes_tags);
    write_list(w, "labels_tags", p.labels_tags);
    write_list(w, "brands_tags", p.brands_tags);
    write_list(w, "stores_tags", p.stores_tags);
    write_list(w, "languages_codes", p.languages_codes);
    w.Key("unique_scans_n");
    w.Int64(p.unique_scans_n);
    write_opt_int(w, "last_modified_t", p.last_modified_t);
    w.Key("images");
    w.StartObject();
    for (const auto& [key, e] : p.images) {
        w.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
        w.StartObject();
        write_string(w, "imgid", e.imgid);
        write_string(w, "rev", e.rev);
        write_opt_int(w, "angle", e.angle);
        write_opt_int(w, "uploaded_t", e.uploaded_t);
        if (e.full_width || e.full_height) {
            w.Key("sizes");
            w.StartObject();
            w.Key("full");
            w.StartObject();
            write_opt_int(w, "w", e.full_width);
            write_opt_int(w, "h", e.full_height);
            w.EndObject();
            w.EndObject();
        }
        w.EndObject();
    }
    w.EndObject();
    w.Key("packagings");
    w.RawValue(p.packagings_json.data(), p.packagings_json.size(), rapidjson::kArrayType);
    for (const auto& [key, text] : p.texts) {
        write_string(w, key.c_str(), text);
    }
    w.EndObject();
    return std::string(buf.GetString(), buf.GetSize());
}

product record_from_json(std::string_view json, core::server_type type, std::string_view barcode) {
    auto doc = core::parse_json(json);
    return normalize_product(doc, type, barcode);
}

}  // namespace robotoff::products
