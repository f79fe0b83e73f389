#pragma once
// Candidate corrections for one token (pipeline.md §13.4) through a symmetric-delete index: every vocabulary
// word is indexed under all the strings obtained by deleting up to 2 code points from its first
// `prefix_length` code points; a query generates the same deletions of the token, looks them up, and verifies
// each hit with the true distance. Answers in microseconds; memory ~ V x 56 entries of 12 bytes.
// Immutable after build; thread-safe queries.

#include "robotoff/spellcheck/corpus.hpp"

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

namespace robotoff::spellcheck {

// Optimal-string-alignment Damerau-Levenshtein distance (adjacent transpositions count 1), code points.
// Returns max_distance + 1 as soon as the distance is known to exceed max_distance.
std::size_t damerau_levenshtein(std::u32string_view a, std::u32string_view b, std::size_t max_distance);

struct candidate {
    std::uint32_t word = 0;  // corpus word id
    double similarity = 0;   // 1 - distance / max(len t, len w)
    std::size_t distance = 0;
};

class delete_index {
public:
    static constexpr std::size_t max_distance = 2;
    static constexpr std::size_t prefix_length = 10;

    // Indexes every corpus word without a digit and of at least 2 code points. Blocks.
    explicit delete_index(std::shared_ptr<const corpus> c);

    // §13.4 for a lower-cased token t: words with the same first code point, distance <= 2, similarity >=
    // min_similarity (the spec's 0.5 by default; a word that differs from t only by accents needs
    // accent_only_min_similarity), df(w) > df(t) (df(t) = 0 when t is unknown); the `limit` best by
    // similarity, then df, then the word.
    std::vector<candidate> candidates(std::u32string_view lower_token, std::uint32_t token_df,
                                      std::size_t limit = 5, double min_similarity = 0.5,
                                      double accent_only_min_similarity = 0.5) const;

    std::size_t entry_count() const { return keys_.size(); }
    const corpus& words() const { return *corpus_; }

private:
    std::shared_ptr<const corpus> corpus_;
    std::vector<std::uint64_t> keys_;   // sorted
    std::vector<std::uint32_t> words_;  // words_[i] is indexed under keys_[i]
    // Directory over the top `bits_` bits of the (uniform, hashed) keys: a lookup binary-searches one small
    // bucket instead of the whole array (2-3 cache misses instead of ~24 at 10M entries).
    unsigned bits_ = 0;
    std::vector<std::uint32_t> buckets_;  // size 2^bits_ + 1: first index of each bucket
};

// The deletion keys of a word (deduplicated), exposed for tests.
std::vector<std::uint64_t> deletion_keys(std::u32string_view word);

}  // namespace robotoff::spellcheck
