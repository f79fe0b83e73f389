// libFuzzer target: arbitrary bytes (JSON or gzip) -> ocr::parse_vision_json. The only acceptable failure is
// ocr::invalid_ocr; any other exception, crash, sanitizer report or broken invariant is a finding.

#include "robotoff/ocr/ocr_result.hpp"

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
    using namespace robotoff;
    try {
        const ocr::ocr_result r = ocr::parse_vision_json(std::string_view(reinterpret_cast<const char*>(data), size));
        // Invariants of §2.2-2.6 that every query relies on.
        const std::size_t n = r.full_text().size();
        check(r.full_text_contiguous().size() == n);
        std::size_t previous_end = 0;
        for (const auto& w : r.words()) {
            check(w.start >= previous_end && w.start <= w.end && w.end <= n);
            previous_end = w.end;
        }
        (void)r.match_box(0, n);
        (void)r.match_box(n / 2, n / 2 + 1);
        (void)r.words_in_area({0, 0, 1000, 1000});
        (void)r.default_text();
        int total = 0;
        for (const auto& [o, count] : r.orientation_votes().count) {
            check(count > 0);
            total += count;
            (void)ocr::rotation_degrees(o);
        }
        check(total <= static_cast<int>(r.words().size()));
        if (r.has_full_text_annotation()) {
            check(!r.language_counts().empty() && r.language_counts().back().first == "words");
        }
    } catch (const ocr::invalid_ocr&) {
    }
    return 0;
}
