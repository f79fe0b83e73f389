#include "robotoff/insights/file_import.hpp"

#include "robotoff/core/json.hpp"
#include "robotoff/insights/types.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <stdexcept>

namespace robotoff::insights {
namespace {

std::optional<std::string> opt_string(const rapidjson::Value& obj, const char* key) {
    auto it = obj.FindMember(key);
    if (it == obj.MemberEnd() || it->value.IsNull()) {
        return std::nullopt;
    }
    if (it->value.IsString()) {
        return std::string(it->value.GetString(), it->value.GetStringLength());
    }
    if (it->value.IsNumber()) {
        return core::to_json(it->value);
    }
    throw std::invalid_argument(std::string("\"") + key + "\" must be a string");
}

std::string required_barcode(const rapidjson::Value& obj) {
    auto code = opt_string(obj, "barcode");
    if (!code || code->empty()) {
        throw std::invalid_argument("\"barcode\" is required");
    }
    return core::normalize_barcode(*code);
}

core::server_type line_server_type(const rapidjson::Value& obj, core::server_type fallback) {
    auto s = opt_string(obj, "server_type");
    if (!s) {
        return fallback;
    }
    auto t = core::parse_server_type(*s);
    if (!t) {
        throw std::invalid_argument("invalid server_type: " + *s);
    }
    return *t;
}

// "DD/MM/YYYY" -> "YYYY-MM-DD"; other text is kept.
std::string iso_from_french_date(const std::string& text) {
    if (text.size() == 10 && text[2] == '/' && text[5] == '/') {
        return text.substr(6, 4) + "-" + text.substr(3, 2) + "-" + text.substr(0, 2);
    }
    return text;
}

std::string replace_all(std::string s, std::string_view from, std::string_view to) {
    std::size_t pos = 0;
    while ((pos = s.find(from, pos)) != std::string::npos) {
        s.replace(pos, from.size(), to);
        pos += to.size();
    }
    return s;
}

prediction base(const rapidjson::Value& obj, const std::string& type, core::server_type st) {
    prediction p;
    p.barcode = required_barcode(obj);
    p.server_type = st;
    p.type = type;
    return p;
}

std::vector<prediction> from_prediction_form(const rapidjson::Value& obj, const std::optional<std::string>& form_type,
                                             core::server_type st) {
    auto type = opt_string(obj, "type");
    if (!type || !is_prediction_type(*type)) {
        throw std::invalid_argument("unknown prediction type");
    }
    if (form_type && *type != *form_type) {
        throw std::invalid_argument("\"type\" differs from the form type");
    }
    prediction p = base(obj, *type, st);
    p.value = opt_string(obj, "value");
    p.value_tag = opt_string(obj, "value_tag");
    p.source_image = opt_string(obj, "source_image");
    p.predictor = opt_string(obj, "predictor");
    p.predictor_version = opt_string(obj, "predictor_version");
    const auto* data = core::get_member(obj, "data");
    if (data && !data->IsNull()) {
        if (!data->IsObject()) {
            throw std::invalid_argument("\"data\" must be an object");
        }
        p.data = core::to_json(*data);
    }
    const auto* automatic = core::get_member(obj, "automatic_processing");
    if (automatic && !automatic->IsNull()) {
        if (!automatic->IsBool()) {
            throw std::invalid_argument("\"automatic_processing\" must be a boolean");
        }
        p.automatic_processing = automatic->GetBool();
    }
    const auto* confidence = core::get_member(obj, "confidence");
    if (confidence && !confidence->IsNull()) {
        if (!confidence->IsNumber()) {
            throw std::invalid_argument("\"confidence\" must be a number");
        }
        p.confidence = confidence->GetDouble();
    }
    return {p};
}

std::vector<prediction> from_ocr_batch(const rapidjson::Value& obj, const std::string& type, core::server_type st) {
    auto source = opt_string(obj, "source");
    std::optional<std::string> source_image;
    if (source) {
        source_image = replace_all(replace_all(*source, "//", "/"), ".json", ".jpg");
    }
    const auto& items = obj["insights"];
    std::vector<prediction> out;
    for (const auto& item : items.GetArray()) {
        if (!item.IsObject()) {
            throw std::invalid_argument("\"insights\" items must be objects");
        }
        prediction p = base(obj, type, st);
        p.source_image = source_image;
        p.data = core::to_json(item);
        if (type == "label") {
            p.value_tag = opt_string(item, "label_tag");
        } else if (type == "expiration_date") {
            auto text = opt_string(item, "text");
            if (text) {
                p.value = iso_from_french_date(*text);
            }
        } else if (type == "brand") {
            p.value = opt_string(item, "brand");
            p.value_tag = opt_string(item, "brand_tag");
        } else {
            p.value = opt_string(item, "text");  // packager_code, product_weight, others
        }
        out.push_back(std::move(p));
    }
    return out;
}

std::vector<prediction> from_category(const rapidjson::Value& obj, core::server_type st) {
    prediction p = base(obj, "category", st);
    p.value_tag = opt_string(obj, "category");
    const auto* confidence = core::get_member(obj, "confidence");
    if (confidence && confidence->IsNumber()) {
        p.confidence = confidence->GetDouble();
    }
    // A model score means the line came from a model; otherwise it is a plain import.
    p.predictor = p.confidence ? "model" : "import";
    rapidjson::Document data;
    data.SetObject();
    for (const auto& m : obj.GetObject()) {
        std::string_view k(m.name.GetString());
        if (k != "category" && k != "confidence" && k != "barcode" && k != "server_type") {
            auto& a = data.GetAllocator();
            data.AddMember(rapidjson::Value(m.name, a), rapidjson::Value(m.value, a), a);
        }
    }
    p.data = core::to_json(data);
    return {p};
}

// Corrections spliced into the text: items {"start_offset", "end_offset", "correction"} (code points are not
// needed here: the legacy files used byte offsets of ASCII-dominated text; out-of-range items are ignored).
std::string splice(const std::string& text, const rapidjson::Value& corrections) {
    std::vector<std::tuple<std::size_t, std::size_t, std::string>> edits;
    for (const auto& c : corrections.GetArray()) {
        if (!c.IsObject()) {
            continue;
        }
        auto start = core::get_int(c, "start_offset");
        auto end = core::get_int(c, "end_offset");
        auto correction = core::get_string(c, "correction");
        if (start && end && correction && *start >= 0 && *end >= *start &&
            static_cast<std::size_t>(*end) <= text.size()) {
            edits.emplace_back(static_cast<std::size_t>(*start), static_cast<std::size_t>(*end),
                               std::string(*correction));
        }
    }
    std::sort(edits.begin(), edits.end(), [](const auto& a, const auto& b) { return std::get<0>(a) > std::get<0>(b); });
    std::string out = text;
    for (const auto& [start, end, correction] : edits) {
        out.replace(start, end - start, correction);
    }
    return out;
}

std::vector<prediction> from_spellcheck(const rapidjson::Value& obj, core::server_type st) {
    prediction p = base(obj, "ingredient_spellcheck", st);
    std::string lang = opt_string(obj, "lang").value_or("fr");
    std::string text = opt_string(obj, "text").value_or("");
    const auto& corrections = obj["corrections"];
    auto corrected = opt_string(obj, "corrected");
    std::string correction = corrected ? *corrected : (corrections.IsArray() ? splice(text, corrections) : text);
    p.value_tag = lang;
    p.predictor = "spellcheck";
    rapidjson::Document data;
    data.SetObject();
    auto& a = data.GetAllocator();
    data.AddMember("original", rapidjson::Value(text.c_str(), a), a);
    data.AddMember("correction", rapidjson::Value(correction.c_str(), a), a);
    data.AddMember("lang", rapidjson::Value(lang.c_str(), a), a);
    data.AddMember("corrections", rapidjson::Value(corrections, a), a);
    p.data = core::to_json(data);
    return {p};
}

}  // namespace

std::vector<prediction> parse_prediction_line(std::string_view line, const std::optional<std::string>& form_type,
                                              core::server_type default_server_type) {
    auto doc = core::parse_json(line);
    if (!doc.IsObject()) {
        throw std::invalid_argument("line is not a JSON object");
    }
    core::server_type st = line_server_type(doc, default_server_type);
    bool has_insights = doc.HasMember("insights") && doc["insights"].IsArray();
    if (doc.HasMember("type") && !has_insights) {
        return from_prediction_form(doc, form_type, st);
    }
    if (!form_type) {
        throw std::invalid_argument("\"type\" is required");
    }
    if (has_insights && doc.HasMember("source")) {
        return from_ocr_batch(doc, *form_type, st);
    }
    if (doc.HasMember("category")) {
        return from_category(doc, st);
    }
    if (doc.HasMember("text") && doc.HasMember("corrections")) {
        return from_spellcheck(doc, st);
    }
    throw std::invalid_argument("unrecognized line form");
}

file_import_summary import_prediction_lines(db::connection& conn, const insight_environment& env,
                                            const std::vector<std::string>& lines,
                                            const std::optional<std::string>& form_type,
                                            core::server_type default_server_type, const product_lookup& lookup) {
    file_import_summary summary;
    // Group by product, keeping file order inside each product (first tuple wins on duplicates).
    std::map<std::pair<core::server_type, std::string>, std::vector<prediction>> by_product;
    for (const auto& line : lines) {
        ++summary.lines;
        if (line.find_first_not_of(" \t\r\n") == std::string::npos) {
            continue;
        }
        try {
            for (auto& p : parse_prediction_line(line, form_type, default_server_type)) {
                ++summary.predictions;
                by_product[{p.server_type, p.barcode}].push_back(std::move(p));
            }
        } catch (const std::exception&) {
            ++summary.malformed;
            if (summary.malformed_lines.size() < 100) {
                summary.malformed_lines.push_back(summary.lines);
            }
        }
    }
    for (const auto& [key, predictions] : by_product) {
        ++summary.products;
        std::optional<products::product> product =
            lookup ? lookup(conn, key.first, key.second) : stored_product(conn, key.first, key.second);
        if (!product) {
            ++summary.products_not_found;
        }
        auto r = import_product_predictions(conn, env, key.first, key.second, predictions, product);
        summary.dropped_invalid += static_cast<std::uint64_t>(r.dropped_invalid);
        summary.stored.inserted += r.predictions.inserted;
        summary.stored.updated += r.predictions.updated;
        summary.stored.deleted += r.predictions.deleted;
        summary.stored.types.insert(r.predictions.types.begin(), r.predictions.types.end());
        summary.insights.inserted += r.insights.inserted;
        summary.insights.updated += r.insights.updated;
        summary.insights.deleted += r.insights.deleted;
    }
    return summary;
}

std::string format_summary(const file_import_summary& s) {
    char buf[512];
    std::snprintf(buf, sizeof buf,
                  "lines %llu, malformed %llu, predictions %llu, products %llu (not found %llu), dropped invalid %llu; "
                  "predictions inserted %d, updated %d, deleted %d; insights inserted %d, updated %d, deleted %d",
                  static_cast<unsigned long long>(s.lines), static_cast<unsigned long long>(s.malformed),
                  static_cast<unsigned long long>(s.predictions), static_cast<unsigned long long>(s.products),
                  static_cast<unsigned long long>(s.products_not_found),
                  static_cast<unsigned long long>(s.dropped_invalid), s.stored.inserted, s.stored.updated,
                  s.stored.deleted, s.insights.inserted, s.insights.updated, s.insights.deleted);
    std::string out = buf;
    if (!s.malformed_lines.empty()) {
        out += " (malformed lines";
        for (std::size_t i = 0; i < s.malformed_lines.size() && i < 10; ++i) {
            out += ' ' + std::to_string(s.malformed_lines[i]);
        }
        out += s.malformed_lines.size() > 10 ? " ...)" : ")";
    }
    return out;
}

}  // namespace robotoff::insights
