#include "robotoff/core/json.hpp"

#include <rapidjson/error/en.h>

namespace robotoff::core {

rapidjson::Document parse_json(std::string_view text) {
    rapidjson::Document doc;
    doc.Parse(text.data(), text.size());
    if (doc.HasParseError()) {
        throw json_error("invalid JSON at offset " + std::to_string(doc.GetErrorOffset()) + ": " +
                         rapidjson::GetParseError_En(doc.GetParseError()));
    }
    return doc;
}

std::optional<rapidjson::Document> try_parse_json(std::string_view text) {
    rapidjson::Document doc;
    doc.Parse(text.data(), text.size());
    if (doc.HasParseError()) {
        return std::nullopt;
    }
    return doc;
}

std::string to_json(const rapidjson::Value& value) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    value.Accept(writer);
    return std::string(buffer.GetString(), buffer.GetSize());
}

void append_json_string(std::string& out, std::string_view text) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    writer.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
    out.append(buffer.GetString(), buffer.GetSize());
}

void append_json_member(std::string& out, std::string_view key, std::string_view raw_value, bool& first) {
    if (!first) {
        out += ',';
    }
    first = false;
    append_json_string(out, key);
    out += ':';
    out += raw_value;
}

const rapidjson::Value* get_member(const rapidjson::Value& object, const char* key) {
    if (!object.IsObject()) {
        return nullptr;
    }
    const auto it = object.FindMember(key);
    return it == object.MemberEnd() ? nullptr : &it->value;
}

std::optional<std::string_view> get_string(const rapidjson::Value& object, const char* key) {
    const auto* v = get_member(object, key);
    if (!v || !v->IsString()) {
        return std::nullopt;
    }
    return std::string_view(v->GetString(), v->GetStringLength());
}

std::optional<long long> get_int(const rapidjson::Value& object, const char* key) {
    const auto* v = get_member(object, key);
    if (!v || !v->IsInt64()) {
        return std::nullopt;
    }
    return v->GetInt64();
}

std::optional<double> get_double(const rapidjson::Value& object, const char* key) {
    const auto* v = get_member(object, key);
    if (!v || !v->IsNumber()) {
        return std::nullopt;
    }
    return v->GetDouble();
}

std::optional<bool> get_bool(const rapidjson::Value& object, const char* key) {
    const auto* v = get_member(object, key);
    if (!v || !v->IsBool()) {
        return std::nullopt;
    }
    return v->GetBool();
}

}  // namespace robotoff::core
