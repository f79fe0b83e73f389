#pragma once
// RapidJSON helpers shared by the modules. RapidJSON is the project's JSON library; modules may use its
// types in their public headers through this header only (so RAPIDJSON_HAS_STDSTRING is set consistently).

#ifndef RAPIDJSON_HAS_STDSTRING
#define RAPIDJSON_HAS_STDSTRING 1
#endif
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

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

// Parses a JSON document; throws json_error "invalid JSON at offset N: <reason>".
rapidjson::Document parse_json(std::string_view text);
// Same, but nullopt instead of an exception.
std::optional<rapidjson::Document> try_parse_json(std::string_view text);

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
