#pragma once
// DESIGN: in-process ingredient spellchecker (pipeline.md §13), replacing the 2019 trigram phrase suggester.
// Owns, per language, a frozen corpus (§13.1 statistics + words seeded from the ingredients taxonomy) and its
// symmetric-delete candidate index. A spellchecker is immutable once built: check() is thread-safe and
// lock-free. Rebuilding the corpus (job build_spellcheck_corpus) makes a new spellchecker that the owner
// swaps in through a shared_ptr; until the first one exists the API answers 503 (the owner's job).
// Rules on top of the spec (issue 8): a token seeded from the taxonomy, or seen in at least
// `options.known_df` products, is a known word and is never corrected; numbers, E-numbers and percentages are
// blanked before tokenization and tokens with digits are never corrected; the candidate similarity floor is
// 0.7 instead of 0.5 except for accent-only differences (see options).

#include "robotoff/spellcheck/candidates.hpp"
#include "robotoff/spellcheck/corpus.hpp"

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace robotoff::spellcheck {

struct options {
    double alpha = 0.5;              // add-alpha smoothing (§13.5)
    double unchanged_channel = 0.95; // channel score of an unchanged token
    std::size_t min_length = 4;      // tokens shorter than this are never corrected (§13.4)
    double max_df_ratio = 0.01;      // df(t) <= ratio x D to be a correction target (§13.4)
    // Candidate similarity floor. The spec's is 0.5; ours is 0.7 (distance 2 only for words of 7+ letters),
    // calibrated with bench/spellcheck_eval: precision 0.90 -> 0.95 at unchanged recall. Candidates that differ
    // from the token only by accents keep the spec's floor (accent loss is the commonest French error).
    double min_similarity = 0.7;
    double accent_only_min_similarity = 0.5;
    std::uint32_t known_df = 0;      // ours: df(t) >= known_df (when > 0) -> known word, never corrected
    bool seeded_words_known = true;  // ours: words from the ingredients taxonomy are never corrected
};

struct term_correction {
    std::string original;    // token as written
    std::string correction;  // candidate with the original's case pattern
    std::size_t start_offset = 0;  // code points in the input
    std::size_t end_offset = 0;
};

struct correction {
    std::vector<term_correction> term_corrections;  // one per accepted segment (§13.6)
    double score = 0;                               // S*
};

struct result {
    std::vector<correction> corrections;
    std::string text;
    std::string corrected;
};

class spellchecker {
public:
    // One corpus per language. Builds the candidate indexes (blocks).
    explicit spellchecker(std::vector<std::shared_ptr<const corpus>> corpora, options opts = {});

    bool supports(std::string_view lang) const;
    std::vector<std::string> langs() const;
    const options& settings() const { return options_; }

    // §13.2-13.6 for `text` in `lang` (must be supported: throws std::invalid_argument otherwise).
    // confidence: 1 for the API, 10 for batch runs.
    result check(std::string_view text, std::string_view lang, double confidence = 1.0) const;

    // The corpus of a language, or nullptr.
    const corpus* corpus_for(std::string_view lang) const;

private:
    struct language {
        std::shared_ptr<const corpus> words;
        std::unique_ptr<delete_index> index;
    };
    const language* find(std::string_view lang) const;

    options options_;
    std::vector<language> languages_;
};

// The current spellchecker, swapped by the corpus build. Thread-safe; get() returns a snapshot (nullptr until
// the first corpus is built: the API answers 503 then).
class shared_spellchecker {
public:
    std::shared_ptr<const spellchecker> get() const;
    void set(std::shared_ptr<const spellchecker> s);

private:
    mutable std::mutex mutex_;
    std::shared_ptr<const spellchecker> current_;
};

// The input with every term correction applied in offset order (offsets in code points).
std::string apply_corrections(std::string_view text, const std::vector<correction>& corrections);

// The case pattern of `original` applied to the lower-case `word`: all upper -> upper, first upper ->
// capitalized, else lower.
std::string match_case(std::u32string_view original, std::u32string_view word);

// {"corrections": [{"term_corrections": [...], "score": S}], "text": ..., "corrected": ...} (api.md §7.4).
std::string to_json(const result& r);
// Prediction data of an ingredient_spellcheck prediction (§13.6):
// {"original": text, "correction": corrected, "lang": L, "corrections": [...]}.
std::string prediction_data_json(const result& r, std::string_view lang);
// The `corrections` array alone.
void write_corrections(rapidjson::Writer<rapidjson::StringBuffer>& writer, const std::vector<correction>& cs);

}  // namespace robotoff::spellcheck
