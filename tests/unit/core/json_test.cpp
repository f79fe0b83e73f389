// core::append_json_string writes what rapidjson::Writer writes (it replaced a Writer per string).
#include "robotoff/core/json.hpp"

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
