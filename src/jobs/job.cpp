#include "robotoff/jobs/job.hpp"

#include <algorithm>
#include <vector>

namespace robotoff::jobs {

std::chrono::seconds retry_delay(int attempts, std::chrono::seconds base) {
    if (attempts < 1) {
        attempts = 1;
    }
    // The 1 h cap is reached long before 2^20; avoid shifting past it.
    if (attempts >= 20) {
        return std::chrono::seconds(3600);
    }
    long long s = static_cast<long long>(base.count()) << (attempts - 1);
    return std::chrono::seconds(std::min(s, 3600LL));
}

namespace {

bool contains(const rapidjson::Value& array, const rapidjson::Value& v) {
    for (const auto& item : array.GetArray()) {
        if (item == v) {
            return true;
        }
    }
    return false;
}

}  // namespace

void merge_diffs(rapidjson::Value& target, const rapidjson::Value& incoming,
                 rapidjson::Document::AllocatorType& alloc) {
    if (target.IsObject() && incoming.IsObject()) {
        for (auto it = incoming.MemberBegin(); it != incoming.MemberEnd(); ++it) {
            auto existing = target.FindMember(it->name);
            if (existing == target.MemberEnd()) {
                target.AddMember(rapidjson::Value(it->name, alloc), rapidjson::Value(it->value, alloc), alloc);
            } else {
                merge_diffs(existing->value, it->value, alloc);
            }
        }
        return;
    }
    if (target.IsArray() && incoming.IsArray()) {
        for (const auto& item : incoming.GetArray()) {
            if (!contains(target, item)) {
                target.PushBack(rapidjson::Value(item, alloc), alloc);
            }
        }
        return;
    }
    target.CopyFrom(incoming, alloc);
}

namespace {

// import_image: the existing payload with the union of both flag lists; a side without flags asks for all.
std::string merge_image_flags(std::string_view existing, std::string_view incoming) {
    rapidjson::Document a = core::parse_json(existing);
    rapidjson::Document b = core::parse_json(incoming);
    auto old_flags = image_flags_of(a);
    auto new_flags = image_flags_of(b);
    if (!old_flags) {
        return std::string(existing);
    }
    a.RemoveMember("flags");
    if (new_flags) {
        auto& alloc = a.GetAllocator();
        rapidjson::Value merged(rapidjson::kArrayType);
        for (const auto* list : {&*old_flags, &*new_flags}) {
            for (const auto& f : *list) {
                rapidjson::Value item(f.c_str(), static_cast<rapidjson::SizeType>(f.size()), alloc);
                if (!contains(merged, item)) {
                    merged.PushBack(item, alloc);
                }
            }
        }
        a.AddMember("flags", merged, alloc);
    }
    return core::to_json(a);
}

}  // namespace

std::string merge_payload(std::string_view kind, std::string_view existing, std::string_view incoming) {
    if (kind == "import_image") {
        return merge_image_flags(existing, incoming);
    }
    if (kind != "product_updated") {
        return std::string(existing);
    }
    rapidjson::Document a = core::parse_json(existing);
    rapidjson::Document b = core::parse_json(incoming);
    auto& alloc = a.GetAllocator();
    const rapidjson::Value* new_diffs = core::get_member(b, "diffs");
    auto old_it = a.FindMember("diffs");
    bool old_empty = old_it == a.MemberEnd() || !old_it->value.IsObject() || old_it->value.ObjectEmpty();
    bool new_empty = !new_diffs || !new_diffs->IsObject() || new_diffs->ObjectEmpty();
    // Empty diffs mean "created / unknown change": everything is re-examined, which covers any other diff.
    if (old_empty || new_empty) {
        if (old_it != a.MemberEnd()) {
            old_it->value.SetObject();
        } else {
            a.AddMember("diffs", rapidjson::Value(rapidjson::kObjectType), alloc);
        }
    } else {
        merge_diffs(old_it->value, *new_diffs, alloc);
    }
    // A forced category model (product_type_switched) stays forced.
    if (core::get_bool(b, "force_category").value_or(false)) {
        a.RemoveMember("force_category");
        a.AddMember("force_category", true, alloc);
    }
    return core::to_json(a);
}

const image_flags& all_image_flags() {
    static const image_flags flags = {std::string(image_flag::add_image_fingerprint),
                                      std::string(image_flag::run_nutrition_table_object_detection),
                                      std::string(image_flag::run_logo_object_detection),
                                      std::string(image_flag::import_insights_from_image),
                                      std::string(image_flag::extract_ingredients),
                                      std::string(image_flag::extract_nutrition),
                                      std::string(image_flag::predict_category)};
    return flags;
}

const image_flags& upload_image_flags() {
    static const image_flags flags(all_image_flags().begin(), all_image_flags().begin() + 2);
    return flags;
}

const image_flags& ocr_image_flags() {
    static const image_flags flags(all_image_flags().begin() + 2, all_image_flags().end());
    return flags;
}

std::string image_flags_json(const image_flags& flags) {
    return core::json_string_array(flags);
}

std::optional<image_flags> image_flags_of(const rapidjson::Value& payload) {
    const rapidjson::Value* member = payload.IsObject() ? core::get_member(payload, "flags") : nullptr;
    if (!member) {
        return std::nullopt;
    }
    image_flags out;
    if (member->IsArray()) {
        for (const auto& f : member->GetArray()) {
            if (f.IsString()) {
                out.emplace_back(f.GetString(), f.GetStringLength());
            }
        }
    }
    return out;
}

bool has_image_flag(const rapidjson::Value& payload, std::string_view flag) {
    auto flags = image_flags_of(payload);
    return !flags || std::find(flags->begin(), flags->end(), flag) != flags->end();
}

std::string import_image_payload(core::server_type s, std::string_view barcode, std::string_view image_id,
                                 std::string_view image_url, std::string_view ocr_url,
                                 const std::optional<image_flags>& flags) {
    std::string extra = "{\"image_id\":";
    core::append_json_string(extra, image_id);
    extra += ",\"image_url\":";
    core::append_json_string(extra, image_url);
    extra += ",\"ocr_url\":";
    core::append_json_string(extra, ocr_url);
    extra += ",\"ocr_checks\":0";
    if (flags) {
        extra += ",\"flags\":" + image_flags_json(*flags);
    }
    extra += "}";
    return product_payload(s, barcode, dedup_key_for("import_image", core::product_key(s, barcode), image_id), extra);
}

std::string product_payload(core::server_type s, std::string_view barcode, std::string_view dedup_key,
                            std::string_view extra_json) {
    std::string key = core::product_key(s, barcode);
    std::string out = "{\"server_type\":";
    core::append_json_string(out, core::to_string(s));
    out += ",\"barcode\":";
    core::append_json_string(out, barcode);
    out += ",\"product_key\":";
    core::append_json_string(out, key);
    if (!dedup_key.empty()) {
        out += ",\"dedup_key\":";
        core::append_json_string(out, dedup_key);
    }
    if (!extra_json.empty()) {
        auto body = std::string_view(extra_json);
        // Splice the members of the extra object.
        auto open = body.find('{');
        auto close = body.rfind('}');
        if (open != std::string_view::npos && close != std::string_view::npos && close > open + 1) {
            std::string_view members = body.substr(open + 1, close - open - 1);
            if (members.find_first_not_of(" \t\n") != std::string_view::npos) {
                out += ",";
                out += members;
            }
        }
    }
    out += "}";
    return out;
}

std::string dedup_key_for(std::string_view kind, std::string_view product_key, std::string_view image_id) {
    if (kind == "import_image") {
        return "image:" + std::string(product_key) + ":" + std::string(image_id);
    }
    if (kind == "product_updated") {
        return "updated:" + std::string(product_key);
    }
    if (kind == "product_deleted") {
        return "deleted:" + std::string(product_key);
    }
    if (kind == "refresh_product") {
        return "refresh:" + std::string(product_key);
    }
    if (kind == "product_type_switched") {
        return "type_switch:" + std::string(product_key);
    }
    return std::string(kind);
}

bool is_batch_kind(std::string_view kind) {
    return kind == "download_dataset" || kind == "refresh_all" || kind == "category_matcher_batch" ||
           kind == "spellcheck_batch" || kind == "build_spellcheck_corpus";
}

const std::vector<std::string>& all_kinds() {
    static const std::vector<std::string> kinds = {
        "import_image",      "product_updated",     "product_deleted",        "image_deleted",
        "refresh_product",   "import_predictions_file", "process_insights",   "download_dataset",
        "refresh_all",       "download_taxonomies", "category_matcher_batch", "build_spellcheck_corpus",
        "spellcheck_batch",  "cleanup",             "product_type_switched"};
    return kinds;
}

}  // namespace robotoff::jobs
