#pragma once
// Private to the extract module: the compiled rule data, the per-document context shared by the extractors,
// the JSON builder for `data`, and one entry point per extractor (one source file each).

#include "robotoff/extract/extract.hpp"
#include "robotoff/text/keyword_matcher.hpp"
#include "robotoff/text/regex.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstddef>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

namespace robotoff::extract {

// A keyword list (§3.2): the matcher and, per payload id, the line's (key, name).
struct keyword_list {
    text::keyword_matcher matcher{text::keyword_matcher::boundary::ascii};
    std::vector<std::pair<std::string, std::string>> entries;
    bool loaded = false;
};

struct store_rules {
    std::optional<text::regex> combined;  // (?<!\w)(?:p0(*MARK:0)|p1(*MARK:1)|...)(?!\w), ordered as §5.6
    std::vector<std::string> names;       // by mark
    std::vector<std::string> tags;
    bool loaded = false;
};

struct city {
    std::string name;
    std::vector<std::string> postal_codes;
};

struct rule_data {
    keyword_list fishing;
    keyword_list label_keywords;
    keyword_list brand_curated;
    keyword_list brand_taxonomy;
    keyword_list trace;
    keyword_list image_flag;  // key = list label ("beauty" | "miscellaneous")
    std::unordered_map<std::string, std::string> label_logos;  // description -> label tag
    std::unordered_map<std::string, std::string> brand_logos;  // description -> brand name
    bool label_logos_loaded = false;
    bool brand_logos_loaded = false;
    store_rules store;
    std::vector<city> cities;
    text::keyword_matcher city_matcher{text::keyword_matcher::boundary::ascii};
    bool cities_loaded = false;
    keyword_list packaging_shapes{text::keyword_matcher{text::keyword_matcher::boundary::unicode}, {}, false};
    keyword_list packaging_materials{text::keyword_matcher{text::keyword_matcher::boundary::unicode}, {}, false};
    keyword_list packaging_recycling{text::keyword_matcher{text::keyword_matcher::boundary::unicode}, {}, false};
    category_resolver resolver;
    std::vector<std::string> disabled;
    std::vector<std::string> warnings;
};

// Per-document context: the OCR result plus texts derived from it once and shared by the extractors.
class document {
public:
    document(const ocr::ocr_result& ocr, const options& opts, bool product_name)
        : ocr_(ocr), opts_(opts), product_name_(product_name) {}

    const ocr::ocr_result& ocr() const { return ocr_; }
    const options& opts() const { return opts_; }
    bool is_product_name() const { return product_name_; }

    const std::u32string& full_text() const { return ocr_.full_text(); }
    const std::u32string& contiguous() const { return ocr_.full_text_contiguous(); }
    const std::u32string& default_text() const { return ocr_.default_text(); }
    // Boxes exist only for offsets into full_text/contiguous (not for the textAnnotations fallback).
    bool default_text_has_words() const { return !ocr_.full_text_contiguous().empty(); }
    // Lower-cased default text for the keyword matcher (computed once).
    const text::lowered_text& lowered_default() const;

    std::optional<ocr::bounding_box> box(std::size_t start, std::size_t end) const {
        if (product_name_ || ocr_.is_plain_text()) {
            return std::nullopt;
        }
        return ocr_.match_box(start, end);
    }
    std::optional<ocr::bounding_box> default_text_box(std::size_t start, std::size_t end) const {
        return default_text_has_words() ? box(start, end) : std::nullopt;
    }

private:
    const ocr::ocr_result& ocr_;
    const options& opts_;
    bool product_name_;
    mutable std::optional<text::lowered_text> lowered_default_;
};

// Builds the compact JSON `data` object.
class data_builder {
public:
    data_builder() : writer_(buffer_) { writer_.StartObject(); }
    data_builder& key(const char* k) {
        writer_.Key(k);
        return *this;
    }
    data_builder& str(std::string_view s) {
        writer_.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
        return *this;
    }
    data_builder& str(std::u32string_view s);
    data_builder& null() {
        writer_.Null();
        return *this;
    }
    data_builder& boolean(bool b) {
        writer_.Bool(b);
        return *this;
    }
    data_builder& integer(long long v) {
        writer_.Int64(v);
        return *this;
    }
    data_builder& number(double v) {
        writer_.Double(v);
        return *this;
    }
    data_builder& begin_object() {
        writer_.StartObject();
        return *this;
    }
    data_builder& end_object() {
        writer_.EndObject();
        return *this;
    }
    data_builder& begin_array() {
        writer_.StartArray();
        return *this;
    }
    data_builder& end_array() {
        writer_.EndArray();
        return *this;
    }
    // "bounding_box_absolute": [..] when present.
    data_builder& box(const std::optional<ocr::bounding_box>& b);
    std::string finish() {
        writer_.EndObject();
        return std::string(buffer_.GetString(), buffer_.GetSize());
    }

private:
    rapidjson::StringBuffer buffer_;
    rapidjson::Writer<rapidjson::StringBuffer> writer_;
};

// A prediction with its position in the text, so that each extractor can emit in order of appearance.
struct positioned {
    std::size_t pos;
    prediction p;
};
constexpr std::size_t not_in_text = static_cast<std::size_t>(-1);
// Stable-sorts by position and appends to `out`.
void flush_in_order(std::vector<positioned>& pending, std::vector<prediction>& out);

std::string utf8(std::u32string_view s);
std::u32string_view slice(const std::u32string& s, std::size_t start, std::size_t end);

// One function per extractor (extract_<type>.cpp).
void extract_packager_code(const document& d, const rule_data& r, std::vector<prediction>& out);
void extract_label(const document& d, const rule_data& r, std::vector<prediction>& out);
void extract_expiration_date(const document& d, const rule_data& r, std::vector<prediction>& out);
void extract_product_weight(const document& d, const rule_data& r, std::vector<prediction>& out);
void extract_brand(const document& d, const rule_data& r, std::vector<prediction>& out);
void extract_store(const document& d, const rule_data& r, std::vector<prediction>& out);
void extract_nutrient(const document& d, const rule_data& r, std::vector<prediction>& out);
void extract_nutrient_mention(const document& d, const rule_data& r, std::vector<prediction>& out);
void extract_trace(const document& d, const rule_data& r, std::vector<prediction>& out);
void extract_image_flag(const document& d, const rule_data& r, std::vector<prediction>& out);
void extract_image_orientation(const document& d, const rule_data& r, std::vector<prediction>& out);
void extract_image_lang(const document& d, const rule_data& r, std::vector<prediction>& out);
void extract_packaging(const document& d, const rule_data& r, std::vector<prediction>& out);
void extract_location(const document& d, const rule_data& r, std::vector<prediction>& out);
void extract_category(const document& d, const rule_data& r, std::vector<prediction>& out);

}  // namespace robotoff::extract
