#include "robotoff/spellcheck/text_segments.hpp"

#include "robotoff/text/normalize.hpp"

namespace robotoff::spellcheck {

namespace {

bool ascii_digit(char32_t c) { return c >= U'0' && c <= U'9'; }

bool is_splitter(char32_t c) {
    switch (c) {
    case U'(': case U')': case U',': case U';': case U'[': case U']': case U'-': case U'{': case U'}':
        return true;
    default:
        return false;
    }
}

bool is_apostrophe(char32_t c) { return c == U'\'' || c == U'\u2019'; }

bool is_token_char(char32_t c) { return text::is_letter(c) || text::is_digit(c) || text::is_combining_mark(c); }

}  // namespace

std::u32string normalize(std::u32string_view input) {
    std::u32string out(input);
    const std::size_t n = out.size();
    for (std::size_t i = 0; i < n; ++i) {
        const char32_t c = input[i];
        if (c == U'_' || c == U'\u2022') {
            out[i] = U' ';
            continue;
        }
        if (c == U'E' && i + 3 < n && ascii_digit(input[i + 1]) &&
            ascii_digit(input[i + 2]) && ascii_digit(input[i + 3])) {
            out[i] = out[i + 1] = out[i + 2] = out[i + 3] = U' ';
            i += 3;
            continue;
        }
        // Percentage: digits [, digits] [spaces] '%'. Only a number that starts here (not inside a word).
        if (ascii_digit(c) && (i == 0 || !ascii_digit(input[i - 1]))) {
            std::size_t j = i;
            while (j < n && ascii_digit(input[j])) {
                ++j;
            }
            // The spec's decimal separator is ','; '.' is accepted too ("12.5%" is common in English lists).
            if (j + 1 < n && (input[j] == U',' || input[j] == U'.') && ascii_digit(input[j + 1])) {
                ++j;
                while (j < n && ascii_digit(input[j])) {
                    ++j;
                }
            }
            std::size_t k = j;
            while (k < n && text::is_space(input[k])) {
                ++k;
            }
            if (k < n && input[k] == U'%') {
                for (std::size_t p = i; p <= k; ++p) {
                    out[p] = U' ';
                }
                i = k;
            } else {
                i = j - 1;  // skip the rest of the number
            }
        }
    }
    return out;
}

std::vector<segment> split_segments(std::u32string_view normalized) {
    std::vector<segment> out;
    std::size_t start = 0;
    for (std::size_t i = 0; i <= normalized.size(); ++i) {
        if (i == normalized.size() || is_splitter(normalized[i])) {
            if (i > start) {
                out.push_back(segment{start, normalized.substr(start, i - start)});
            }
            start = i + 1;
        }
    }
    return out;
}

std::vector<token> tokenize(std::u32string_view text, std::size_t base) {
    std::vector<token> out;
    std::size_t i = 0;
    while (i < text.size()) {
        if (!is_token_char(text[i])) {
            ++i;
            continue;
        }
        const std::size_t start = i;
        while (i < text.size()) {
            if (is_token_char(text[i])) {
                ++i;
            } else if (is_apostrophe(text[i]) && i > start && text::is_letter(text[i - 1]) && i + 1 < text.size() &&
                       text::is_letter(text[i + 1])) {
                ++i;
            } else {
                break;
            }
        }
        out.push_back(token{std::u32string(text.substr(start, i - start)), base + start, base + i});
    }
    return out;
}

bool is_noise_segment(std::u32string_view text) {
    for (char32_t c : text) {
        if (!(c == U' ' || c == U'/' || c == U'-' || c == U'.' || c == U'%' || ascii_digit(c) ||
              text::is_space(c))) {
            return false;
        }
    }
    return true;
}

bool has_digit(std::u32string_view word) {
    for (char32_t c : word) {
        if (text::is_digit(c)) {
            return true;
        }
    }
    return false;
}

}  // namespace robotoff::spellcheck
