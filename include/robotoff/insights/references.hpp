#pragma once
// Data files the importers read (spec README §7): the label whitelist (automatic labels), the brand
// blacklist and the brand barcode-prefix pairs. Immutable once loaded: share read-only across threads.

#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace robotoff::insights {

struct import_references {
    std::unordered_set<std::string> label_whitelist;       // ocr/label_whitelist.txt
    std::unordered_set<std::string> brand_blacklist;       // ocr/brand_taxonomy_blacklist.txt
    std::unordered_set<std::string> brand_prefixes;        // "brand_tag|1234567xxxxxx" (brand_prefix.json.gz)
    std::vector<std::string> missing;                      // files that could not be read (warned once)

    // Loads from `data_dir`; a missing or unreadable file leaves its set empty and is listed in `missing`.
    static import_references load(const std::string& data_dir);

    bool brand_prefix_allowed(std::string_view brand_tag, std::string_view barcode) const;
};

}  // namespace robotoff::insights
