#pragma once
// Unicode text helpers (ICU underneath): UTF-8 <-> code points, lower-casing, case folding, the ASCII fold,
// tags and emb-code keys of ocr-and-extraction.md §3.3. Pure functions, thread-safe.
// Offsets elsewhere in the project count code points (spec README §5): use to_u32 to index text.

#include <string>
#include <string_view>

namespace robotoff::text {

// Decodes UTF-8; each invalid byte becomes U+FFFD (so the result never fails).
std::u32string to_u32(std::string_view utf8);
std::string to_utf8(std::u32string_view text);
std::string to_utf8(char32_t c);
std::size_t code_point_count(std::string_view utf8);

// Unicode lower case of each code point (simple mapping: length in code points is preserved,
// except 'İ', which the full mapping would expand).
std::u32string lower(std::u32string_view text);
std::string lower(std::string_view utf8);
// Unicode simple case folding of each code point (length preserved).
std::u32string case_fold(std::u32string_view text);
std::string case_fold(std::string_view utf8);

// NFKD, drop combining marks, map æ→ae, œ→oe, ß→ss, ø→o, đ→d, ł→l, þ→th (and their upper-case forms);
// characters with no ASCII form are kept. "Crème Brûlée" -> "Creme Brulee".
std::string ascii_fold(std::string_view utf8);
std::u32string ascii_fold(std::u32string_view text);

// tag: ASCII fold, lower-case, " & " -> "-", each space, "'" and "." -> "-", drop "!" and "?",
// collapse runs of "-", trim "-" at both ends. "L'Atelier d'Émile!" -> "l-atelier-d-emile".
std::string to_tag(std::string_view utf8);

// emb code key: trim, lower-case, remove spaces, "-" and ".", ASCII fold, final "ce" -> "ec".
// "FR 56.178.002 CE" -> "fr56178002ec".
std::string emb_code_key(std::string_view utf8);

// Unicode character classes used by the extractors (ICU properties).
bool is_letter(char32_t c);
bool is_digit(char32_t c);
bool is_word_char(char32_t c);  // letter, digit (Nd), connector punctuation '_' ... as PCRE2 \w with UCP
bool is_space(char32_t c);
bool is_combining_mark(char32_t c);

}  // namespace robotoff::text
