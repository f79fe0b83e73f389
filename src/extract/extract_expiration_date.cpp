// §5.3 expiration_date: day-month-year dates within [today - 2 years, today + 10 years].

#include "internal.hpp"

#include <cstdio>

namespace robotoff::extract {

namespace {

int to_int(std::u32string_view digits) {
    int v = 0;
    for (char32_t c : digits) {
        v = v * 10 + static_cast<int>(c - U'0');
    }
    return v;
}

bool valid_date(int y, int m, int d) {
    static constexpr int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12 || d < 1) {
        return false;
    }
    const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return d <= days[m - 1] + ((m == 2 && leap) ? 1 : 0);
}

}  // namespace

void extract_expiration_date(const document& d, const rule_data&, std::vector<prediction>& out) {
    // One regex for both formats: a 4-digit year is tried first, else a 2-digit one; no digit around.
    static const text::regex re(R"((?<![0-9])([0-9]{2})[\-./]([0-9]{2})[\-./]([0-9]{4}|[0-9]{2})(?![0-9]))");
    const std::u32string& t = d.full_text();
    const int this_year = d.opts().today.year;
    for (const auto& m : re.find_all(t)) {
        const std::u32string_view year_text = m.group(t, 3);
        const bool long_year = year_text.size() == 4;
        int year = to_int(year_text);
        if (!long_year) {
            year += year <= 68 ? 2000 : 1900;
        }
        const int month = to_int(m.group(t, 2));
        const int day = to_int(m.group(t, 1));
        if (!valid_date(year, month, day) || year < this_year - 2 || year > this_year + 10) {
            continue;
        }
        char iso[48];
        std::snprintf(iso, sizeof iso, "%04d-%02d-%02d", year, month, day);
        prediction p;
        p.type = "expiration_date";
        p.value = iso;
        p.data = data_builder()
                     .key("raw").str(slice(t, m.start, m.end))
                     .key("type").str(long_year ? "full_digits_long" : "full_digits_short")
                     .box(d.box(m.start, m.end))
                     .finish();
        p.predictor = "regex";
        p.automatic_processing = true;
        out.push_back(std::move(p));
    }
}

}  // namespace robotoff::extract
