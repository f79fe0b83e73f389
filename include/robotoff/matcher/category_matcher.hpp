#pragma once
// DESIGN: in-process category matcher (pipeline.md §12), replacing the 2019 search-engine matcher.
// Owns, per matcher language, the analysed category names (names only, not synonyms) and an inverted index
// token -> entries. Built once from a categories taxonomy snapshot (build() blocks, ~100 ms); immutable
// afterwards, so queries are thread-safe and lock-free. On a taxonomy refresh the owner builds a new matcher
// and swaps the shared_ptr; readers finish with the old one.
// Query: the product name's analysed tokens must appear as a contiguous run of a category name's tokens;
// score = len(query) / len(entry); best = highest score, then shortest entry, then smallest id.

#include "robotoff/core/json.hpp"
#include "robotoff/matcher/analysis.hpp"
#include "robotoff/taxonomy/taxonomy.hpp"

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace robotoff::matcher {

struct category_match {
    std::string id;     // "en:plain-yogurts"
    double score = 0;   // len(query tokens) / len(entry tokens), in (0, 1]
};

// One prediction of type `category`, predictor "matcher" (pipeline.md §12 "Per product").
struct category_prediction {
    std::string value_tag;
    double confidence = 0;
    std::string lang;
    std::string product_name;
};

class category_matcher {
public:
    static constexpr const char* predictor = "matcher";
    static constexpr const char* predictor_version = "1";

    // Indexes name[L] of every node for every L in `langs` ("fr", "en", "es", "de" by default). Blocks.
    static std::shared_ptr<const category_matcher> build(const taxonomy::taxonomy& categories,
                                                         const std::vector<std::string>& langs);

    // Best category for a name in `lang`, or nullopt (empty analysis, unknown language, no entry).
    std::optional<category_match> match(std::string_view name, std::string_view lang) const;

    // The product's best prediction over its languages (keys of languages_codes, in order, that are
    // matcher languages with a non-empty product_name_{L}); ties keep the first language.
    std::optional<category_prediction> predict(const rapidjson::Value& product) const;
    // One prediction per language that matched, sorted by confidence descending (stable: language order).
    std::vector<category_prediction> predict_each_language(const rapidjson::Value& product) const;
    // Same from (lang, product name) pairs in the product's language order (e.g. from the product table);
    // pairs whose language is not a matcher language or whose name is empty are skipped.
    std::vector<category_prediction> predict_each_language(
        const std::vector<std::pair<std::string, std::string>>& names) const;

    const std::vector<std::string>& langs() const { return langs_; }
    bool supports(std::string_view lang) const;
    std::size_t entry_count() const;
    const analyzer& text_analyzer() const { return analyzer_; }

    explicit category_matcher(const std::vector<std::string>& langs);

private:
    struct entry {
        std::vector<std::uint32_t> tokens;
        std::uint32_t node = 0;
    };
    struct language_index {
        std::string lang;
        std::unordered_map<std::string, std::uint32_t> vocabulary;
        std::vector<std::vector<std::uint32_t>> postings;  // token id -> entries containing it (once)
        std::vector<entry> entries;
    };

    const language_index* index_for(std::string_view lang) const;

    std::vector<std::string> langs_;
    analyzer analyzer_;
    std::vector<std::string> node_ids_;
    std::vector<language_index> indexes_;
};

// The current matcher, swapped when the category taxonomy changes. Thread-safe; get() returns a snapshot
// (nullptr before the first set()).
class shared_matcher {
public:
    std::shared_ptr<const category_matcher> get() const;
    void set(std::shared_ptr<const category_matcher> m);

private:
    mutable std::mutex mutex_;
    std::shared_ptr<const category_matcher> current_;
};

}  // namespace robotoff::matcher
