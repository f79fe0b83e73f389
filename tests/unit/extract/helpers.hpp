#pragma once
// Shared by the extract tests: the rules loaded once from ../shared/data (with a small fake category
// resolver), and helpers to run one extractor on a text and read the predictions back.

#include "robotoff/core/json.hpp"
#include "robotoff/extract/extract.hpp"
#include "robotoff/ocr/ocr_result.hpp"

#include <set>
#include <string>
#include <vector>

namespace test_extract {

using robotoff::extract::prediction;

inline const std::string data_dir = ROBOTOFF_SHARED_DIR "/data";

// Category ids the fake resolver knows, plus one synonym.
inline std::optional<std::string> fake_categories(std::string_view id) {
    static const std::set<std::string, std::less<>> known = {
        "fr:pomerol", "fr:clairette-de-die", "es:pimenton-de-la-vera", "en:manchego",
        "en:mozzarella-di-bufala-campana", "en:comte"};
    if (known.count(id) > 0) {
        return std::string(id);
    }
    if (id == "fr:comte") {
        return std::string("en:comte");
    }
    return std::nullopt;
}

inline const robotoff::extract::rules& shared_rules() {
    static const robotoff::extract::rules r = robotoff::extract::load_rules(data_dir, fake_categories);
    return r;
}

inline robotoff::extract::options opts_2025() {
    robotoff::extract::options o;
    o.today = robotoff::extract::date{2025, 6, 1};
    return o;
}

// One extractor on OCR text (one block, as `robotoffd extract --text`).
inline std::vector<prediction> run(const std::string& type, const std::string& text,
                                   const robotoff::extract::options& o = opts_2025()) {
    const auto ocr = robotoff::ocr::from_ocr_text(text);
    return robotoff::extract::extract(ocr, shared_rules(), {type}, o);
}

inline std::vector<std::string> values(const std::vector<prediction>& ps) {
    std::vector<std::string> out;
    for (const auto& p : ps) {
        out.push_back(p.value.value_or("(null)"));
    }
    return out;
}

inline std::vector<std::string> tags(const std::vector<prediction>& ps) {
    std::vector<std::string> out;
    for (const auto& p : ps) {
        out.push_back(p.value_tag.value_or("(null)"));
    }
    return out;
}

inline std::set<std::string> tag_set(const std::vector<prediction>& ps) {
    const auto t = tags(ps);
    return {t.begin(), t.end()};
}

inline rapidjson::Document data(const prediction& p) { return robotoff::core::parse_json(p.data); }

inline std::string str(const rapidjson::Value& v, const char* key) {
    const auto s = robotoff::core::get_string(v, key);
    return s ? std::string(*s) : std::string("(absent)");
}

}  // namespace test_extract
