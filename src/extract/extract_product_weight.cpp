// §5.4 product_weight: weights and volumes with a prompt, a trailing "net", multi-packs, or OCR-artefact units.

#include "internal.hpp"

#include "robotoff/text/normalize.hpp"

#include <cmath>
#include <cstdlib>

namespace robotoff::extract {

namespace {

#define RO_NUMBER "([0-9]+(?:[,.][0-9]*)?)"
#define RO_UNIT "(fl oz|dl|dle|cl|cle|mg|mge|ml|mle|lbs|oz|g|ge|kg|kge|l|le)"

struct format {
    const char* matcher_type;
    int priority;
    int number_group;
    int unit_group;
    int prompt_group;  // 0 = none
    int count_group;
    text::regex re;
};

const std::vector<format>& formats() {
    static const std::vector<format> f = [] {
        constexpr unsigned ci = text::regex::caseless;
        std::vector<format> v;
        v.push_back({"with_mention", 1, 2, 3, 1, 0,
                     text::regex("(?<![a-z])(poids|poids net [àa] l'emballage|poids net|poids net égoutté|masse nette|"
                                 "volume net total|net weight|net wt|net wt\\.|peso neto|peso liquido|netto gewicht|"
                                 "netto-gewicht|nettogewicht)\\s?:?\\s?" RO_NUMBER "\\s?" RO_UNIT "(?![a-z])",
                                 ci)});
        v.push_back({"with_ending_mention", 1, 1, 2, 3, 0,
                     text::regex("(?<![a-z])" RO_NUMBER "\\s?" RO_UNIT "\\s(net)(?![a-z])", ci)});
        v.push_back({"multi_packaging", 2, 2, 3, 0, 1,
                     text::regex("(?<![a-z])([0-9]+)\\s?x\\s?" RO_NUMBER "\\s?" RO_UNIT "(?![a-z])", ci)});
        v.push_back({"no_mention", 3, 1, 2, 0, 0,
                     text::regex("(?<![a-z])" RO_NUMBER "\\s?(dle|cle|mge|mle|ge|kge)(?![a-z])", ci)});
        return v;
    }();
    return f;
}

#undef RO_NUMBER
#undef RO_UNIT

struct unit_info {
    const char* unit;
    double factor;
    const char* normalized;
};

const unit_info* find_unit(std::string_view u) {
    static constexpr unit_info units[] = {
        {"fl oz", 30, "ml"}, {"mg", 0.001, "g"}, {"g", 1, "g"},     {"kg", 1000, "g"},  {"lbs", 453.59237, "g"},
        {"oz", 28.349523125, "g"}, {"ml", 1, "ml"}, {"cl", 10, "ml"}, {"dl", 100, "ml"}, {"l", 1000, "ml"},
    };
    for (const auto& x : units) {
        if (u == x.unit) {
            return &x;
        }
    }
    return nullptr;
}

}  // namespace

// Exposed for unit tests through internal.hpp users: (value, unit) -> normalized (value, unit).
std::optional<std::pair<double, std::string>> normalize_weight(double value, std::string_view unit) {
    const unit_info* u = find_unit(unit);
    if (u == nullptr) {
        return std::nullopt;
    }
    return std::make_pair(value * u->factor, std::string(u->normalized));
}

void extract_product_weight(const document& d, const rule_data&, std::vector<prediction>& out) {
    const std::u32string& t = d.contiguous();
    std::vector<positioned> pending;
    for (const format& f : formats()) {
        for (const auto& m : f.re.find_all(t)) {
            // 1. unit: lower-cased, OCR "e" dropped.
            std::string unit = utf8(text::lower(m.group(t, f.unit_group)));
            if (unit != "fl oz" && unit.size() >= 2 && unit.back() == 'e') {
                unit.pop_back();
            }
            // 2. number validity.
            const std::string number = utf8(m.group(t, f.number_group));
            const bool has_separator = number.find_first_of(",.") != std::string::npos;
            if (number[0] == '0' && !has_separator) {
                continue;
            }
            std::string dotted = number;
            for (char& c : dotted) {
                if (c == ',') {
                    c = '.';
                }
            }
            char* end = nullptr;
            const double value = std::strtod(dotted.c_str(), &end);
            if (end != dotted.c_str() + dotted.size() || !(value > 0) || value != std::floor(value)) {
                continue;
            }
            // 3. display value.
            std::string shown = number;
            if (f.count_group == 0) {
                while (!shown.empty() && shown.front() == '.') {
                    shown.erase(shown.begin());
                }
                while (!shown.empty() && shown.back() == '.') {
                    shown.pop_back();
                }
            }
            std::string count;
            long long count_value = 1;
            if (f.count_group != 0) {
                count = utf8(m.group(t, f.count_group));
                count_value = count.size() > 6 ? 1000000 : std::atoll(count.c_str());
            }
            // 4-6. normalization, extreme values, suspicious values.
            const auto normalized = normalize_weight(value, unit);
            if (!normalized) {
                continue;
            }
            const double nv = normalized->first;
            if (count_value > 20 || nv >= 10000 || nv <= 10) {
                continue;
            }
            const bool suspicious = nv > 1000 && static_cast<long long>(std::floor(nv)) % 10 != 0;
            const bool automatic = f.priority == 3 ? false : !suspicious;
            const double rounded = std::round(nv);
            const bool whole = std::fabs(nv - rounded) <= 1e-9 * std::fabs(nv);

            prediction p;
            p.type = "product_weight";
            p.value = (f.count_group != 0 ? count + " x " : std::string()) + shown + " " + unit;
            data_builder b;
            b.key("raw").str(slice(t, m.start, m.end));
            b.key("value").str(shown);
            b.key("unit").str(unit);
            b.key("normalized_value");
            if (whole) {
                b.integer(static_cast<long long>(rounded));
            } else {
                b.number(nv);
            }
            b.key("normalized_unit").str(normalized->second);
            b.key("automatic_processing").boolean(automatic);
            if (f.prompt_group != 0) {
                b.key("prompt").str(m.group(t, f.prompt_group));
            }
            if (f.count_group != 0) {
                b.key("count").str(count);
            }
            b.key("matcher_type").str(f.matcher_type);
            b.key("priority").integer(f.priority);
            b.box(d.box(m.start, m.end));
            p.data = b.finish();
            p.predictor = "regex";
            p.automatic_processing = automatic;
            pending.push_back({m.start, std::move(p)});
        }
    }
    flush_in_order(pending, out);
}

}  // namespace robotoff::extract
