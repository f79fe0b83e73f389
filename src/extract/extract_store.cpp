// §5.6 store: one combined pattern (ordered alternatives, each tagged with a MARK naming its store).

#include "internal.hpp"

namespace robotoff::extract {

void extract_store(const document& d, const rule_data& r, std::vector<prediction>& out) {
    if (!r.store.loaded) {
        return;
    }
    const std::u32string& t = d.contiguous();
    for (const auto& m : r.store.combined->find_all(t)) {
        std::size_t index = 0;
        for (char32_t c : m.mark) {
            index = index * 10 + static_cast<std::size_t>(c - U'0');
        }
        if (m.mark.empty() || index >= r.store.names.size()) {
            continue;
        }
        prediction p;
        p.type = "store";
        p.value = r.store.names[index];
        p.value_tag = r.store.tags[index];
        p.data = data_builder().key("text").str(slice(t, m.start, m.end)).box(d.box(m.start, m.end)).finish();
        p.predictor = "regex";
        out.push_back(std::move(p));
    }
}

}  // namespace robotoff::extract
