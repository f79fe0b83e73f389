#pragma once
// UTF-8 checks at the edges: what a client sends is refused when it is not text PostgreSQL can store, and
// what we echo back is always valid UTF-8. Strict (RFC 3629): no overlong forms, no surrogates, nothing
// above U+10FFFF. No ICU here, so the http module can use it.

#include <string>
#include <string_view>

namespace robotoff::core {

// Valid UTF-8 without any NUL byte.
bool is_storable_text(std::string_view text);
// Valid UTF-8 (NUL allowed).
bool is_valid_utf8(std::string_view text);
// A copy where each byte that does not start a valid sequence, and each NUL, becomes U+FFFD.
std::string to_valid_utf8(std::string_view text);

}  // namespace robotoff::core
