// libFuzzer target: core::try_parse_json, the one parser of every JSON document from outside (request bodies,
// form values, prediction files, Product Opener answers). Invariants: no crash whatever the nesting; a
// document it accepts is valid UTF-8 without NUL in its strings, and serializing it gives a document that
// parses again.

#include "robotoff/core/json.hpp"
#include "robotoff/core/utf8.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace {

void check(bool ok) {
    if (!ok) {
        __builtin_trap();
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto doc = robotoff::core::try_parse_json(text);
    if (!doc) {
        return 0;
    }
    const std::string once = robotoff::core::to_json(*doc);
    check(robotoff::core::is_storable_text(once));
    const auto again = robotoff::core::try_parse_json(once);
    check(again.has_value());
    // Same shape; numbers are not compared: rapidjson's default double parsing is not correctly rounded, so
    // one may move by an ulp per round trip (its full-precision mode has undefined behaviour on "0E99").
    check(again->GetType() == doc->GetType());
    check(robotoff::core::is_storable_text(robotoff::core::to_json(*again)));
    return 0;
}
