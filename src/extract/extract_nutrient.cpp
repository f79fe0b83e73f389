// §5.7 nutrient: "<phrase> [:-] <number> <unit>" per nutrient, one prediction with every value found.

#include "internal.hpp"
#include "nutrient_phrases.hpp"

namespace robotoff::extract {

namespace {

struct nutrient_regex {
    const char* key;
    text::regex re;
};

const std::vector<nutrient_regex>& regexes() {
    static const std::vector<nutrient_regex> v = [] {
        std::vector<nutrient_regex> out;
        for (const auto& n : nutrient_table()) {
            std::string pattern = "(?<!\\w)";
            pattern += marked_alternation(n.phrases);
            pattern += "\\s?(?:[:\\-]\\s?)?([0-9]+(?:[,.][0-9]*)?)\\s?(";
            pattern += n.units;
            pattern += ")(?!\\w)";
            out.push_back({n.key, text::regex(pattern, text::regex::caseless)});
        }
        return out;
    }();
    return v;
}

}  // namespace

void extract_nutrient(const document& d, const rule_data&, std::vector<prediction>& out) {
    const std::u32string& t = d.contiguous();
    data_builder b;
    b.key("nutrients").begin_object();
    bool any = false;
    for (const auto& n : regexes()) {
        const auto matches = n.re.find_all(t);
        if (matches.empty()) {
            continue;
        }
        any = true;
        b.key(n.key).begin_array();
        for (const auto& m : matches) {
            std::string value = utf8(m.group(t, 1));
            for (char& c : value) {
                if (c == ',') {
                    c = '.';
                }
            }
            b.begin_object();
            b.key("raw").str(slice(t, m.start, m.end));
            b.key("nutrient").str(n.key);
            b.key("value").str(value);
            b.key("unit").str(m.group(t, 2));
            b.end_object();
        }
        b.end_array();
    }
    b.end_object();
    if (!any) {
        return;
    }
    prediction p;
    p.type = "nutrient";
    p.data = b.finish();
    p.predictor = "regex";
    p.automatic_processing = false;
    out.push_back(std::move(p));
}

}  // namespace robotoff::extract
