// §5.2 label: regex families, the label keyword list, Vision logos.

#include "internal.hpp"

#include "robotoff/text/normalize.hpp"

namespace robotoff::extract {

namespace {

enum class which { full, contiguous };
enum class kind { fixed, eu_code, es_code };

struct family {
    const char* value_tag;  // for kind::fixed
    which text;
    kind k;
    text::regex re;
};

const std::vector<family>& families() {
    using text::regex;
    constexpr unsigned ci = regex::caseless;
    static const std::vector<family> f = [] {
        std::vector<family> v;
        v.push_back({"en:organic", which::contiguous, kind::fixed,
                     regex(R"(ingr[ée]dients?\sbiologiques?|ingr[ée]dients?\sbio[\s.,)]|)"
                           R"(agriculture ue/non ue biologique|)"
                           R"(agriculture bio(?:logique)?[\s.,)]|production bio(?:logique)?[\s.,)])",
                           ci)});
        v.push_back({nullptr, which::full, kind::eu_code,
                     regex(R"((?<![a-zA-Z])([A-Z]{2})[\-.\s](BIO|Bio|ÖKO|OKO|EKO|ØKO|ORG)[\-.\s]([0-9]{2,3}))")});
        v.push_back({nullptr, which::full, kind::es_code,
                     regex(R"((?<![a-zA-Z])ES[\-.\s]ECO[\-.\s]([0-9]{3})[\-.\s]([A-Z]{2,3}))")});
        v.push_back({"fr:ab-agriculture-biologique", which::contiguous, kind::fixed,
                     regex(R"(certifi[ée] ab[\s.,)])", ci)});
        v.push_back({"fr:label-rouge", which::contiguous, kind::fixed,
                     regex(R"((?<!\w)homologation(?: n°?)? ?la ?[0-9]{2}/[0-9]{2}(?!\w))", ci)});
        v.push_back({"fr:aoc", which::contiguous, kind::fixed, regex(R"((?<!\w)AOC(?!\w))")});
        v.push_back({"en:nutriscore", which::full, kind::fixed, regex(R"(NUTRI-SCORE)")});
        v.push_back({"en:eu-non-eu-agriculture", which::contiguous, kind::fixed,
                     regex(R"(agriculture ue\s*/\s*non\s*(?:-\s*)?ue|eu\s*/\s*non\s*(?:-\s*)?eu agriculture)", ci)});
        v.push_back({"en:eu-agriculture", which::contiguous, kind::fixed,
                     regex(R"(agriculture ue(?!\s*/)|\s*(?<!-)eu agriculture)", ci)});
        v.push_back({"en:non-eu-agriculture", which::contiguous, kind::fixed,
                     regex(R"(agriculture non\s*(?:-\s*)?ue|non\s*(?:-\s*)?eu agriculture)", ci)});
        v.push_back({"en:no-preservatives", which::contiguous, kind::fixed,
                     regex(R"(senza conservanti(?! arti)|без консервантов|conserveermiddelvrij|)"
                           R"((?<!\w)(?:sans|ni) conservateur(?!s? arti)|fără conservanți|no preservative|)"
                           R"(sin conservante(?!s? arti)|ohne konservierungsstoffe)",
                           ci)});
        v.push_back({"en:no-flavors", which::contiguous, kind::fixed,
                     regex(R"(без ароматизаторов|senza aromi|zonder toegevoegde smaakstoffen|)"
                           R"((?<!\w)(?:sans|ni) ar[ôo]mes? ajout[ée]s|sin aroma|sin aromas|ohne zusatz von aromen|)"
                           R"(no flavor|no flavors)",
                           ci)});
        v.push_back({"en:no-artificial-flavors", which::contiguous, kind::fixed,
                     regex(R"(без искусственных ароматизаторов|ohne künstliche aromen|sin aromas? artificiales?|)"
                           R"(vrij van kunstmatige smaakstoffen|(?<!\w)(?:sans|ni) ar[ôo]mes? artificiels?|)"
                           R"(no artificial flavors?)",
                           ci)});
        v.push_back({"en:no-colorings", which::contiguous, kind::fixed,
                     regex(R"(no colorings?|no colourants?|ohne farbstoffzusatz|(?<!\w)(?:sans|ni) colorants?|)"
                           R"(zonder kleurstoffen|sin colorantes?|без красителей|senza coloranti)",
                           ci)});
        v.push_back({"en:no-additives", which::contiguous, kind::fixed,
                     regex(R"(zonder toevoegingen|sin aditivos(?! arti)|(?<!\w)(?:sans|ni) additif(?!s? arti)|)"
                           R"(ohne zusätze|no additives?)",
                           ci)});
        return v;
    }();
    return f;
}

// EU organic code value: lower-cased, ö/ø -> o. nullopt when dropped (DE needs 3 digits).
std::optional<std::string> eu_code_tag(std::u32string_view t, const text::regex_match& m) {
    const std::u32string_view country = m.group(t, 1);
    const std::u32string_view digits = m.group(t, 3);
    if (country == U"DE" && digits.size() != 3) {
        return std::nullopt;
    }
    std::u32string body(m.group(t, 2));
    for (char32_t& c : body) {
        if (c == U'Ö' || c == U'Ø') {
            c = U'O';
        }
    }
    return "en:" + utf8(text::lower(country)) + "-" + utf8(text::lower(body)) + "-" + utf8(digits);
}

}  // namespace

void extract_label(const document& d, const rule_data& r, std::vector<prediction>& out) {
    std::vector<positioned> pending;
    for (const family& f : families()) {
        const std::u32string& t = f.text == which::full ? d.full_text() : d.contiguous();
        for (const auto& m : f.re.find_all(t)) {
            std::optional<std::string> tag;
            if (f.k == kind::fixed) {
                tag = f.value_tag;
            } else if (f.k == kind::eu_code) {
                tag = eu_code_tag(t, m);
            } else {
                tag = "en:es-eco-" + utf8(m.group(t, 1)) + "-" + utf8(text::lower(m.group(t, 2)));
            }
            if (!tag) {
                continue;
            }
            prediction p;
            p.type = "label";
            p.value_tag = std::move(tag);
            p.data = data_builder().key("text").str(slice(t, m.start, m.end)).box(d.box(m.start, m.end)).finish();
            p.predictor = "regex";
            pending.push_back({m.start, std::move(p)});
        }
    }
    if (r.label_keywords.loaded) {
        const std::u32string& t = d.default_text();
        for (const auto& m : r.label_keywords.matcher.find(d.lowered_default())) {
            prediction p;
            p.type = "label";
            p.value_tag = r.label_keywords.entries[m.payload].first;
            p.data = data_builder()
                         .key("text").str(slice(t, m.start, m.end))
                         .box(d.default_text_box(m.start, m.end))
                         .finish();
            p.predictor = "flashtext";
            pending.push_back({m.start, std::move(p)});
        }
    }
    if (r.label_logos_loaded) {
        for (const auto& logo : d.ocr().logo_annotations()) {
            const auto it = r.label_logos.find(logo.description);
            if (it == r.label_logos.end()) {
                continue;
            }
            prediction p;
            p.type = "label";
            p.value_tag = it->second;
            p.predictor = "google-cloud-vision";
            p.automatic_processing = false;
            p.confidence = logo.score;
            pending.push_back({not_in_text, std::move(p)});
        }
    }
    flush_in_order(pending, out);
}

}  // namespace robotoff::extract
