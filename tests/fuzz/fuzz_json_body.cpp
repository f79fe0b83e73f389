// libFuzzer target: core::try_parse_json, the one parser of every JSON document from outside (request bodies,
// form values, prediction files, Product Opener answers). Invariants: no crash whatever the nesting; a
// document it accepts is valid UTF-8 without NUL in its strings, and serializing it gives a document that
// parses again to the same text.

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
    check(robotoff::core::to_json(*again) == once);
    return 0;
}
