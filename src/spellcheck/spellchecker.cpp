#include "robotoff/spellcheck/spellchecker.hpp"

#include "robotoff/spellcheck/text_segments.hpp"
#include "robotoff/text/normalize.hpp"

#include <cmath>
#include <optional>
#include <stdexcept>

namespace robotoff::spellcheck {

namespace {

using word_id = std::optional<std::uint32_t>;

// log P(sequence) under the add-alpha trigram model of §13.5.
double log_language_model(const corpus& c, const std::vector<word_id>& s, double alpha) {
    const double n = static_cast<double>(c.total_words());
    const double v = static_cast<double>(c.vocabulary_size());
    auto tf = [&](const word_id& w) { return w ? static_cast<double>(c.stats(*w).tf) : 0.0; };
    auto c2 = [&](const word_id& a, const word_id& b) { return a && b ? static_cast<double>(c.c2(*a, *b)) : 0.0; };
    auto c3 = [&](const word_id& a, const word_id& b, const word_id& d) {
        return a && b && d ? static_cast<double>(c.c3(*a, *b, *d)) : 0.0;
    };
    double log_p = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (i == 0) {
            log_p += std::log((tf(s[0]) + alpha) / (n + alpha * v));
        } else if (i == 1) {
            log_p += std::log((c2(s[0], s[1]) + alpha) / (tf(s[0]) + alpha * v));
        } else {
            log_p += std::log((c3(s[i - 2], s[i - 1], s[i]) + alpha) / (c2(s[i - 2], s[i - 1]) + alpha * v));
        }
    }
    return log_p;
}

}  // namespace

spellchecker::spellchecker(std::vector<std::shared_ptr<const corpus>> corpora, options opts)
    : options_(opts) {
    // Loads ICU's normalization and case data now rather than inside the first request (~8 ms once).
    (void)text::ascii_fold(std::u32string_view(U"\u00e9"));
    (void)text::lower(std::u32string_view(U"\u00c9"));
    for (auto& c : corpora) {
        language l;
        l.index = std::make_unique<delete_index>(c);
        l.words = std::move(c);
        languages_.push_back(std::move(l));
    }
}

const spellchecker::language* spellchecker::find(std::string_view lang) const {
    for (const auto& l : languages_) {
        if (l.words->lang() == lang) {
            return &l;
        }
    }
    return nullptr;
}

bool spellchecker::supports(std::string_view lang) const { return find(lang) != nullptr; }

std::vector<std::string> spellchecker::langs() const {
    std::vector<std::string> out;
    for (const auto& l : languages_) {
        out.push_back(l.words->lang());
    }
    return out;
}

const corpus* spellchecker::corpus_for(std::string_view lang) const {
    const language* l = find(lang);
    return l == nullptr ? nullptr : l->words.get();
}

result spellchecker::check(std::string_view input_text, std::string_view lang, double confidence) const {
    const language* l = find(lang);
    if (l == nullptr) {
        throw std::invalid_argument("spellcheck: no corpus for language " + std::string(lang));
    }
    const corpus& c = *l->words;
    const double max_df = options_.max_df_ratio * static_cast<double>(c.documents());
    const double log_unchanged = std::log(options_.unchanged_channel);
    const double log_confidence = std::log(confidence);

    result out;
    out.text = std::string(input_text);
    const std::u32string input = text::to_u32(input_text);
    const std::u32string normalized = normalize(input);
    for (const auto& seg : split_segments(normalized)) {
        const auto tokens = tokenize(seg.text, seg.start);
        if (tokens.empty()) {
            continue;
        }
        std::vector<word_id> ids;
        std::vector<std::u32string> lowered;
        ids.reserve(tokens.size());
        for (const auto& t : tokens) {
            lowered.push_back(text::lower(t.text));
            ids.push_back(c.id_of(text::to_utf8(lowered.back())));
        }
        // Candidates per correctable token.
        std::vector<std::pair<std::size_t, std::vector<candidate>>> options_per_token;
        for (std::size_t i = 0; i < tokens.size(); ++i) {
            const auto& t = lowered[i];
            if (t.size() < options_.min_length || has_digit(t)) {
                continue;
            }
            const std::uint32_t df = ids[i] ? c.stats(*ids[i]).df : 0;
            if (static_cast<double>(df) > max_df) {
                continue;
            }
            if (ids[i] && ((options_.seeded_words_known && c.stats(*ids[i]).seeded) ||
                           (options_.known_df > 0 && df >= options_.known_df))) {
                continue;
            }
            auto cands =
                l->index->candidates(t, df, 5, options_.min_similarity, options_.accent_only_min_similarity);
            if (!cands.empty()) {
                options_per_token.emplace_back(i, std::move(cands));
            }
        }
        if (options_per_token.empty()) {
            continue;
        }
        const double log_s0 =
            log_language_model(c, ids, options_.alpha) + log_unchanged * static_cast<double>(tokens.size());
        double best = log_s0;
        std::optional<std::pair<std::size_t, candidate>> best_change;
        std::vector<word_id> hypothesis = ids;
        for (const auto& [i, cands] : options_per_token) {
            for (const auto& cand : cands) {
                hypothesis[i] = cand.word;
                const double log_s = log_language_model(c, hypothesis, options_.alpha) +
                                     log_unchanged * static_cast<double>(tokens.size() - 1) +
                                     std::log(cand.similarity);
                if (log_s > best) {
                    best = log_s;
                    best_change = std::make_pair(i, cand);
                }
            }
            hypothesis[i] = ids[i];
        }
        if (!best_change || !(best > log_confidence + log_s0)) {
            continue;
        }
        const auto& [i, cand] = *best_change;
        correction corr;
        corr.term_corrections.push_back(term_correction{text::to_utf8(tokens[i].text),
                                                        match_case(tokens[i].text, c.word32(cand.word)),
                                                        tokens[i].start, tokens[i].end});
        corr.score = std::exp(best);
        out.corrections.push_back(std::move(corr));
    }
    out.corrected = apply_corrections(input_text, out.corrections);
    return out;
}

std::shared_ptr<const spellchecker> shared_spellchecker::get() const {
    std::lock_guard lock(mutex_);
    return current_;
}

void shared_spellchecker::set(std::shared_ptr<const spellchecker> s) {
    std::shared_ptr<const spellchecker> old;  // released outside the lock
    {
        std::lock_guard lock(mutex_);
        old = std::move(current_);
        current_ = std::move(s);
    }
}

}  // namespace robotoff::spellcheck
