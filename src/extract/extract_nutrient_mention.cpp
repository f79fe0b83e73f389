// §5.8 nutrient_mention: nutrition-table vocabulary (phrases, headings, values) with spans and languages.

#include "internal.hpp"
#include "nutrient_phrases.hpp"

namespace robotoff::extract {

namespace {

struct mention_regex {
    const char* key;
    const std::vector<nutrient_phrase>* phrases;  // null for nutrient_value
    text::regex re;
};

const std::vector<mention_regex>& regexes() {
    static const std::vector<mention_regex> v = [] {
        std::vector<mention_regex> out;
        for (const auto& n : nutrient_table()) {
            out.push_back({n.key, &n.phrases,
                           text::regex("(?<!\\w)" + marked_alternation(n.phrases) + "(?!\\w)", text::regex::caseless)});
        }
        out.push_back({"nutrition_values", &nutrition_value_headings(),
                       text::regex("(?<!\\w)" + marked_alternation(nutrition_value_headings()) + "(?!\\w)",
                                   text::regex::caseless)});
        out.push_back({"nutrient_value", nullptr,
                       text::regex(R"((?<!\w)[0-9]+(?:[,.][0-9]*)?\s?(?:g|kj|kcal)(?!\w))", text::regex::caseless)});
        return out;
    }();
    return v;
}

}  // namespace

void extract_nutrient_mention(const document& d, const rule_data&, std::vector<prediction>& out) {
    const std::u32string& t = d.contiguous();
    data_builder b;
    b.key("mentions").begin_object();
    bool any = false;
    for (const auto& n : regexes()) {
        const auto matches = n.re.find_all(t);
        if (matches.empty()) {
            continue;
        }
        any = true;
        b.key(n.key).begin_array();
        for (const auto& m : matches) {
            b.begin_object();
            b.key("raw").str(slice(t, m.start, m.end));
            b.key("span").begin_array();
            b.integer(static_cast<long long>(m.start)).integer(static_cast<long long>(m.end));
            b.end_array();
            if (n.phrases != nullptr) {
                std::size_t index = 0;
                for (char32_t c : m.mark) {
                    index = index * 10 + static_cast<std::size_t>(c - U'0');
                }
                b.key("languages").begin_array();
                if (index < n.phrases->size()) {
                    for (const auto& lang : split_langs((*n.phrases)[index].langs)) {
                        b.str(lang);
                    }
                }
                b.end_array();
            }
            b.box(d.box(m.start, m.end));
            b.end_object();
        }
        b.end_array();
    }
    b.end_object();
    if (!any) {
        return;
    }
    prediction p;
    p.type = "nutrient_mention";
    p.data = b.finish();
    p.automatic_processing = false;
    out.push_back(std::move(p));
}

}  // namespace robotoff::extract
