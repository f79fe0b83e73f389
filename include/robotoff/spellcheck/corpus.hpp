#pragma once
// Corpus statistics of the spellchecker (pipeline.md §13.1) for one language: documents D, per word tf and
// df, pair and triple counts inside a segment, N and V; plus the words seeded from the ingredients taxonomy
// (issue 8), which count as one extra document and are "known" (never corrected).
// A corpus is built by one thread with corpus_builder, then frozen (immutable, shared read-only).

#include "robotoff/core/json.hpp"
#include "robotoff/taxonomy/taxonomy.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace robotoff::spellcheck {

// What the corpus needs from one product, for one language (the caller reads the dump or the product table).
struct product_record {
    std::string_view ingredients_text;                    // ingredients_text_{lang}
    std::string_view lang;
    std::vector<std::string> states_tags;
    std::optional<long long> unknown_ingredients_n;       // nullopt when absent
    std::vector<std::string> data_quality_tags;
    std::vector<std::string> countries_tags;
};

// §13.1 filter: non-empty text, states_tags has en:complete, unknown_ingredients_n == 0 (when absent: no
// data-quality tag ending in "ingredients-unknown-score-above-0"), and for fr, countries_tags has en:france.
bool is_eligible(const product_record& record);

// Reads the record of `lang` from a product JSON object (dump line or product row); nullopt if the product has
// no ingredients_text_{lang}. The string_views point into `product`.
std::optional<product_record> record_from_product(const rapidjson::Value& product, std::string_view lang);

struct string_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

class corpus {
public:
    struct word_stats {
        std::uint32_t tf = 0;
        std::uint32_t df = 0;
        bool seeded = false;  // from the ingredients taxonomy
    };

    // Frozen n-gram counts: sorted keys + counts (12 bytes per n-gram instead of a hash node), binary search.
    struct counts {
        std::vector<std::uint64_t> keys;
        std::vector<std::uint32_t> values;
        std::uint32_t get(std::uint64_t key) const;
        std::size_t size() const { return keys.size(); }
    };

    const std::string& lang() const { return lang_; }
    std::uint64_t documents() const { return documents_; }        // D
    std::uint64_t total_words() const { return total_words_; }    // N
    std::size_t vocabulary_size() const { return words_.size(); } // V

    // Lower-cased UTF-8 word -> id.
    std::optional<std::uint32_t> id_of(std::string_view word) const;
    const std::string& word(std::uint32_t id) const { return words_[id]; }
    const std::u32string& word32(std::uint32_t id) const { return words32_[id]; }
    const word_stats& stats(std::uint32_t id) const { return stats_[id]; }
    std::uint32_t c2(std::uint32_t a, std::uint32_t b) const;
    std::uint32_t c3(std::uint32_t a, std::uint32_t b, std::uint32_t c) const;
    std::size_t pair_count() const { return c2_.size(); }    // distinct pairs
    std::size_t triple_count() const { return c3_.size(); }  // distinct triples

private:
    friend class corpus_builder;
    std::string lang_;
    std::uint64_t documents_ = 0;
    std::uint64_t total_words_ = 0;
    std::vector<std::string> words_;
    std::vector<std::u32string> words32_;
    std::vector<word_stats> stats_;
    std::unordered_map<std::string, std::uint32_t, string_hash, std::equal_to<>> ids_;
    counts c2_;  // key: (a << 32) | b
    counts c3_;  // key: a 64-bit mix of the three ids
};

// Not thread-safe; build() leaves the builder empty.
class corpus_builder {
public:
    explicit corpus_builder(std::string lang);

    // Adds the product when it passes is_eligible and is in this builder's language; returns whether it did.
    bool add_product(const product_record& record);
    // Adds one document without the filter (tests, evaluations, the product table's own checks).
    void add_document(std::string_view ingredients_text);
    // Seeds the names and synonyms in this language (and "xx") of every node as one document; their words
    // become known words.
    void add_taxonomy(const taxonomy::taxonomy& ingredients);

    std::shared_ptr<const corpus> build();

private:
    std::uint32_t intern(const std::u32string& lower_word);
    void add_segment_tokens(const std::vector<std::uint32_t>& ids);

    std::unique_ptr<corpus> corpus_;
    std::vector<std::uint32_t> last_doc_;  // per word: the document number that last counted it in df
    std::unordered_map<std::uint64_t, std::uint32_t> c2_;  // frozen into the corpus by build()
    std::unordered_map<std::uint64_t, std::uint32_t> c3_;
};

// Job build_spellcheck_corpus: streams the minified dump (JSON lines, plain or gzip) once and builds one corpus
// per language with the §13.1 filter, each seeded from `ingredients` when given. `progress` (optional) is
// called every 100,000 lines with the line count. Blocks (minutes on the full dump); throws core::io_error.
std::vector<std::shared_ptr<const corpus>> build_corpora_from_dump(
    const std::string& path, const std::vector<std::string>& langs, const taxonomy::taxonomy* ingredients,
    const std::function<void(std::uint64_t)>& progress = {});

}  // namespace robotoff::spellcheck
