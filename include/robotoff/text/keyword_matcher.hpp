#pragma once
// The ONE multi-keyword matcher of the project (ocr-and-extraction.md §3.2), a trie walked from each word
// start: case-insensitive (keywords and text are Unicode lower-cased; 'İ' expands to "i̇" and spans are mapped
// back), word-boundary aware, longest match wins, non-overlapping, left to right. Every list-based extractor
// uses it. Build once (add + freeze), then match from any number of threads: matching is const and
// allocation-free except for the result vector.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace robotoff::text {

// Lower-cased text plus the map back to the original offsets (only kept when lower-casing changed the length).
struct lowered_text {
    std::u32string text;
    std::vector<std::uint32_t> to_original;  // empty = identity; else size text.size() + 1

    std::size_t original(std::size_t i) const { return to_original.empty() ? i : to_original[i]; }
};

// Unicode lower case of each code point, 'İ' (U+0130) -> "i" U+0307 as the full mapping does.
lowered_text lower_for_matching(std::u32string_view text);

struct keyword_match {
    std::uint32_t payload = 0;
    std::size_t start = 0;  // code points, in the text given to find() (original offsets)
    std::size_t end = 0;
};

class keyword_matcher {
public:
    // Which characters are "word" characters for the boundary rules.
    enum class boundary { ascii, unicode };

    explicit keyword_matcher(boundary b = boundary::ascii) : boundary_(b) { nodes_.emplace_back(); }

    // Adds a keyword (any case); a keyword added twice keeps the last payload. Empty keywords are ignored.
    void add(std::u32string_view keyword, std::uint32_t payload);
    void add(std::string_view keyword_utf8, std::uint32_t payload);
    // Sorts the trie edges; call once after the last add() and before matching.
    void freeze();

    std::size_t size() const { return keyword_count_; }
    bool empty() const { return keyword_count_ == 0; }

    // All matches in `text` (original case; lowered here).
    std::vector<keyword_match> find(std::u32string_view text) const;
    // Same over text already lowered with lower_for_matching (shared between extractors).
    std::vector<keyword_match> find(const lowered_text& lowered) const;
    // Stops after the first match.
    std::optional<keyword_match> find_first(const lowered_text& lowered) const;
    // The longest keyword starting exactly at `pos` of already lowered text and ending on a boundary
    // (the start boundary is the caller's business). Offsets are in `lowered`.
    std::optional<keyword_match> longest_at(std::u32string_view lowered, std::size_t pos) const;

    bool is_word_char(char32_t c) const;

private:
    struct edge {
        char32_t c;
        std::uint32_t child;
    };
    struct node {
        std::uint32_t first_edge = 0;  // after freeze: [first_edge, first_edge + edge_count) in edges_
        std::uint32_t edge_count = 0;
        std::uint32_t payload = 0;
        bool terminal = false;
        std::vector<edge> building;  // before freeze
    };

    std::uint32_t child(std::uint32_t n, char32_t c) const;
    template <typename Sink>
    void scan(const lowered_text& lowered, Sink&& sink) const;

    boundary boundary_;
    std::vector<node> nodes_;
    std::vector<edge> edges_;
    std::uint32_t root_ascii_[128] = {};  // root children by ASCII code, 0 = none (node 0 is the root)
    std::size_t keyword_count_ = 0;
    bool frozen_ = false;
};

}  // namespace robotoff::text
