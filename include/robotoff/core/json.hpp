#pragma once
// RapidJSON helpers shared by the modules. RapidJSON is the project's JSON library; modules may use its
// types in their public headers through this header only (so RAPIDJSON_HAS_STDSTRING is set consistently).

#ifndef RAPIDJSON_HAS_STDSTRING
#define RAPIDJSON_HAS_STDSTRING 1
#endif
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace robotoff::core {

class json_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Deepest nesting of arrays and objects any JSON we read may have (documents we meet nest about 12
// levels; recursion past this could exhaust the stack on hostile input).
inline constexpr int json_max_depth = 128;

// Forwards SAX events to a document and refuses, as a parse error, nesting deeper than json_max_depth and
// strings or keys holding a NUL character (PostgreSQL text and jsonb cannot store one), and numbers too big
// for a double. The one mechanism
// behind parse_json, try_parse_json and the Vision OCR parser.
struct checked_json_handler {
    rapidjson::Document& doc;
    std::string refusal;  // why the handler stopped the parse (empty: a syntax error, or none)
    int depth = 0;

    bool Null() { return doc.Null(); }
    bool Bool(bool b) { return doc.Bool(b); }
    bool Int(int i) { return doc.Int(i); }
    bool Uint(unsigned u) { return doc.Uint(u); }
    bool Int64(int64_t i) { return doc.Int64(i); }
    bool Uint64(uint64_t u) { return doc.Uint64(u); }
    bool Double(double d) { return finite(d) && doc.Double(d); }
    bool RawNumber(const char* s, rapidjson::SizeType n, bool copy) { return doc.RawNumber(s, n, copy); }
    bool String(const char* s, rapidjson::SizeType n, bool copy) { return no_nul(s, n) && doc.String(s, n, copy); }
    bool Key(const char* s, rapidjson::SizeType n, bool copy) { return no_nul(s, n) && doc.Key(s, n, copy); }
    bool StartObject() { return enter() && doc.StartObject(); }
    bool EndObject(rapidjson::SizeType n) { return leave() && doc.EndObject(n); }
    bool StartArray() { return enter() && doc.StartArray(); }
    bool EndArray(rapidjson::SizeType n) { return leave() && doc.EndArray(n); }

private:
    bool enter();
    bool leave() {
        --depth;
        return true;
    }
    bool no_nul(const char* s, rapidjson::SizeType n);
    // rapidjson turns some huge numbers into infinity, which no JSON writer can write back.
    bool finite(double d);
};

// Parses a JSON document (UTF-8 validated, depth-limited, no NUL in strings); throws json_error
// "invalid JSON at offset N: <reason>".
rapidjson::Document parse_json(std::string_view text);
// Same, but nullopt instead of an exception.
std::optional<rapidjson::Document> try_parse_json(std::string_view text);
// The same checks, parsing NUL-terminated `text` in place into `doc` (its strings point into `text`, which
// is modified; `doc` keeps its allocator). False on any error.
bool parse_json_insitu(char* text, rapidjson::Document& doc);

// Compact serialization.
std::string to_json(const rapidjson::Value& value);

// Appends a JSON string literal (quoted and escaped) to `out`.
void append_json_string(std::string& out, std::string_view text);
// ["a","b"]: a JSON array of the strings.
std::string json_string_array(const std::vector<std::string>& items);
// Appends `"key":raw_value` to an object being written, with a comma before it unless `first` (then cleared).
// `raw_value` is JSON text already.
void append_json_member(std::string& out, std::string_view key, std::string_view raw_value, bool& first);

// Small accessors returning nullopt when the member is absent or has another type.
std::optional<std::string_view> get_string(const rapidjson::Value& object, const char* key);
std::optional<long long> get_int(const rapidjson::Value& object, const char* key);
std::optional<double> get_double(const rapidjson::Value& object, const char* key);
std::optional<bool> get_bool(const rapidjson::Value& object, const char* key);
const rapidjson::Value* get_member(const rapidjson::Value& object, const char* key);

}  // namespace robotoff::core
