// §5.1 packager_code: health marks (fr_emb, eu_fr, eu_de), FSC, RSPO, gluten-free licences, fishing codes.

#include "internal.hpp"

#include "robotoff/text/normalize.hpp"

namespace robotoff::extract {

namespace {

enum class which { full, contiguous };

struct format {
    const char* type;
    which text;
    text::regex re;
};

const std::vector<format>& formats() {
    static const std::vector<format> f = [] {
        std::vector<format> v;
        v.push_back({"fr_emb", which::full,
                     text::regex(R"(EMB ?([0-9]) ?([0-9]) ?([0-9]) ?([0-9]) ?([0-9]) ?([a-z])?(?![a-z0-9]))",
                                 text::regex::caseless)});
        v.push_back({"fsc", which::full, text::regex(R"(FSC.? ?C([0-9]{6}))", text::regex::caseless)});
        v.push_back({"eu_fr", which::contiguous,
                     text::regex(R"(FR (2A|2B|[0-9]{2,3})[\-.\s]([0-9]{3})[\-.\s]([0-9]{3}) (?:CE|EC)(?![a-z0-9]))",
                                 text::regex::caseless)});
        v.push_back({"eu_de", which::contiguous,
                     text::regex(R"(DE (BB|BE|BW|BY|HB|HE|HH|MV|NI|NW|RP|SH|SL|SN|ST|TH)[\-.\s]([0-9]{1,5}))"
                                 R"([\-.\s] ?(?:EG|EC)(?![a-z0-9]))",
                                 text::regex::caseless)});
        v.push_back({"rspo", which::contiguous, text::regex(R"((?<!\w)RSPO-[0-9]{7}(?![0-9]))")});
        v.push_back({"fr_gluten", which::contiguous, text::regex(R"(FR-[0-9]{3}-[0-9]{3})")});
        return v;
    }();
    return f;
}

std::string upper_ascii(std::string s) {
    for (char& c : s) {
        if (c >= 'a' && c <= 'z') {
            c = static_cast<char>(c - 'a' + 'A');
        }
    }
    return s;
}

std::string normalize(std::string_view type, const std::u32string_view t, const text::regex_match& m) {
    auto g = [&](std::size_t i) { return utf8(m.group(t, i)); };
    if (type == "fr_emb") {
        return upper_ascii("EMB " + g(1) + g(2) + g(3) + g(4) + g(5) + g(6));
    }
    if (type == "fsc") {
        return "FSC-C" + g(1);
    }
    if (type == "eu_fr") {
        return upper_ascii("FR " + g(1) + "." + g(2) + "." + g(3) + " EC");
    }
    if (type == "eu_de") {
        return "DE " + upper_ascii(g(1)) + "-" + g(2) + " EC";
    }
    return utf8(t.substr(m.start, m.end - m.start));
}

}  // namespace

void extract_packager_code(const document& d, const rule_data& r, std::vector<prediction>& out) {
    std::vector<positioned> pending;
    for (const format& f : formats()) {
        const std::u32string& t = f.text == which::full ? d.full_text() : d.contiguous();
        for (const auto& m : f.re.find_all(t)) {
            prediction p;
            p.type = "packager_code";
            p.value = normalize(f.type, t, m);
            p.data = data_builder()
                         .key("raw").str(slice(t, m.start, m.end))
                         .key("type").str(f.type)
                         .box(d.box(m.start, m.end))
                         .finish();
            p.predictor = "regex";
            p.automatic_processing = true;
            pending.push_back({m.start, std::move(p)});
        }
    }
    if (r.fishing.loaded) {
        const std::u32string& t = d.default_text();
        for (const auto& m : r.fishing.matcher.find(d.lowered_default())) {
            prediction p;
            p.type = "packager_code";
            p.value = upper_ascii(r.fishing.entries[m.payload].first);
            p.data = data_builder()
                         .key("raw").str(slice(t, m.start, m.end))
                         .key("type").str("fishing")
                         .box(d.default_text_box(m.start, m.end))
                         .finish();
            p.predictor = "flashtext";
            p.automatic_processing = true;
            pending.push_back({m.start, std::move(p)});
        }
    }
    flush_in_order(pending, out);
}

}  // namespace robotoff::extract
