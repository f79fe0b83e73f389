#pragma once
// Input text handling of the spellchecker (pipeline.md §13.2-13.3): normalization that keeps offsets,
// segments between splitters, tokens. Everything works on code points (std::u32string), so offsets are
// code-point offsets into the caller's text (spec README §5). Pure functions, thread-safe.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace robotoff::spellcheck {

// §13.2 step 1: percentages ("12,5 %"), additive codes ("E330": upper-case E + 3 digits), '_' and '•'
// become the same number of spaces. The result has the input's length.
std::u32string normalize(std::u32string_view text);

struct segment {
    std::size_t start = 0;      // offset of text[0] in the input
    std::u32string_view text;   // view into the normalized text
};

// §13.2 step 2: spans between ( ) , ; [ ] - { } (empty spans omitted).
std::vector<segment> split_segments(std::u32string_view normalized);

struct token {
    std::u32string text;        // as written (not lower-cased)
    std::size_t start = 0;      // code-point offsets in the input, [start, end)
    std::size_t end = 0;
};

// §13.3: maximal runs of letters, digits and combining marks; an apostrophe (' or U+2019) between two letters
// stays inside ("d'olive"). `base` is added to the offsets.
std::vector<token> tokenize(std::u32string_view text, std::size_t base = 0);

// §13.1: a corpus segment made only of spaces, '/', '-', '.', '%' and digits carries no words.
bool is_noise_segment(std::u32string_view text);

bool has_digit(std::u32string_view word);

}  // namespace robotoff::spellcheck
