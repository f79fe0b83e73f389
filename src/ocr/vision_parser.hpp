#pragma once
// Private: the Vision JSON parser and the builder that assembles texts, offsets, votes and counts.

#include "robotoff/ocr/ocr_result.hpp"

#include <cstddef>
#include <string>

namespace robotoff::ocr {

namespace detail {
// A gzip Vision document inflating past this is refused (real ones are a few MB).
inline constexpr std::size_t max_vision_json_bytes = std::size_t{64} << 20;
// Per-thread parse buffers above this are released after use instead of kept for the next document.
inline constexpr std::size_t kept_scratch_bytes = std::size_t{32} << 20;
// Parses JSON (not gzip) owned by the caller; the buffer is parsed in place (modified).
ocr_result parse_vision_buffer(std::string& json);
ocr_result plain_text_result(std::u32string text, bool as_ocr_block);
}  // namespace detail

}  // namespace robotoff::ocr
