#pragma once
// Text analysis of the category matcher (pipeline.md §12): tokens, ASCII fold + lower case, French
// elisions, stop words, Snowball stems. The same analysis is applied to category names and product names.
// Thread-safe: an analyzer is immutable after construction; Snowball stemmers (not thread-safe in
// libstemmer) are created lazily per thread and per language.

#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace robotoff::matcher {

// Step 1: maximal runs of Unicode letters, digits (and combining marks, so decomposed accents stay inside
// their word); an apostrophe (' or U+2019) between two letters stays inside the token as '.
std::vector<std::u32string> tokenize(std::u32string_view text);

// The stop-word list embedded at build time for a language ("" if we have none), as written in
// src/matcher/stopwords/<lang>.txt.
std::string_view embedded_stop_words(std::string_view lang);

class analyzer {
public:
    // Loads the embedded stop words of each language. Languages without a list or a Snowball stemmer still
    // work (no stop words / no stemming).
    explicit analyzer(const std::vector<std::string>& langs);

    // Steps 1-5. Unknown language: steps 1-2 only. Never throws on any UTF-8 input.
    std::vector<std::string> analyze(std::string_view text, std::string_view lang) const;

    bool is_stop_word(std::string_view folded_word, std::string_view lang) const;

private:
    std::unordered_map<std::string, std::unordered_set<std::string>> stop_words_;
};

}  // namespace robotoff::matcher
