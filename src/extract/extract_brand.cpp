// §5.5 brand: curated list, taxonomy list (keyword matcher on the default text), Vision logos.

#include "internal.hpp"

#include "robotoff/text/normalize.hpp"

namespace robotoff::extract {

namespace {

void from_list(const document& d, const keyword_list& list, const char* predictor, bool automatic,
               std::vector<positioned>& pending) {
    if (!list.loaded) {
        return;
    }
    const std::u32string& t = d.default_text();
    for (const auto& m : list.matcher.find(d.lowered_default())) {
        const auto& [tag, name] = list.entries[m.payload];
        prediction p;
        p.type = "brand";
        p.value = name;
        p.value_tag = tag;
        p.data = data_builder()
                     .key("text").str(slice(t, m.start, m.end))
                     .box(d.default_text_box(m.start, m.end))
                     .finish();
        p.predictor = predictor;
        p.automatic_processing = automatic;
        pending.push_back({m.start, std::move(p)});
    }
}

}  // namespace

void extract_brand(const document& d, const rule_data& r, std::vector<prediction>& out) {
    std::vector<positioned> pending;
    from_list(d, r.brand_curated, "curated-list", true, pending);
    from_list(d, r.brand_taxonomy, "taxonomy", false, pending);
    if (r.brand_logos_loaded) {
        for (const auto& logo : d.ocr().logo_annotations()) {
            const auto it = r.brand_logos.find(logo.description);
            if (it == r.brand_logos.end()) {
                continue;
            }
            prediction p;
            p.type = "brand";
            p.value = it->second;
            p.value_tag = text::to_tag(it->second);
            p.predictor = "google-cloud-vision";
            p.automatic_processing = false;
            p.confidence = logo.score;
            pending.push_back({not_in_text, std::move(p)});
        }
    }
    flush_in_order(pending, out);
}

}  // namespace robotoff::extract
