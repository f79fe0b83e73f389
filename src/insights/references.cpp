#include "robotoff/insights/references.hpp"

#include "robotoff/core/file_io.hpp"
#include "robotoff/core/json.hpp"
#include "robotoff/core/log.hpp"

#include <sstream>

namespace robotoff::insights {
namespace {

std::unordered_set<std::string> read_list(const std::string& path, std::vector<std::string>& missing) {
    std::unordered_set<std::string> out;
    try {
        std::istringstream in(core::read_file(path));
        std::string line;
        while (std::getline(in, line)) {
            while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) {
                line.pop_back();
            }
            if (line.empty() || line.starts_with("//")) {
                continue;
            }
            out.insert(line);
        }
    } catch (const std::exception& e) {
        missing.push_back(path);
        core::log::warning("insights.references.missing", {{"path", path}, {"error", e.what()}});
    }
    return out;
}

}  // namespace

import_references import_references::load(const std::string& data_dir) {
    import_references refs;
    refs.label_whitelist = read_list(data_dir + "/ocr/label_whitelist.txt", refs.missing);
    refs.brand_blacklist = read_list(data_dir + "/ocr/brand_taxonomy_blacklist.txt", refs.missing);
    std::string path = data_dir + "/brand_prefix.json.gz";
    try {
        auto doc = core::parse_json(core::read_file(path));
        if (doc.IsArray()) {
            for (const auto& pair : doc.GetArray()) {
                if (pair.IsArray() && pair.Size() == 2 && pair[0].IsString() && pair[1].IsString()) {
                    refs.brand_prefixes.insert(std::string(pair[0].GetString()) + "|" + pair[1].GetString());
                }
            }
        }
    } catch (const std::exception& e) {
        refs.missing.push_back(path);
        core::log::warning("insights.references.missing", {{"path", path}, {"error", e.what()}});
    }
    return refs;
}

bool import_references::brand_prefix_allowed(std::string_view brand_tag, std::string_view barcode) const {
    if (barcode.size() != 13) {
        return true;
    }
    std::string key(brand_tag);
    key += '|';
    key += barcode.substr(0, 7);
    key += "xxxxxx";
    return brand_prefixes.count(key) > 0;
}

}  // namespace robotoff::insights
