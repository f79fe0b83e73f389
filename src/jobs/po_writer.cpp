#include "robotoff/jobs/po_writer.hpp"

#include "robotoff/core/log.hpp"
#include "robotoff/text/normalize.hpp"

#include <algorithm>
#include <cmath>

namespace robotoff::jobs {

namespace {

namespace st = insights::status;

std::vector<std::string> tags(const rapidjson::Value& product, const char* key) {
    std::vector<std::string> out;
    if (const auto* v = core::get_member(product, key); v && v->IsArray()) {
        for (const auto& t : v->GetArray()) {
            if (t.IsString()) {
                out.emplace_back(t.GetString(), t.GetStringLength());
            }
        }
    }
    return out;
}

bool has(const std::vector<std::string>& list, const std::string& v) {
    return std::find(list.begin(), list.end(), v) != list.end();
}

std::string text(const rapidjson::Value& product, const char* key) {
    auto s = core::get_string(product, key);
    return s ? std::string(*s) : std::string();
}

// Numbers may arrive as strings or integers (pipeline.md §1.2).
std::optional<double> number(const rapidjson::Value* v) {
    if (!v) {
        return std::nullopt;
    }
    if (v->IsNumber()) {
        return v->GetDouble();
    }
    if (v->IsString()) {
        try {
            std::size_t used = 0;
            double d = std::stod(v->GetString(), &used);
            if (used > 0) {
                return d;
            }
        } catch (const std::exception&) {
            return std::nullopt;
        }
    }
    return std::nullopt;
}

std::optional<double> member_number(const rapidjson::Value& obj, const char* key) {
    return number(core::get_member(obj, key));
}

// images[id].sizes.full.{w,h}
std::optional<std::pair<double, double>> full_size(const rapidjson::Value& images, const std::string& id) {
    const auto* img = core::get_member(images, id.c_str());
    if (!img || !img->IsObject()) {
        return std::nullopt;
    }
    const auto* sizes = core::get_member(*img, "sizes");
    const auto* full = sizes && sizes->IsObject() ? core::get_member(*sizes, "full") : nullptr;
    if (!full || !full->IsObject()) {
        return std::nullopt;
    }
    auto w = member_number(*full, "w");
    auto h = member_number(*full, "h");
    if (!w || !h) {
        return std::nullopt;
    }
    return std::make_pair(*w, *h);
}

std::string image_stem(const std::optional<std::string>& source_image) {
    return source_image ? std::string(core::source_image_stem(*source_image)) : std::string();
}

int normalized_angle(std::optional<double> a) {
    int v = a ? static_cast<int>(std::lround(*a)) : 0;
    if (v < 0) {
        v += 360;
    }
    return v % 360;
}

}  // namespace

int po_writer::apply(insights::insight& ins, int annotation, const std::optional<std::string>& user_data_json,
                     const insights::credentials& user, bool is_vote) {
    off::decision_origin origin = is_vote ? off::decision_origin::vote
                                          : (user.authenticated() ? off::decision_origin::user
                                                                  : off::decision_origin::automatic);
    off::credentials creds;
    if (!is_vote) {
        creds.session = user.session_cookie;
        creds.user_id = user.basic_user;
        creds.password = user.basic_password;
    }
    const auto s = ins.server_type;
    const std::string& barcode = ins.barcode;
    try {
        std::vector<std::string> fields = po_.product_record_fields();
        fields.push_back("emb_codes");
        auto product = po_.get_product(s, barcode, fields);
        if (!product) {
            return st::missing_product;
        }
        const rapidjson::Value& p = *product;
        const std::string value = ins.value.value_or("");
        const std::string value_tag = ins.value_tag.value_or("");
        int success = st::updated;
        off::write_request w;
        const std::string& type = ins.type;
        if (type == "packager_code") {
            std::string existing = text(p, "emb_codes");
            std::string key = text::emb_code_key(value);
            std::string list;
            std::size_t start = 0;
            while (start <= existing.size()) {
                auto comma = existing.find(',', start);
                std::string item = existing.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
                if (!item.empty() && text::emb_code_key(item) == key) {
                    return st::already_annotated;
                }
                if (comma == std::string::npos) {
                    break;
                }
                start = comma + 1;
            }
            list = existing.empty() ? value : existing + "," + value;
            w = off::set_packager_codes(s, barcode, list);
        } else if (type == "label") {
            if (has(tags(p, "labels_tags"), value_tag)) {
                return st::already_annotated;
            }
            w = off::add_label(s, barcode, value_tag);
        } else if (type == "category") {
            std::string tag = value_tag;
            if (annotation == 2 && user_data_json) {
                auto data = core::parse_json(*user_data_json);
                tag = std::string(core::get_string(data, "value_tag").value_or(""));
            }
            if (has(tags(p, "categories_tags"), tag)) {
                return st::already_annotated;
            }
            if (annotation == 2) {
                auto data = core::parse_json(ins.data);
                auto& a = data.GetAllocator();
                data.RemoveMember("original_value_tag");
                data.AddMember("original_value_tag", rapidjson::Value(value_tag.c_str(), a), a);
                data.RemoveMember("user_input");
                data.AddMember("user_input", true, a);
                ins.data = core::to_json(data);
                ins.value_tag = tag;
                ins.value = std::nullopt;
                success = st::user_input_updated;
            }
            w = off::add_category(s, barcode, tag);
        } else if (type == "product_weight") {
            if (!text(p, "quantity").empty()) {
                return st::already_annotated;
            }
            w = off::set_quantity(s, barcode, value);
        } else if (type == "expiration_date") {
            if (!text(p, "expiration_date").empty()) {
                return st::already_annotated;
            }
            w = off::set_expiration_date(s, barcode, value);
        } else if (type == "brand") {
            if (has(tags(p, "brands_tags"), value_tag)) {
                return st::already_annotated;
            }
            w = off::add_brand(s, barcode, value);
        } else if (type == "store") {
            if (has(tags(p, "stores_tags"), value_tag)) {
                return st::already_annotated;
            }
            w = off::add_store(s, barcode, value);
        } else if (type == "packaging") {
            auto data = core::parse_json(ins.data);
            auto prop = [&](const char* key) -> std::string {
                const auto* element = core::get_member(data, "element");
                const rapidjson::Value& src = element && element->IsObject() ? *element : data;
                const auto* v = core::get_member(src, key);
                if (!v) {
                    return {};
                }
                if (v->IsString()) {
                    return v->GetString();
                }
                if (v->IsObject()) {
                    return std::string(core::get_string(*v, "value_tag").value_or(core::get_string(*v, "id").value_or("")));
                }
                return {};
            };
            std::string shape = prop("shape");
            if (shape.empty()) {
                shape = value_tag;
            }
            w = off::add_packaging(s, barcode, shape, prop("material"), prop("recycling"));
        } else if (type == "nutrition_image" || type == "image_orientation") {
            const auto* images = core::get_member(p, "images");
            std::string image_id = image_stem(ins.source_image);
            if (!images || !images->IsObject() || image_id.empty() || !images->HasMember(image_id.c_str())) {
                return type == "nutrition_image" ? st::invalid_image : st::updated_product;
            }
            auto data = core::parse_json(ins.data);
            int rotation = normalized_angle(member_number(data, "rotation"));
            auto size = full_size(*images, image_id);
            if (type == "nutrition_image") {
                std::string key = "nutrition_" + value_tag;
                if (images->HasMember(key.c_str())) {
                    return st::already_annotated;
                }
                std::optional<off::box> crop;
                const auto* bb = core::get_member(data, "bounding_box");
                if (bb && bb->IsArray() && bb->Size() == 4 && size) {
                    off::box rel{(*bb)[0].GetDouble(), (*bb)[1].GetDouble(), (*bb)[2].GetDouble(),
                                 (*bb)[3].GetDouble()};
                    crop = off::nutrition_crop(rel, rotation, size->first, size->second);
                }
                w = off::select_image(s, barcode, image_id, key, rotation, crop);
            } else {
                std::string key(core::get_string(data, "image_key").value_or(""));
                const auto* selected = key.empty() ? nullptr : core::get_member(*images, key.c_str());
                if (!size || !selected || !selected->IsObject()) {
                    return st::updated_product;
                }
                auto crop = off::orientation_crop(
                    member_number(*selected, "x1"), member_number(*selected, "y1"), member_number(*selected, "x2"),
                    member_number(*selected, "y2"), text(*selected, "coordinates_image_size") == "full",
                    normalized_angle(member_number(*selected, "angle")), rotation, size->first, size->second);
                w = off::select_image(s, barcode, image_id, key, rotation, crop);
            }
        } else if (type == "ingredient_spellcheck") {
            auto data = core::parse_json(ins.data);
            std::string lang = value_tag;
            std::string field = "ingredients_text_" + lang;
            if (text(p, field.c_str()) != std::string(core::get_string(data, "original").value_or(""))) {
                return st::updated_product;
            }
            std::string new_text(core::get_string(data, "correction").value_or(""));
            if (annotation == 2 && user_data_json) {
                auto user_data = core::parse_json(*user_data_json);
                new_text = std::string(core::get_string(user_data, "annotation").value_or(""));
                auto& a = data.GetAllocator();
                data.RemoveMember("annotation");
                data.AddMember("annotation", rapidjson::Value(new_text.c_str(), a), a);
                ins.data = core::to_json(data);
                success = st::user_input_updated;
            }
            w = off::set_ingredients_text(s, barcode, lang, new_text);
        } else {
            core::log::error("po_writer.unsupported_type", {{"type", type}, {"insight_id", ins.id}});
            return st::failed_update;
        }
        po_.write(w, creds, ins.id, origin);
        return success;
    } catch (const off::po_error& e) {
        core::log::warning("po_writer.failed", {{"insight_id", ins.id},
                                                {"barcode", barcode},
                                                {"kind", std::string(off::to_string(e.kind()))},
                                                {"error", e.what()}});
        return st::failed_update;
    }
}

}  // namespace robotoff::jobs
