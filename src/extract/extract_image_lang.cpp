// §5.12 image_lang: word language counts (§2.6) and their percentages.

#include "internal.hpp"

namespace robotoff::extract {

void extract_image_lang(const document& d, const rule_data&, std::vector<prediction>& out) {
    if (!d.ocr().has_full_text_annotation()) {
        return;
    }
    const auto& counts = d.ocr().language_counts();
    int words = 0;
    for (const auto& [lang, n] : counts) {
        if (lang == "words") {
            words = n;
        }
    }
    data_builder b;
    b.key("count").begin_object();
    for (const auto& [lang, n] : counts) {
        b.key(lang.c_str()).integer(n);
    }
    b.end_object();
    b.key("percent").begin_object();
    for (const auto& [lang, n] : counts) {
        if (lang != "words" && words > 0) {
            b.key(lang.c_str()).number(static_cast<double>(n) * 100.0 / words);
        }
    }
    b.end_object();
    prediction p;
    p.type = "image_lang";
    p.data = b.finish();
    out.push_back(std::move(p));
}

}  // namespace robotoff::extract
