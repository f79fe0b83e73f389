// core::append_json_string writes what rapidjson::Writer writes (it replaced a Writer per string).
#include "robotoff/core/json.hpp"
#include "robotoff/core/utf8.hpp"

#include <catch2/catch.hpp>

#include <random>

namespace {

std::string with_writer(std::string_view text) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    writer.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
    return std::string(buffer.GetString(), buffer.GetSize());
}

std::string appended(std::string_view text) {
    std::string out = "x";
    robotoff::core::append_json_string(out, text);
    return out.substr(1);
}

}  // namespace

TEST_CASE("append_json_string escapes like rapidjson::Writer, byte for byte", "[unit]") {
    for (int b = 0; b < 256; ++b) {
        const std::string one(1, static_cast<char>(b));
        INFO(b);
        CHECK(appended(one) == with_writer(one));
        CHECK(appended("a" + one + "b") == with_writer("a" + one + "b"));
    }
    CHECK(appended("") == "\"\"");
    CHECK(appended(std::string_view("a\0b", 3)) == "\"a\\u0000b\"");
    CHECK(appended("caf\xC3\xA9 \"q\" \\ /\n") == "\"caf\xC3\xA9 \\\"q\\\" \\\\ /\\n\"");
    std::mt19937 rng(42);
    std::uniform_int_distribution<int> byte(0, 255);
    std::uniform_int_distribution<int> length(0, 40);
    for (int run = 0; run < 2000; ++run) {
        std::string text(static_cast<std::size_t>(length(rng)), '\0');
        for (auto& c : text) {
            c = static_cast<char>(byte(rng) < 64 ? byte(rng) % 0x24 : byte(rng));
        }
        INFO(run);
        CHECK(appended(text) == with_writer(text));
    }
}

TEST_CASE("json_string_array writes a JSON array of escaped strings", "[unit]") {
    using robotoff::core::json_string_array;
    CHECK(json_string_array({}) == "[]");
    CHECK(json_string_array({"en:france"}) == R"(["en:france"])");
    CHECK(json_string_array({"a\"b", "c\\d", ""}) == R"(["a\"b","c\\d",""])");
}

TEST_CASE("JSON from outside: depth limit, UTF-8 and NUL checks", "[unit][json]") {
    using robotoff::core::json_error;
    using robotoff::core::parse_json;
    using robotoff::core::try_parse_json;
    // A million '[' once crashed the daemon (recursive descent): now a parse error naming the limit.
    const std::string deep(1000000, '[');
    CHECK_FALSE(try_parse_json(deep).has_value());
    CHECK_THROWS_WITH(parse_json(deep), Catch::Contains("nesting deeper than 128 levels"));
    const std::string at_limit = std::string(128, '[') + std::string(128, ']');
    CHECK(parse_json(at_limit).IsArray());
    const std::string past_limit = std::string(129, '[') + std::string(129, ']');
    CHECK_FALSE(try_parse_json(past_limit).has_value());
    CHECK_FALSE(try_parse_json(std::string(200, '{')).has_value());
    // Invalid UTF-8 inside a string, and the NUL character PostgreSQL cannot store.
    CHECK_THROWS_AS(parse_json("{\"a\":\"\xFF\"}"), json_error);
    CHECK_THROWS_AS(parse_json("[\"\xED\xA0\x80\"]"), json_error);
    CHECK_THROWS_WITH(parse_json(R"({"a":"x\u0000y"})"), Catch::Contains("NUL"));
    CHECK_THROWS_WITH(parse_json(R"({"x\u0000":1})"), Catch::Contains("NUL"));
    // Valid documents still parse, with non-ASCII text and escapes.
    auto doc = parse_json(R"({"name":"Crème \u00e9 \ud83c\udf4e","n":[1,2.5,{"k":null}]})");
    CHECK(std::string(doc["name"].GetString()) == "Crème é 🍎");
    CHECK(doc["n"][2]["k"].IsNull());
    CHECK_FALSE(try_parse_json("{\"a\":1} trailing").has_value());
    // A NUL byte ended rapidjson's input: what followed it was never looked at (found by fuzz_json_body).
    CHECK_FALSE(try_parse_json(std::string("1\0garbage", 9)).has_value());
    CHECK_FALSE(try_parse_json(std::string("{}\0", 3)).has_value());
    CHECK_THROWS_WITH(parse_json(R"(["\udddd"])"), Catch::Contains("surrogate"));  // fuzz_json_body
    // A number rapidjson would read as infinity (to_json then wrote nothing at all).
    CHECK_THROWS_WITH(parse_json(std::string(118, '1') + "E00249"), Catch::Contains("too big"));
    // What we write back parses again (numbers may move by one ulp: rapidjson's default number parsing).
    const std::string once = robotoff::core::to_json(parse_json("[-94440498E99, 0.1, 1e-300, 0E99]"));
    CHECK(parse_json(once).Size() == 4);
}

TEST_CASE("UTF-8 validation and repair", "[unit][utf8]") {
    using namespace robotoff::core;
    CHECK(is_storable_text(""));
    CHECK(is_storable_text("Crème brûlée 🍎"));
    CHECK_FALSE(is_storable_text(std::string("a\0b", 3)));
    CHECK(is_valid_utf8(std::string("a\0b", 3)));
    for (const std::string bad : {"\xFF", "\xC0\xAF", "\xE0\x80\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80",
                                  "\xE2\x82", "\x80", "\xF8\x88\x80\x80\x80"}) {
        INFO(bad.size());
        CHECK_FALSE(is_valid_utf8(bad));
        CHECK(is_valid_utf8(to_valid_utf8(bad)));
    }
    CHECK(to_valid_utf8("a\xFF" "b") == "a\xEF\xBF\xBD" "b");
    CHECK(to_valid_utf8(std::string("x\0", 2)) == "x\xEF\xBF\xBD");
    CHECK(to_valid_utf8("ok é") == "ok é");
}
