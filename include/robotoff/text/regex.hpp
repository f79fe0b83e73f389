#pragma once
// A thin PCRE2 wrapper over UTF-32 text (the 32-bit PCRE2 library), so match offsets are code points with no
// conversion (spec README §5). Patterns are compiled once with UTF + UCP (+ JIT when available); a compiled
// regex is immutable and thread-safe to share; matching uses per-thread match data and never allocates for
// small patterns. Compile errors throw regex_error with the pattern and PCRE2's message and offset.

#include <cstddef>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace robotoff::text {

class regex_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// One match: the whole span and each capture group ([start, end) in code points; npos = group unset).
struct regex_match {
    static constexpr std::size_t npos = static_cast<std::size_t>(-1);
    std::size_t start = 0;
    std::size_t end = 0;
    std::vector<std::pair<std::size_t, std::size_t>> groups;  // index 0 = whole match
    std::u32string_view mark;                                 // last (*MARK:name) passed, empty if none

    bool has_group(std::size_t i) const { return i < groups.size() && groups[i].first != npos; }
    std::u32string_view group(std::u32string_view text, std::size_t i) const {
        if (!has_group(i)) {
            return {};
        }
        return text.substr(groups[i].first, groups[i].second - groups[i].first);
    }
};

class regex {
public:
    enum flags : unsigned { none = 0, caseless = 1 };

    // Pattern in UTF-8. Throws regex_error.
    explicit regex(std::string_view pattern, unsigned flags = none);
    ~regex();
    regex(regex&&) noexcept;
    regex& operator=(regex&&) noexcept;
    regex(const regex&) = delete;
    regex& operator=(const regex&) = delete;

    // First match starting at or after `from`. Look-behind sees text before `from`.
    std::optional<regex_match> search(std::u32string_view text, std::size_t from = 0) const;
    // Match anchored exactly at `at`.
    std::optional<regex_match> match_at(std::u32string_view text, std::size_t at) const;
    // All leftmost non-overlapping matches (spec §3.1); an empty match advances by one code point.
    std::vector<regex_match> find_all(std::u32string_view text) const;

    const std::string& pattern() const { return pattern_; }

private:
    std::optional<regex_match> run(std::u32string_view text, std::size_t from, bool anchored) const;

    std::string pattern_;
    void* code_ = nullptr;  // pcre2_code_32*
};

}  // namespace robotoff::text
