#include "robotoff/extract/prediction.hpp"

#include "robotoff/core/json.hpp"

#include <rapidjson/error/en.h>

namespace robotoff::extract {

namespace {

void put_optional_string(rapidjson::Writer<rapidjson::StringBuffer>& w, const std::optional<std::string>& s) {
    if (s) {
        w.String(s->data(), static_cast<rapidjson::SizeType>(s->size()));
    } else {
        w.Null();
    }
}

}  // namespace

std::string to_json_line(const prediction& p) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
    w.StartObject();
    w.Key("type");
    w.String(p.type.data(), static_cast<rapidjson::SizeType>(p.type.size()));
    w.Key("value");
    put_optional_string(w, p.value);
    w.Key("value_tag");
    put_optional_string(w, p.value_tag);
    w.Key("data");
    // `data` is already compact JSON produced by the extractors (or checked by prediction_from_json).
    w.RawValue(p.data.data(), p.data.size(), rapidjson::kObjectType);
    w.Key("predictor");
    put_optional_string(w, p.predictor);
    w.Key("predictor_version");
    w.String(p.predictor_version.data(), static_cast<rapidjson::SizeType>(p.predictor_version.size()));
    w.Key("automatic_processing");
    if (p.automatic_processing) {
        w.Bool(*p.automatic_processing);
    } else {
        w.Null();
    }
    w.Key("confidence");
    if (p.confidence) {
        w.Double(*p.confidence);
    } else {
        w.Null();
    }
    w.Key("barcode");
    put_optional_string(w, p.barcode);
    w.Key("server_type");
    put_optional_string(w, p.server_type);
    w.Key("source_image");
    put_optional_string(w, p.source_image);
    w.Key("source_file");
    put_optional_string(w, p.source_file);
    w.EndObject();
    return std::string(buffer.GetString(), buffer.GetSize());
}

namespace {

std::optional<std::string> optional_string_field(const rapidjson::Value& obj, const char* key) {
    const auto it = obj.FindMember(key);
    if (it == obj.MemberEnd() || it->value.IsNull()) {
        return std::nullopt;
    }
    if (!it->value.IsString()) {
        throw prediction_format_error(std::string("prediction key \"") + key + "\" must be a string or null");
    }
    return std::string(it->value.GetString(), it->value.GetStringLength());
}

}  // namespace

prediction prediction_from_json(std::string_view line) {
    rapidjson::Document doc;
    try {
        doc = core::parse_json(line);
    } catch (const core::json_error& e) {
        throw prediction_format_error(e.what());
    }
    if (!doc.IsObject()) {
        throw prediction_format_error("prediction must be a JSON object");
    }
    prediction p;
    auto type = optional_string_field(doc, "type");
    if (!type || type->empty()) {
        throw prediction_format_error("prediction key \"type\" is missing or empty");
    }
    p.type = std::move(*type);
    p.value = optional_string_field(doc, "value");
    p.value_tag = optional_string_field(doc, "value_tag");
    p.predictor = optional_string_field(doc, "predictor");
    if (auto v = optional_string_field(doc, "predictor_version")) {
        p.predictor_version = std::move(*v);
    }
    p.barcode = optional_string_field(doc, "barcode");
    p.server_type = optional_string_field(doc, "server_type");
    p.source_image = optional_string_field(doc, "source_image");
    p.source_file = optional_string_field(doc, "source_file");
    if (const auto it = doc.FindMember("data"); it != doc.MemberEnd() && !it->value.IsNull()) {
        if (!it->value.IsObject()) {
            throw prediction_format_error("prediction key \"data\" must be an object");
        }
        p.data = core::to_json(it->value);
    }
    if (const auto it = doc.FindMember("automatic_processing"); it != doc.MemberEnd() && !it->value.IsNull()) {
        if (!it->value.IsBool()) {
            throw prediction_format_error("prediction key \"automatic_processing\" must be a boolean or null");
        }
        p.automatic_processing = it->value.GetBool();
    }
    if (const auto it = doc.FindMember("confidence"); it != doc.MemberEnd() && !it->value.IsNull()) {
        if (!it->value.IsNumber()) {
            throw prediction_format_error("prediction key \"confidence\" must be a number or null");
        }
        p.confidence = it->value.GetDouble();
    }
    return p;
}

}  // namespace robotoff::extract
