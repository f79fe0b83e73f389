// §5.9 trace: allergens in the 100 characters after a "may contain" trigger.

#include "internal.hpp"

namespace robotoff::extract {

void extract_trace(const document& d, const rule_data& r, std::vector<prediction>& out) {
    if (!r.trace.loaded) {
        return;
    }
    static const text::regex trigger(
        R"(possibilit[ée] de traces|conditionné dans un atelier qui manipule|peut contenir(?: des traces)?|)"
        R"(traces? [ée]ventuelles? (?:de|d')|traces? (?:de|d')|may contain)",
        text::regex::caseless);
    const std::u32string& t = d.contiguous();
    for (const auto& m : trigger.find_all(t)) {
        const std::size_t end = std::min(t.size(), m.end + 100);
        const std::u32string_view window = std::u32string_view(t).substr(m.end, end - m.end);
        const auto box = d.box(m.start, m.end);
        for (const auto& k : r.trace.matcher.find(window)) {
            prediction p;
            p.type = "trace";
            p.value_tag = r.trace.entries[k.payload].first;
            p.data = data_builder()
                         .key("text").str(window.substr(k.start, k.end - k.start))
                         .key("prompt").str(slice(t, m.start, m.end))
                         .box(box)
                         .finish();
            p.predictor = "regex";
            out.push_back(std::move(p));
        }
    }
}

}  // namespace robotoff::extract
