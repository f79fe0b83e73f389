#include "robotoff/spellcheck/candidates.hpp"

#include "robotoff/spellcheck/text_segments.hpp"
#include "robotoff/text/normalize.hpp"

#include <algorithm>

namespace robotoff::spellcheck {

namespace {

// Three rolling rows of the OSA table in caller-provided storage (m + 1 cells each).
std::size_t osa_rows(std::u32string_view a, std::u32string_view b, std::size_t max_distance, std::size_t* prev2,
                     std::size_t* prev, std::size_t* cur) {
    const std::size_t n = a.size();
    const std::size_t m = b.size();
    for (std::size_t j = 0; j <= m; ++j) {
        prev[j] = j;
        prev2[j] = 0;
    }
    for (std::size_t i = 1; i <= n; ++i) {
        cur[0] = i;
        std::size_t row_min = cur[0];
        for (std::size_t j = 1; j <= m; ++j) {
            const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            std::size_t v = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
                v = std::min(v, prev2[j - 2] + 1);
            }
            cur[j] = v;
            row_min = std::min(row_min, v);
        }
        if (row_min > max_distance) {
            return max_distance + 1;
        }
        std::size_t* recycled = prev2;
        prev2 = prev;
        prev = cur;
        cur = recycled;
    }
    return std::min(prev[m], max_distance + 1);
}

}  // namespace

std::size_t damerau_levenshtein(std::u32string_view a, std::u32string_view b, std::size_t max_distance) {
    const std::size_t n = a.size();
    const std::size_t m = b.size();
    if ((n > m ? n - m : m - n) > max_distance) {
        return max_distance + 1;
    }
    // Words are short: stack rows avoid three allocations per verified candidate (the lookup's hot path).
    constexpr std::size_t stack_cells = 64;
    if (m < stack_cells) {
        std::size_t rows[3][stack_cells];
        return osa_rows(a, b, max_distance, rows[0], rows[1], rows[2]);
    }
    std::vector<std::size_t> rows(3 * (m + 1));
    return osa_rows(a, b, max_distance, rows.data(), rows.data() + m + 1, rows.data() + 2 * (m + 1));
}

namespace {

std::uint64_t hash_u32(std::u32string_view s) {
    std::uint64_t h = 0xcbf29ce484222325ULL;
    for (char32_t c : s) {
        h ^= static_cast<std::uint64_t>(c);
        h *= 0x100000001b3ULL;
    }
    h ^= s.size();
    h *= 0x100000001b3ULL;
    return h;
}

}  // namespace

std::vector<std::uint64_t> deletion_keys(std::u32string_view word) {
    const std::u32string_view prefix = word.substr(0, std::min(word.size(), delete_index::prefix_length));
    std::vector<std::uint64_t> keys;
    keys.push_back(hash_u32(prefix));
    std::u32string one;
    std::u32string two;
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        one.assign(prefix.substr(0, i));
        one.append(prefix.substr(i + 1));
        keys.push_back(hash_u32(one));
        for (std::size_t j = i; j < one.size(); ++j) {
            two.assign(std::u32string_view(one).substr(0, j));
            two.append(std::u32string_view(one).substr(j + 1));
            keys.push_back(hash_u32(two));
        }
    }
    std::sort(keys.begin(), keys.end());
    keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
    return keys;
}

delete_index::delete_index(std::shared_ptr<const corpus> c) : corpus_(std::move(c)) {
    std::vector<std::pair<std::uint64_t, std::uint32_t>> entries;
    for (std::uint32_t id = 0; id < corpus_->vocabulary_size(); ++id) {
        const auto& w = corpus_->word32(id);
        if (w.size() < 2 || has_digit(w)) {
            continue;
        }
        for (const std::uint64_t k : deletion_keys(w)) {
            entries.emplace_back(k, id);
        }
    }
    std::sort(entries.begin(), entries.end());
    keys_.reserve(entries.size());
    words_.reserve(entries.size());
    for (const auto& [k, w] : entries) {
        keys_.push_back(k);
        words_.push_back(w);
    }
    bits_ = 8;
    while (bits_ < 24 && (std::size_t{1} << bits_) < keys_.size()) {
        ++bits_;
    }
    buckets_.assign((std::size_t{1} << bits_) + 1, 0);
    std::size_t i = 0;
    for (std::size_t b = 0; b <= (std::size_t{1} << bits_); ++b) {
        while (i < keys_.size() && (keys_[i] >> (64 - bits_)) < b) {
            ++i;
        }
        buckets_[b] = static_cast<std::uint32_t>(i);
    }
}

std::vector<candidate> delete_index::candidates(std::u32string_view t, std::uint32_t token_df,
                                                std::size_t limit, double min_similarity,
                                                double accent_only_min_similarity) const {
    std::vector<std::uint32_t> hits;
    for (const std::uint64_t k : deletion_keys(t)) {
        const std::size_t b = static_cast<std::size_t>(k >> (64 - bits_));
        auto [lo, hi] = std::equal_range(keys_.begin() + buckets_[b], keys_.begin() + buckets_[b + 1], k);
        for (auto it = lo; it != hi; ++it) {
            hits.push_back(words_[static_cast<std::size_t>(it - keys_.begin())]);
        }
    }
    std::sort(hits.begin(), hits.end());
    hits.erase(std::unique(hits.begin(), hits.end()), hits.end());

    std::vector<candidate> out;
    for (const std::uint32_t id : hits) {
        const auto& w = corpus_->word32(id);
        if (w.empty() || t.empty() || w[0] != t[0] || w == t || corpus_->stats(id).df <= token_df) {
            continue;
        }
        const std::size_t d = damerau_levenshtein(t, w, max_distance);
        if (d > max_distance) {
            continue;
        }
        const double similarity = 1.0 - static_cast<double>(d) / static_cast<double>(std::max(t.size(), w.size()));
        const bool accents_only = similarity >= accent_only_min_similarity &&
                                  text::ascii_fold(t) == text::ascii_fold(std::u32string_view(w));
        if (similarity < min_similarity && !accents_only) {
            continue;
        }
        out.push_back(candidate{id, similarity, d});
    }
    std::sort(out.begin(), out.end(), [&](const candidate& a, const candidate& b) {
        if (a.similarity != b.similarity) {
            return a.similarity > b.similarity;
        }
        const auto dfa = corpus_->stats(a.word).df;
        const auto dfb = corpus_->stats(b.word).df;
        if (dfa != dfb) {
            return dfa > dfb;
        }
        return corpus_->word(a.word) < corpus_->word(b.word);
    });
    if (out.size() > limit) {
        out.resize(limit);
    }
    return out;
}

}  // namespace robotoff::spellcheck
