#include "robotoff/core/json.hpp"

#include "robotoff/core/utf8.hpp"

#include <rapidjson/encodedstream.h>
#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>

#include <cmath>
#include <cstring>

namespace robotoff::core {

bool checked_json_handler::enter() {
    if (++depth > json_max_depth) {
        refusal = "nesting deeper than " + std::to_string(json_max_depth) + " levels";
        return false;
    }
    return true;
}

bool checked_json_handler::finite(double d) {
    if (!std::isfinite(d)) {
        refusal = "a number too big for a double";
        return false;
    }
    return true;
}

bool checked_json_handler::no_nul(const char* s, rapidjson::SizeType n) {
    if (std::memchr(s, 0, n) != nullptr) {
        refusal = "a string holds a NUL character";
        return false;
    }
    // Escapes are decoded after the encoding check: a lone "\udc00" would store invalid UTF-8.
    if (!is_valid_utf8(std::string_view(s, n))) {
        refusal = "a string holds an unpaired surrogate escape";
        return false;
    }
    return true;
}

namespace {

// The parse behind both entry points: an error message, or empty when `doc` holds the document.
std::string parse_checked(std::string_view text, rapidjson::Document& doc) {
    // rapidjson reads a NUL byte as the end of its input: "1\0garbage" would pass as "1".
    if (const void* nul = std::memchr(text.data(), 0, text.size())) {
        return "invalid JSON at offset " + std::to_string(static_cast<const char*>(nul) - text.data()) +
               ": a NUL byte";
    }
    rapidjson::Reader reader;
    checked_json_handler handler{doc, {}, 0};
    auto generate = [&](rapidjson::Document& target) {
        (void)target;  // the handler writes into `doc`, which is `target`
        rapidjson::MemoryStream memory(text.data(), text.size());
        rapidjson::EncodedInputStream<rapidjson::UTF8<>, rapidjson::MemoryStream> input(memory);
        reader.Parse<rapidjson::kParseValidateEncodingFlag>(input, handler);
        return !reader.HasParseError();
    };
    doc.Populate(generate);
    if (!reader.HasParseError()) {
        return {};
    }
    return "invalid JSON at offset " + std::to_string(reader.GetErrorOffset()) + ": " +
           (handler.refusal.empty() ? std::string(rapidjson::GetParseError_En(reader.GetParseErrorCode()))
                                    : handler.refusal);
}

}  // namespace

bool parse_json_insitu(char* text, rapidjson::Document& doc) {
    rapidjson::Reader reader;
    checked_json_handler handler{doc, {}, 0};
    auto generate = [&](rapidjson::Document&) {
        rapidjson::InsituStringStream input(text);
        reader.Parse<rapidjson::kParseInsituFlag | rapidjson::kParseValidateEncodingFlag>(input, handler);
        return !reader.HasParseError();
    };
    doc.Populate(generate);
    return !reader.HasParseError();
}

rapidjson::Document parse_json(std::string_view text) {
    rapidjson::Document doc;
    if (auto error = parse_checked(text, doc); !error.empty()) {
        throw json_error(error);
    }
    return doc;
}

std::optional<rapidjson::Document> try_parse_json(std::string_view text) {
    rapidjson::Document doc;
    if (!parse_checked(text, doc).empty()) {
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
    // The escapes of rapidjson::Writer (quote, backslash, control characters; other bytes as they are),
    // written straight into `out`: a Writer and its buffer per string were a heap allocation for every
    // field of every API answer.
    static constexpr char hex[] = "0123456789ABCDEF";
    out += '"';
    std::size_t plain_from = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c >= 0x20 && c != '"' && c != '\\') {
            continue;
        }
        out.append(text, plain_from, i - plain_from);
        plain_from = i + 1;
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
            out += "\\u00";
            out += hex[c >> 4];
            out += hex[c & 0xF];
        }
    }
    out.append(text, plain_from);
    out += '"';
}

std::string json_string_array(const std::vector<std::string>& items) {
    std::string out = "[";
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i > 0) {
            out += ',';
        }
        append_json_string(out, items[i]);
    }
    out += ']';
    return out;
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
