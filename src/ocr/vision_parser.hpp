#pragma once
// Private: the Vision JSON parser and the builder that assembles texts, offsets, votes and counts.

#include "robotoff/ocr/ocr_result.hpp"

#include <string>

namespace robotoff::ocr {

namespace detail {
// Parses JSON (not gzip) owned by the caller; the buffer is parsed in place (modified).
ocr_result parse_vision_buffer(std::string& json);
ocr_result plain_text_result(std::u32string text, bool as_ocr_block);
}  // namespace detail

}  // namespace robotoff::ocr
