// §5.15 category: protected designations (AOC/AOP/DOP/PDO) mapped to category ids through the resolver.

#include "internal.hpp"

#include "robotoff/text/normalize.hpp"

namespace robotoff::extract {

namespace {

enum class side { between, before, after };

struct trigger {
    const char* prefix;
    std::vector<side> sides;  // tried in this order
    text::regex re;
};

const std::vector<trigger>& triggers() {
    static const std::vector<trigger> v = [] {
        constexpr unsigned ci = text::regex::caseless;
        std::vector<trigger> out;
        // Row 1: the phrase is exactly the 1-6 words between "appellation" and the closing word.
        out.push_back({"fr:", {side::between},
                       text::regex(R"((?<!\w)appellation\s+(\S+(?:\s+\S+){0,5}?)\s+)"
                                   R"((?:contr[ôo]l[ée]e|prot[ée]g[ée]e)(?!\w))",
                                   ci)});
        out.push_back({"fr:", {side::before},
                       text::regex(R"((?<!\w)appellation d['’]origine (?:contr[ôo]l[ée]e|prot[ée]g[ée]e)(?!\w))",
                                   ci)});
        out.push_back({"es:", {side::before, side::after},
                       text::regex(R"((?<!\w)denominaci[óo]n de origen protegida(?!\w))", ci)});
        out.push_back({"en:", {side::before, side::after}, text::regex(R"((?<!\w)(?:AOP|DOP|PDO)(?!\w))", ci)});
        return out;
    }();
    return v;
}

struct span {
    std::size_t start;
    std::size_t end;
};

bool is_punct_edge(char32_t c) {
    return c == U',' || c == U'.' || c == U';' || c == U':' || c == U'(' || c == U')' || c == U'"' || c == U'!' ||
           c == U'?' || c == U'*';
}

// Words (runs of non-space) of t[from, to), punctuation trimmed at their edges; empty words dropped.
std::vector<span> words_in(std::u32string_view t, std::size_t from, std::size_t to) {
    std::vector<span> out;
    std::size_t i = from;
    while (i < to) {
        while (i < to && text::is_space(t[i])) {
            ++i;
        }
        std::size_t j = i;
        while (j < to && !text::is_space(t[j])) {
            ++j;
        }
        std::size_t s = i;
        std::size_t e = j;
        while (s < e && is_punct_edge(t[s])) {
            ++s;
        }
        while (e > s && is_punct_edge(t[e - 1])) {
            --e;
        }
        if (e > s) {
            out.push_back({s, e});
        }
        i = j;
    }
    return out;
}

}  // namespace

void extract_category(const document& d, const rule_data& r, std::vector<prediction>& out) {
    if (!r.resolver) {
        return;
    }
    // §5.15: '\n' counts as a space; a phrase never crosses a block or page ('|').
    std::u32string t = d.full_text();
    for (char32_t& c : t) {
        if (c == U'\n') {
            c = U' ';
        }
    }
    std::vector<positioned> pending;
    auto accept = [&](const trigger& tr, std::u32string_view phrase) -> std::optional<std::string> {
        const std::string tag = text::to_tag(utf8(phrase));
        if (tag.empty()) {
            return std::nullopt;
        }
        return r.resolver(tr.prefix + tag);
    };
    for (const trigger& tr : triggers()) {
        for (const auto& m : tr.re.find_all(t)) {
            // The segment (block) around the trigger.
            const std::size_t bar_before = m.start == 0 ? std::u32string::npos : t.rfind(U'|', m.start - 1);
            const std::size_t seg_start = bar_before == std::u32string::npos ? 0 : bar_before + 1;
            const std::size_t bar_after = t.find(U'|', m.end);
            const std::size_t seg_end = bar_after == std::u32string::npos ? t.size() : bar_after;
            std::optional<std::string> id;
            span phrase{0, 0};
            for (side s : tr.sides) {
                if (s == side::between) {
                    const span between{m.groups[1].first, m.groups[1].second};
                    if (auto got = accept(tr, slice(t, between.start, between.end))) {
                        id = got;
                        phrase = between;
                    }
                    break;
                }
                const auto words = s == side::before ? words_in(t, seg_start, m.start) : words_in(t, m.end, seg_end);
                const std::size_t available = std::min<std::size_t>(6, words.size());
                for (std::size_t n = available; n >= 1 && !id; --n) {
                    const span cand = s == side::before
                                          ? span{words[words.size() - n].start, words.back().end}
                                          : span{words.front().start, words[n - 1].end};
                    if (auto got = accept(tr, slice(t, cand.start, cand.end))) {
                        id = got;
                        phrase = cand;
                    }
                }
                if (id) {
                    break;
                }
            }
            if (!id) {
                continue;
            }
            const std::size_t lo = std::min(m.start, phrase.start);
            const std::size_t hi = std::max(m.end, phrase.end);
            prediction p;
            p.type = "category";
            p.value_tag = std::move(id);
            p.data = data_builder().key("text").str(slice(d.full_text(), lo, hi)).box(d.box(lo, hi)).finish();
            p.predictor = "regex";
            p.automatic_processing = false;
            pending.push_back({lo, std::move(p)});
        }
    }
    flush_in_order(pending, out);
}

}  // namespace robotoff::extract
