#include "robotoff/text/normalize.hpp"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

#include <stdexcept>

namespace robotoff::text {

std::u32string to_u32(std::string_view utf8) {
    std::u32string out;
    out.reserve(utf8.size());
    const auto* s = reinterpret_cast<const uint8_t*>(utf8.data());
    const int32_t length = static_cast<int32_t>(utf8.size());
    int32_t i = 0;
    while (i < length) {
        UChar32 c;
        U8_NEXT(s, i, length, c);
        out.push_back(c < 0 ? U'\uFFFD' : static_cast<char32_t>(c));
    }
    return out;
}

std::string to_utf8(char32_t c) {
    std::string out;
    if (c < 0x80) {
        out += static_cast<char>(c);
    } else if (c < 0x800) {
        out += static_cast<char>(0xC0 | (c >> 6));
        out += static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
        out += static_cast<char>(0xE0 | (c >> 12));
        out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (c & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (c >> 18));
        out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (c & 0x3F));
    }
    return out;
}

std::string to_utf8(std::u32string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char32_t c : text) {
        if (c < 0x80) {
            out += static_cast<char>(c);
        } else {
            out += to_utf8(c);
        }
    }
    return out;
}

std::size_t code_point_count(std::string_view utf8) {
    std::size_t n = 0;
    for (unsigned char c : utf8) {
        if ((c & 0xC0) != 0x80) {
            ++n;
        }
    }
    return n;
}

std::u32string lower(std::u32string_view text) {
    std::u32string out(text);
    for (auto& c : out) {
        if (c >= 'A' && c <= 'Z') {
            c = c - 'A' + 'a';
        } else if (c >= 0x80) {
            c = static_cast<char32_t>(u_tolower(static_cast<UChar32>(c)));
        }
    }
    return out;
}

std::string lower(std::string_view utf8) { return to_utf8(lower(to_u32(utf8))); }

std::u32string case_fold(std::u32string_view text) {
    std::u32string out(text);
    for (auto& c : out) {
        if (c >= 'A' && c <= 'Z') {
            c = c - 'A' + 'a';
        } else if (c >= 0x80) {
            c = static_cast<char32_t>(u_foldCase(static_cast<UChar32>(c), U_FOLD_CASE_DEFAULT));
        }
    }
    return out;
}

std::string case_fold(std::string_view utf8) { return to_utf8(case_fold(to_u32(utf8))); }

bool is_combining_mark(char32_t c) {
    const auto type = u_charType(static_cast<UChar32>(c));
    return type == U_NON_SPACING_MARK || type == U_COMBINING_SPACING_MARK || type == U_ENCLOSING_MARK;
}

bool is_letter(char32_t c) {
    if (c < 0x80) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }
    return u_isalpha(static_cast<UChar32>(c));
}

bool is_digit(char32_t c) {
    if (c < 0x80) {
        return c >= '0' && c <= '9';
    }
    return u_charType(static_cast<UChar32>(c)) == U_DECIMAL_DIGIT_NUMBER;
}

bool is_word_char(char32_t c) {
    if (c < 0x80) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    }
    // PCRE2 with UCP: \w = \p{L} | \p{N} | '_'  (and, since 10.43, Mn and Pc; 10.42 is what Debian has).
    const auto type = u_charType(static_cast<UChar32>(c));
    return u_isalpha(static_cast<UChar32>(c)) || type == U_DECIMAL_DIGIT_NUMBER || type == U_LETTER_NUMBER ||
           type == U_OTHER_NUMBER;
}

bool is_space(char32_t c) {
    if (c < 0x80) {
        return c == ' ' || (c >= 0x09 && c <= 0x0D);
    }
    return u_isUWhiteSpace(static_cast<UChar32>(c));
}

namespace {

const icu::Normalizer2& nfkd() {
    UErrorCode status = U_ZERO_ERROR;
    const icu::Normalizer2* n = icu::Normalizer2::getNFKDInstance(status);
    if (U_FAILURE(status) || n == nullptr) {
        throw std::runtime_error("ICU: NFKD normalizer unavailable");
    }
    return *n;
}

// Letters NFKD does not decompose into ASCII.
const char32_t* special_fold(char32_t c) {
    switch (c) {
    case U'æ': return U"ae";
    case U'Æ': return U"AE";
    case U'œ': return U"oe";
    case U'Œ': return U"OE";
    case U'ß': return U"ss";
    case U'ẞ': return U"SS";
    case U'ø': return U"o";
    case U'Ø': return U"O";
    case U'đ': return U"d";
    case U'Đ': return U"D";
    case U'ł': return U"l";
    case U'Ł': return U"L";
    case U'þ': return U"th";
    case U'Þ': return U"TH";
    default: return nullptr;
    }
}

}  // namespace

std::u32string ascii_fold(std::u32string_view text) {
    static const icu::Normalizer2& normalizer = nfkd();
    std::u32string out;
    out.reserve(text.size());
    for (char32_t c : text) {
        if (c < 0x80) {
            out.push_back(c);
            continue;
        }
        if (const char32_t* mapped = special_fold(c)) {
            out += mapped;
            continue;
        }
        icu::UnicodeString decomposed;
        UErrorCode status = U_ZERO_ERROR;
        if (!normalizer.getDecomposition(static_cast<UChar32>(c), decomposed)) {
            if (!is_combining_mark(c)) {
                out.push_back(c);
            }
            continue;
        }
        (void)status;
        for (int32_t i = 0; i < decomposed.length();) {
            const UChar32 d = decomposed.char32At(i);
            i += U16_LENGTH(d);
            if (!is_combining_mark(static_cast<char32_t>(d))) {
                out.push_back(static_cast<char32_t>(d));
            }
        }
    }
    return out;
}

std::string ascii_fold(std::string_view utf8) {
    bool ascii = true;
    for (unsigned char c : utf8) {
        if (c >= 0x80) {
            ascii = false;
            break;
        }
    }
    if (ascii) {
        return std::string(utf8);
    }
    return to_utf8(ascii_fold(to_u32(utf8)));
}

std::string to_tag(std::string_view utf8) {
    std::u32string folded = lower(ascii_fold(to_u32(utf8)));
    // " & " -> "-" first, so that "mat & lou" gives "mat-lou" rather than "mat---lou" (then collapsed).
    std::u32string step;
    step.reserve(folded.size());
    for (std::size_t i = 0; i < folded.size(); ++i) {
        if (folded.compare(i, 3, U" & ") == 0) {
            step.push_back(U'-');
            i += 2;
            continue;
        }
        const char32_t c = folded[i];
        if (c == U' ' || c == U'\'' || c == U'.') {
            step.push_back(U'-');
        } else if (c == U'!' || c == U'?') {
            continue;
        } else {
            step.push_back(c);
        }
    }
    std::u32string out;
    out.reserve(step.size());
    for (char32_t c : step) {
        if (c == U'-' && (out.empty() || out.back() == U'-')) {
            continue;
        }
        out.push_back(c);
    }
    while (!out.empty() && out.back() == U'-') {
        out.pop_back();
    }
    return to_utf8(out);
}

std::string emb_code_key(std::string_view utf8) {
    std::u32string text = lower(to_u32(utf8));
    std::u32string kept;
    for (char32_t c : text) {
        if (c == U' ' || c == U'-' || c == U'.' || is_space(c)) {
            continue;
        }
        kept.push_back(c);
    }
    std::string out = to_utf8(ascii_fold(kept));
    if (out.size() >= 2 && out.compare(out.size() - 2, 2, "ce") == 0) {
        out.replace(out.size() - 2, 2, "ec");
    }
    return out;
}

}  // namespace robotoff::text
