// §5.14 location: French city names (keyword matcher) confirmed by one of their postal codes nearby.

#include "internal.hpp"

#include "robotoff/text/normalize.hpp"

namespace robotoff::extract {

namespace {

bool is_ascii_digit(char32_t c) { return c >= U'0' && c <= U'9'; }

// First occurrence of `code` (5 digits) in t[from, to) not adjacent to other digits; npos if none.
std::size_t find_code(std::u32string_view t, std::size_t from, std::size_t to, std::u32string_view code) {
    std::size_t pos = from;
    while (true) {
        pos = t.find(code, pos);
        if (pos == std::u32string_view::npos || pos + code.size() > to) {
            return std::u32string_view::npos;
        }
        const bool left_ok = pos == from || !is_ascii_digit(t[pos - 1]);
        const bool right_ok = pos + code.size() == to || !is_ascii_digit(t[pos + code.size()]);
        if (left_ok && right_ok) {
            return pos;
        }
        ++pos;
    }
}

}  // namespace

// §5.14 step 1: lower-case, ASCII fold, "'" and "-" -> space.
std::u32string normalize_location_text(std::u32string_view t) {
    std::u32string out = text::ascii_fold(text::lower(t));
    for (char32_t& c : out) {
        if (c == U'\'' || c == U'-') {
            c = U' ';
        }
    }
    return out;
}

void extract_location(const document& d, const rule_data& r, std::vector<prediction>& out) {
    if (!r.cities_loaded) {
        return;
    }
    const std::u32string t = normalize_location_text(d.ocr().full_text_or_fallback());
    constexpr std::size_t search_distance = 10;
    constexpr std::size_t extract_distance = 30;
    for (const auto& m : r.city_matcher.find(t)) {
        const city& c = r.cities[m.payload];
        const std::size_t from = m.start >= search_distance ? m.start - search_distance : 0;
        const std::size_t to = std::min(t.size(), m.end + search_distance);
        for (const auto& code : c.postal_codes) {
            const std::u32string wide = text::to_u32(code);
            const std::size_t at = find_code(t, from, to, wide);
            if (at == std::u32string_view::npos) {
                continue;
            }
            const std::size_t lo = std::min(m.start, at);
            const std::size_t hi = std::max(m.end, at + wide.size());
            const std::size_t ex_from = lo >= extract_distance ? lo - extract_distance : 0;
            const std::size_t ex_to = std::min(t.size(), hi + extract_distance);
            prediction p;
            p.type = "location";
            p.data = data_builder()
                         .key("country_code").str("fr")
                         .key("city_name").str(c.name)
                         .key("postal_code").str(code)
                         .key("text_extract").str(slice(t, ex_from, ex_to))
                         .finish();
            out.push_back(std::move(p));
            break;
        }
    }
}

}  // namespace robotoff::extract
