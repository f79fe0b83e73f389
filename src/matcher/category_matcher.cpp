#include "robotoff/matcher/category_matcher.hpp"

#include "robotoff/core/log.hpp"

#include <algorithm>

namespace robotoff::matcher {

category_matcher::category_matcher(const std::vector<std::string>& langs) : langs_(langs), analyzer_(langs) {}

std::shared_ptr<const category_matcher> category_matcher::build(const taxonomy::taxonomy& categories,
                                                                const std::vector<std::string>& langs) {
    auto m = std::make_shared<category_matcher>(langs);
    const auto& nodes = categories.nodes();
    m->node_ids_.reserve(nodes.size());
    for (const auto& n : nodes) {
        m->node_ids_.push_back(n.id);
    }
    for (const auto& lang : langs) {
        language_index& index = m->indexes_.emplace_back();
        index.lang = lang;
        for (std::uint32_t i = 0; i < nodes.size(); ++i) {
            const std::string* name = nullptr;
            for (const auto& [l, text] : nodes[i].names) {
                if (l == lang) {
                    name = &text;
                    break;
                }
            }
            if (name == nullptr) {
                continue;
            }
            auto tokens = m->analyzer_.analyze(*name, lang);
            if (tokens.empty()) {
                continue;
            }
            const auto entry_index = static_cast<std::uint32_t>(index.entries.size());
            entry& e = index.entries.emplace_back();
            e.node = i;
            for (auto& token : tokens) {
                const auto [it, inserted] =
                    index.vocabulary.emplace(std::move(token), static_cast<std::uint32_t>(index.postings.size()));
                if (inserted) {
                    index.postings.emplace_back();
                }
                auto& posting = index.postings[it->second];
                if (posting.empty() || posting.back() != entry_index) {
                    posting.push_back(entry_index);
                }
                e.tokens.push_back(it->second);
            }
        }
    }
    core::log::info("matcher.index_built", {{"nodes", nodes.size()}, {"entries", m->entry_count()}});
    return m;
}

std::size_t category_matcher::entry_count() const {
    std::size_t n = 0;
    for (const auto& index : indexes_) {
        n += index.entries.size();
    }
    return n;
}

bool category_matcher::supports(std::string_view lang) const { return index_for(lang) != nullptr; }

const category_matcher::language_index* category_matcher::index_for(std::string_view lang) const {
    for (const auto& index : indexes_) {
        if (index.lang == lang) {
            return &index;
        }
    }
    return nullptr;
}

std::optional<category_match> category_matcher::match(std::string_view name, std::string_view lang) const {
    const language_index* index = index_for(lang);
    if (index == nullptr) {
        return std::nullopt;
    }
    const auto tokens = analyzer_.analyze(name, lang);
    if (tokens.empty()) {
        return std::nullopt;
    }
    std::vector<std::uint32_t> query;
    query.reserve(tokens.size());
    const std::vector<std::uint32_t>* rarest = nullptr;
    for (const auto& token : tokens) {
        const auto it = index->vocabulary.find(token);
        if (it == index->vocabulary.end()) {
            return std::nullopt;  // no entry can contain every query token
        }
        query.push_back(it->second);
        const auto& posting = index->postings[it->second];
        if (rarest == nullptr || posting.size() < rarest->size()) {
            rarest = &posting;
        }
    }
    const entry* best = nullptr;
    for (const std::uint32_t e : *rarest) {
        const entry& candidate = index->entries[e];
        if (candidate.tokens.size() < query.size() ||
            std::search(candidate.tokens.begin(), candidate.tokens.end(), query.begin(), query.end()) ==
                candidate.tokens.end()) {
            continue;
        }
        // Score len(q)/len(entry) is highest for the shortest entry; equal lengths -> smallest id.
        if (best == nullptr || candidate.tokens.size() < best->tokens.size() ||
            (candidate.tokens.size() == best->tokens.size() && node_ids_[candidate.node] < node_ids_[best->node])) {
            best = &candidate;
        }
    }
    if (best == nullptr) {
        return std::nullopt;
    }
    return category_match{node_ids_[best->node],
                          static_cast<double>(query.size()) / static_cast<double>(best->tokens.size())};
}

std::vector<category_prediction> category_matcher::predict_each_language(
    const std::vector<std::pair<std::string, std::string>>& names) const {
    std::vector<category_prediction> out;
    for (const auto& [lang, name] : names) {
        if (name.empty() || !supports(lang)) {
            continue;
        }
        if (auto found = match(name, lang)) {
            out.push_back(category_prediction{std::move(found->id), found->score, lang, name});
        }
    }
    std::stable_sort(out.begin(), out.end(), [](const category_prediction& a, const category_prediction& b) {
        return a.confidence > b.confidence;
    });
    return out;
}

std::vector<category_prediction> category_matcher::predict_each_language(const rapidjson::Value& product) const {
    std::vector<std::pair<std::string, std::string>> names;
    if (!product.IsObject()) {
        return {};
    }
    const rapidjson::Value* codes = core::get_member(product, "languages_codes");
    if (codes == nullptr || !codes->IsObject()) {
        return {};
    }
    for (const auto& m : codes->GetObject()) {
        std::string lang(m.name.GetString(), m.name.GetStringLength());
        const std::string key = "product_name_" + lang;
        if (const auto name = core::get_string(product, key.c_str())) {
            names.emplace_back(std::move(lang), std::string(*name));
        }
    }
    return predict_each_language(names);
}

std::optional<category_prediction> category_matcher::predict(const rapidjson::Value& product) const {
    auto all = predict_each_language(product);
    if (all.empty()) {
        return std::nullopt;
    }
    return std::move(all.front());
}

std::shared_ptr<const category_matcher> shared_matcher::get() const {
    std::lock_guard lock(mutex_);
    return current_;
}

void shared_matcher::set(std::shared_ptr<const category_matcher> m) {
    std::shared_ptr<const category_matcher> old;
    {
        std::lock_guard lock(mutex_);
        old = std::move(current_);
        current_ = std::move(m);
    }
}

}  // namespace robotoff::matcher
