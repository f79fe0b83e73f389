#include "robotoff/matcher/analysis.hpp"

#include "robotoff/text/normalize.hpp"

#include <libstemmer.h>

#include <memory>

namespace robotoff::matcher {

namespace {

bool is_apostrophe(char32_t c) { return c == U'\'' || c == U'\u2019'; }

bool is_token_char(char32_t c) { return text::is_letter(c) || text::is_digit(c) || text::is_combining_mark(c); }

struct stemmer_deleter {
    void operator()(sb_stemmer* s) const { sb_stemmer_delete(s); }
};
using stemmer_ptr = std::unique_ptr<sb_stemmer, stemmer_deleter>;

// libstemmer stemmers keep state between calls: one per thread and language, created on first use.
// nullptr cached for languages Snowball does not know.
sb_stemmer* stemmer_for(std::string_view lang) {
    thread_local std::unordered_map<std::string, stemmer_ptr> stemmers;
    auto it = stemmers.find(std::string(lang));
    if (it == stemmers.end()) {
        const std::string name(lang);
        it = stemmers.emplace(name, stemmer_ptr(sb_stemmer_new(name.c_str(), "UTF_8"))).first;
    }
    return it->second.get();
}

std::string stem(std::string_view lang, const std::string& word) {
    sb_stemmer* s = stemmer_for(lang);
    if (s == nullptr) {
        return word;
    }
    const sb_symbol* out =
        sb_stemmer_stem(s, reinterpret_cast<const sb_symbol*>(word.data()), static_cast<int>(word.size()));
    if (out == nullptr) {
        return word;  // out of memory inside libstemmer: keep the word rather than fail the query
    }
    return std::string(reinterpret_cast<const char*>(out), static_cast<std::size_t>(sb_stemmer_length(s)));
}

// Steps 2-3: ASCII fold + lower case, then (French) the leading elided article.
std::string fold_token(const std::u32string& token, std::string_view lang) {
    std::u32string folded = text::lower(text::ascii_fold(std::u32string_view(token)));
    if (lang == "fr") {
        for (std::u32string_view prefix : {U"qu'", U"l'", U"m'", U"t'", U"n'", U"s'", U"j'", U"d'"}) {
            if (folded.size() > prefix.size() && folded.starts_with(prefix)) {
                folded.erase(0, prefix.size());
                break;
            }
        }
    }
    return text::to_utf8(folded);
}

}  // namespace

std::vector<std::u32string> tokenize(std::u32string_view text) {
    std::vector<std::u32string> tokens;
    std::u32string current;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char32_t c = text[i];
        if (is_token_char(c)) {
            current.push_back(c);
            continue;
        }
        if (is_apostrophe(c) && !current.empty() && text::is_letter(current.back()) && i + 1 < text.size() &&
            text::is_letter(text[i + 1])) {
            current.push_back(U'\'');
            continue;
        }
        if (!current.empty()) {
            tokens.push_back(std::move(current));
            current.clear();
        }
    }
    if (!current.empty()) {
        tokens.push_back(std::move(current));
    }
    return tokens;
}

analyzer::analyzer(const std::vector<std::string>& langs) {
    for (const auto& lang : langs) {
        auto& words = stop_words_[lang];
        const std::string_view list = embedded_stop_words(lang);
        std::size_t pos = 0;
        while (pos < list.size()) {
            std::size_t end = list.find('\n', pos);
            if (end == std::string_view::npos) {
                end = list.size();
            }
            std::string_view line = list.substr(pos, end - pos);
            pos = end + 1;
            while (!line.empty() && (line.back() == ' ' || line.back() == '\r' || line.back() == '\t')) {
                line.remove_suffix(1);
            }
            while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) {
                line.remove_prefix(1);
            }
            if (line.empty() || line.starts_with("//")) {
                continue;
            }
            words.insert(text::to_utf8(text::lower(text::ascii_fold(std::u32string_view(text::to_u32(line))))));
        }
    }
}

bool analyzer::is_stop_word(std::string_view folded_word, std::string_view lang) const {
    const auto it = stop_words_.find(std::string(lang));
    return it != stop_words_.end() && it->second.contains(std::string(folded_word));
}

std::vector<std::string> analyzer::analyze(std::string_view input, std::string_view lang) const {
    std::vector<std::string> out;
    const auto words_it = stop_words_.find(std::string(lang));
    const std::unordered_set<std::string>* words = words_it == stop_words_.end() ? nullptr : &words_it->second;
    for (const auto& token : tokenize(text::to_u32(input))) {
        std::string folded = fold_token(token, lang);
        if (folded.empty() || (words != nullptr && words->contains(folded))) {
            continue;
        }
        if (words == nullptr) {
            out.push_back(std::move(folded));  // not a matcher language: no stemming either
        } else {
            out.push_back(stem(lang, folded));
        }
    }
    return out;
}

}  // namespace robotoff::matcher
