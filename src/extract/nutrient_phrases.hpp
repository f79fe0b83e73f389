#pragma once
// The nutrient phrase tables of §5.7 / §5.8, shared by the nutrient and nutrient_mention extractors.

#include <string>
#include <vector>

namespace robotoff::extract {

struct nutrient_phrase {
    const char* pattern;  // regex fragment, case-insensitive
    const char* langs;    // comma-separated
};

struct nutrient_entry {
    const char* key;
    std::vector<nutrient_phrase> phrases;
    const char* units;  // regex alternation
};

// The nutrients in table order.
const std::vector<nutrient_entry>& nutrient_table();
// The nutrition_values headings of §5.8.
const std::vector<nutrient_phrase>& nutrition_value_headings();
// "(?:p0(*MARK:0)|p1(*MARK:1)|...)"
std::string marked_alternation(const std::vector<nutrient_phrase>& phrases);
std::vector<std::string> split_langs(const char* langs);

}  // namespace robotoff::extract
