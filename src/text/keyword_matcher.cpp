#include "robotoff/text/keyword_matcher.hpp"

#include "robotoff/text/normalize.hpp"

#include <algorithm>
#include <stdexcept>

namespace robotoff::text {

lowered_text lower_for_matching(std::u32string_view text) {
    lowered_text out;
    out.text = lower(text);
    bool expands = false;
    for (char32_t c : text) {
        if (c == U'\u0130') {
            expands = true;
            break;
        }
    }
    if (!expands) {
        return out;
    }
    std::u32string expanded;
    expanded.reserve(text.size() + 8);
    out.to_original.reserve(text.size() + 9);
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == U'\u0130') {
            expanded.push_back(U'i');
            expanded.push_back(U'\u0307');
            out.to_original.push_back(static_cast<std::uint32_t>(i));
            out.to_original.push_back(static_cast<std::uint32_t>(i));
        } else {
            expanded.push_back(out.text[i]);
            out.to_original.push_back(static_cast<std::uint32_t>(i));
        }
    }
    out.to_original.push_back(static_cast<std::uint32_t>(text.size()));
    out.text = std::move(expanded);
    return out;
}

bool keyword_matcher::is_word_char(char32_t c) const {
    if (boundary_ == boundary::unicode) {
        return text::is_word_char(c);
    }
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

void keyword_matcher::add(std::string_view keyword_utf8, std::uint32_t payload) { add(to_u32(keyword_utf8), payload); }

void keyword_matcher::add(std::u32string_view keyword, std::uint32_t payload) {
    if (frozen_) {
        throw std::logic_error("keyword_matcher::add after freeze");
    }
    const lowered_text lowered = lower_for_matching(keyword);
    if (lowered.text.empty()) {
        return;
    }
    std::uint32_t n = 0;
    for (char32_t c : lowered.text) {
        auto& edges = nodes_[n].building;
        auto it = std::find_if(edges.begin(), edges.end(), [c](const edge& e) { return e.c == c; });
        if (it != edges.end()) {
            n = it->child;
            continue;
        }
        const auto next = static_cast<std::uint32_t>(nodes_.size());
        nodes_[n].building.push_back({c, next});
        nodes_.emplace_back();
        n = next;
    }
    if (!nodes_[n].terminal) {
        ++keyword_count_;
    }
    nodes_[n].terminal = true;
    nodes_[n].payload = payload;
}

void keyword_matcher::freeze() {
    if (frozen_) {
        return;
    }
    edges_.clear();
    for (auto& n : nodes_) {
        std::sort(n.building.begin(), n.building.end(), [](const edge& a, const edge& b) { return a.c < b.c; });
        n.first_edge = static_cast<std::uint32_t>(edges_.size());
        n.edge_count = static_cast<std::uint32_t>(n.building.size());
        edges_.insert(edges_.end(), n.building.begin(), n.building.end());
        std::vector<edge>().swap(n.building);
    }
    for (std::uint32_t i = 0; i < nodes_[0].edge_count; ++i) {
        const edge& e = edges_[nodes_[0].first_edge + i];
        if (e.c < 128) {
            root_ascii_[e.c] = e.child;
        }
    }
    frozen_ = true;
}

std::uint32_t keyword_matcher::child(std::uint32_t n, char32_t c) const {
    if (n == 0 && c < 128) {
        return root_ascii_[c];
    }
    const node& nd = nodes_[n];
    const edge* first = edges_.data() + nd.first_edge;
    const edge* last = first + nd.edge_count;
    if (nd.edge_count <= 8) {
        for (const edge* e = first; e != last; ++e) {
            if (e->c == c) {
                return e->child;
            }
        }
        return 0;
    }
    const edge* it = std::lower_bound(first, last, c, [](const edge& e, char32_t v) { return e.c < v; });
    return (it != last && it->c == c) ? it->child : 0;
}

std::optional<keyword_match> keyword_matcher::longest_at(std::u32string_view text, std::size_t pos) const {
    std::uint32_t n = 0;
    std::optional<keyword_match> best;
    for (std::size_t i = pos; i < text.size(); ++i) {
        n = child(n, text[i]);
        if (n == 0) {
            break;
        }
        const node& nd = nodes_[n];
        if (nd.terminal && (i + 1 == text.size() || !is_word_char(text[i + 1]))) {
            best = keyword_match{nd.payload, pos, i + 1};
        }
    }
    return best;
}

template <typename Sink>
void keyword_matcher::scan(const lowered_text& lowered, Sink&& sink) const {
    if (!frozen_) {
        throw std::logic_error("keyword_matcher used before freeze");
    }
    const std::u32string_view text = lowered.text;
    const std::size_t n = text.size();
    std::size_t i = 0;
    while (i < n) {
        if (i == 0 || !is_word_char(text[i - 1])) {
            if (auto m = longest_at(text, i)) {
                m->start = lowered.original(m->start);
                const std::size_t resume = m->end;
                m->end = lowered.original(m->end);
                if (!sink(*m)) {
                    return;
                }
                i = resume;
                continue;
            }
        }
        ++i;
    }
}

std::vector<keyword_match> keyword_matcher::find(const lowered_text& lowered) const {
    std::vector<keyword_match> out;
    scan(lowered, [&out](const keyword_match& m) {
        out.push_back(m);
        return true;
    });
    return out;
}

std::vector<keyword_match> keyword_matcher::find(std::u32string_view text) const {
    return find(lower_for_matching(text));
}

std::optional<keyword_match> keyword_matcher::find_first(const lowered_text& lowered) const {
    std::optional<keyword_match> out;
    scan(lowered, [&out](const keyword_match& m) {
        out = m;
        return false;
    });
    return out;
}

}  // namespace robotoff::text
