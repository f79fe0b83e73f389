#include "robotoff/spellcheck/corpus.hpp"

#include "robotoff/spellcheck/text_segments.hpp"
#include "robotoff/text/normalize.hpp"

#include <algorithm>

namespace robotoff::spellcheck {

namespace {

bool contains(const std::vector<std::string>& tags, std::string_view tag) {
    return std::find(tags.begin(), tags.end(), tag) != tags.end();
}

std::vector<std::string> string_array(const rapidjson::Value& product, const char* key) {
    std::vector<std::string> out;
    const rapidjson::Value* v = core::get_member(product, key);
    if (v == nullptr || !v->IsArray()) {
        return out;
    }
    for (const auto& s : v->GetArray()) {
        if (s.IsString()) {
            out.emplace_back(s.GetString(), s.GetStringLength());
        }
    }
    return out;
}

std::uint64_t mix64(std::uint64_t x) {
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

std::uint64_t pair_key(std::uint32_t a, std::uint32_t b) { return (std::uint64_t{a} << 32) | b; }

std::uint64_t triple_key(std::uint32_t a, std::uint32_t b, std::uint32_t c) {
    return mix64(pair_key(a, b) ^ mix64(std::uint64_t{c} + 0x9e3779b97f4a7c15ULL));
}

}  // namespace

bool is_eligible(const product_record& r) {
    if (r.ingredients_text.empty() || !contains(r.states_tags, "en:complete")) {
        return false;
    }
    if (r.unknown_ingredients_n) {
        if (*r.unknown_ingredients_n != 0) {
            return false;
        }
    } else {
        for (const auto& tag : r.data_quality_tags) {
            if (tag.ends_with("ingredients-unknown-score-above-0")) {
                return false;
            }
        }
    }
    return r.lang != "fr" || contains(r.countries_tags, "en:france");
}

std::optional<product_record> record_from_product(const rapidjson::Value& product, std::string_view lang) {
    if (!product.IsObject()) {
        return std::nullopt;
    }
    const std::string key = "ingredients_text_" + std::string(lang);
    const auto text = core::get_string(product, key.c_str());
    if (!text) {
        return std::nullopt;
    }
    product_record r;
    r.ingredients_text = *text;
    r.lang = lang;
    r.states_tags = string_array(product, "states_tags");
    r.data_quality_tags = string_array(product, "data_quality_tags");
    r.countries_tags = string_array(product, "countries_tags");
    if (const auto n = core::get_int(product, "unknown_ingredients_n")) {
        r.unknown_ingredients_n = *n;
    } else if (const auto d = core::get_double(product, "unknown_ingredients_n")) {
        r.unknown_ingredients_n = static_cast<long long>(*d);
    }
    return r;
}

std::optional<std::uint32_t> corpus::id_of(std::string_view word) const {
    const auto it = ids_.find(word);
    if (it == ids_.end()) {
        return std::nullopt;
    }
    return it->second;
}

std::uint32_t corpus::counts::get(std::uint64_t key) const {
    const auto it = std::lower_bound(keys.begin(), keys.end(), key);
    return it == keys.end() || *it != key ? 0 : values[static_cast<std::size_t>(it - keys.begin())];
}

std::uint32_t corpus::c2(std::uint32_t a, std::uint32_t b) const { return c2_.get(pair_key(a, b)); }

std::uint32_t corpus::c3(std::uint32_t a, std::uint32_t b, std::uint32_t c) const {
    return c3_.get(triple_key(a, b, c));
}

corpus_builder::corpus_builder(std::string lang) : corpus_(std::make_unique<corpus>()) {
    corpus_->lang_ = std::move(lang);
}

std::uint32_t corpus_builder::intern(const std::u32string& lower_word) {
    std::string utf8 = text::to_utf8(lower_word);
    const auto it = corpus_->ids_.find(utf8);
    if (it != corpus_->ids_.end()) {
        return it->second;
    }
    const auto id = static_cast<std::uint32_t>(corpus_->words_.size());
    corpus_->ids_.emplace(utf8, id);
    corpus_->words_.push_back(std::move(utf8));
    corpus_->words32_.push_back(lower_word);
    corpus_->stats_.emplace_back();
    last_doc_.push_back(0);
    return id;
}

void corpus_builder::add_segment_tokens(const std::vector<std::uint32_t>& ids) {
    const auto doc = static_cast<std::uint32_t>(corpus_->documents_);
    for (std::size_t i = 0; i < ids.size(); ++i) {
        auto& s = corpus_->stats_[ids[i]];
        ++s.tf;
        if (last_doc_[ids[i]] != doc) {
            last_doc_[ids[i]] = doc;
            ++s.df;
        }
        if (i >= 1) {
            ++c2_[pair_key(ids[i - 1], ids[i])];
        }
        if (i >= 2) {
            ++c3_[triple_key(ids[i - 2], ids[i - 1], ids[i])];
        }
    }
    corpus_->total_words_ += ids.size();
}

void corpus_builder::add_document(std::string_view ingredients_text) {
    // Document numbers start at 1 so that last_doc_ == 0 means "not seen yet".
    ++corpus_->documents_;
    const std::u32string input = text::to_u32(ingredients_text);
    const std::u32string normalized = normalize(input);
    std::vector<std::uint32_t> ids;
    for (const auto& seg : split_segments(normalized)) {
        if (is_noise_segment(seg.text)) {
            continue;
        }
        ids.clear();
        for (const auto& t : tokenize(seg.text)) {
            ids.push_back(intern(text::lower(t.text)));
        }
        add_segment_tokens(ids);
    }
}

bool corpus_builder::add_product(const product_record& record) {
    if (record.lang != corpus_->lang_ || !is_eligible(record)) {
        return false;
    }
    add_document(record.ingredients_text);
    return true;
}

void corpus_builder::add_taxonomy(const taxonomy::taxonomy& ingredients) {
    ++corpus_->documents_;
    const std::string& lang = corpus_->lang_;
    std::vector<std::uint32_t> ids;
    auto add_phrase = [&](const std::string& phrase) {
        const std::u32string normalized = normalize(text::to_u32(phrase));
        for (const auto& seg : split_segments(normalized)) {
            ids.clear();
            for (const auto& t : tokenize(seg.text)) {
                const std::uint32_t id = intern(text::lower(t.text));
                corpus_->stats_[id].seeded = true;
                ids.push_back(id);
            }
            add_segment_tokens(ids);
        }
    };
    std::vector<const std::string*> phrases;
    for (const auto& n : ingredients.nodes()) {
        // The name is usually repeated among the synonyms: count each phrase once per node.
        phrases.clear();
        auto push = [&](const std::string& p) {
            if (std::find_if(phrases.begin(), phrases.end(), [&](const std::string* q) { return *q == p; }) ==
                phrases.end()) {
                phrases.push_back(&p);
            }
        };
        for (const auto& [l, name] : n.names) {
            if (l == lang || l == "xx") {
                push(name);
            }
        }
        for (const auto& [l, list] : n.synonyms) {
            if (l == lang || l == "xx") {
                for (const auto& s : list) {
                    push(s);
                }
            }
        }
        for (const std::string* p : phrases) {
            add_phrase(*p);
        }
    }
}

namespace {

corpus::counts freeze(std::unordered_map<std::uint64_t, std::uint32_t>& map) {
    std::vector<std::pair<std::uint64_t, std::uint32_t>> items(map.begin(), map.end());
    map = {};
    std::sort(items.begin(), items.end());
    corpus::counts out;
    out.keys.reserve(items.size());
    out.values.reserve(items.size());
    for (const auto& [k, v] : items) {
        out.keys.push_back(k);
        out.values.push_back(v);
    }
    return out;
}

}  // namespace

std::shared_ptr<const corpus> corpus_builder::build() {
    corpus_->c2_ = freeze(c2_);
    corpus_->c3_ = freeze(c3_);
    std::shared_ptr<const corpus> out(std::move(corpus_));
    corpus_ = std::make_unique<corpus>();
    corpus_->lang_ = out->lang_;
    last_doc_.clear();
    return out;
}

}  // namespace robotoff::spellcheck
