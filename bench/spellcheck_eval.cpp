// Spellchecker evaluation (issue 8 §3). Ingredient texts of the 1,000 real sample products, 2-fold: the corpus
// is built from one half (plus the ingredients taxonomy seed) and errors are injected into the other half
// (seeded: substitution, deletion, insertion, transposition, accent loss; one per chosen word of >= 4 letters).
// A correction is right when it sits exactly on an injected error and restores the original word.
// Latency: 5 timed runs of each 300-code-point prefix of a corrupted text (default options, confidence 1).
// The sample has no product in state en:complete, so the corpus takes every text (the §13.1 filter is
// reported but not applied). Also times check() on 300-code-point lists.
// Usage: spellcheck_eval [lang=en] [seed=42] [error_rate=0.15]   (SPELLCHECK_EVAL_SCALE=N: scale check only)
#include "robotoff/core/file_io.hpp"
#include "robotoff/spellcheck/spellchecker.hpp"
#include "robotoff/spellcheck/text_segments.hpp"
#include "robotoff/text/normalize.hpp"

#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <random>

namespace {

using namespace robotoff;
using clock_type = std::chrono::steady_clock;

double thread_cpu_us() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) / 1e3;
}

struct injected {
    std::size_t start;
    std::size_t end;
    std::string original;  // lower case
    bool first_letter;     // the edit touched the first letter (the spec cannot correct those)
    int kind;
};

struct corrupted_text {
    std::string text;
    std::vector<injected> errors;
};

const char* const kind_names[] = {"substitution", "deletion", "insertion", "transposition", "accent_loss"};

bool strip_one_accent(std::u32string& w, std::mt19937& rng, std::size_t& pos) {
    std::vector<std::size_t> accented;
    for (std::size_t i = 0; i < w.size(); ++i) {
        const std::string folded = text::ascii_fold(text::to_utf8(w[i]));
        if (w[i] >= 0x80 && folded.size() == 1) {
            accented.push_back(i);
        }
    }
    if (accented.empty()) {
        return false;
    }
    pos = accented[rng() % accented.size()];
    w[pos] = static_cast<char32_t>(text::ascii_fold(text::to_utf8(w[pos]))[0]);
    return true;
}

corrupted_text corrupt(std::string_view input, std::mt19937& rng, double rate) {
    const std::u32string text = text::to_u32(input);
    const std::u32string normalized = spellcheck::normalize(text);
    std::vector<spellcheck::token> words;
    for (const auto& seg : spellcheck::split_segments(normalized)) {
        for (auto& t : spellcheck::tokenize(seg.text, seg.start)) {
            bool letters = t.text.size() >= 4;
            for (char32_t c : t.text) {
                letters = letters && text::is_letter(c);
            }
            if (letters) {
                words.push_back(std::move(t));
            }
        }
    }
    std::uniform_real_distribution<double> coin(0, 1);
    const std::u32string_view alphabet = U"abcdefghijklmnopqrstuvwxyz";
    corrupted_text out;
    std::u32string result;
    std::size_t pos = 0;
    for (const auto& w : words) {
        if (coin(rng) >= rate) {
            continue;
        }
        std::u32string bad = w.text;
        int kind = static_cast<int>(rng() % 5);
        std::size_t at = rng() % bad.size();
        if (kind == 4 && !strip_one_accent(bad, rng, at)) {
            kind = 0;
        }
        switch (kind) {
        case 0: {
            char32_t c = bad[at];
            while (c == bad[at] || text::lower(std::u32string(1, c)) == text::lower(std::u32string(1, bad[at]))) {
                c = alphabet[rng() % alphabet.size()];
            }
            bad[at] = c;
            break;
        }
        case 1: bad.erase(at, 1); break;
        case 2: bad.insert(bad.begin() + static_cast<std::ptrdiff_t>(at), alphabet[rng() % alphabet.size()]); break;
        case 3:
            if (at + 1 >= bad.size()) {
                at = bad.size() - 2;
            }
            if (bad[at] == bad[at + 1]) {
                continue;
            }
            std::swap(bad[at], bad[at + 1]);
            break;
        default: break;
        }
        if (text::lower(bad) == text::lower(w.text)) {
            continue;
        }
        result.append(text, pos, w.start - pos);
        const std::size_t start = result.size();
        result += bad;
        out.errors.push_back(injected{start, result.size(), text::to_utf8(text::lower(w.text)), at == 0, kind});
        pos = w.end;
    }
    result.append(text, pos);
    out.text = text::to_utf8(result);
    return out;
}

struct tally {
    std::size_t errors = 0;
    std::size_t errors_not_first = 0;
    std::size_t corrections = 0;
    std::size_t right = 0;
    std::size_t right_not_first = 0;
    std::map<int, std::pair<std::size_t, std::size_t>> by_kind;  // kind -> (errors, right)
};

void score(const spellcheck::result& r, const corrupted_text& ct, tally& t, bool verbose) {
    t.errors += ct.errors.size();
    for (const auto& e : ct.errors) {
        t.errors_not_first += e.first_letter ? 0 : 1;
        ++t.by_kind[e.kind].first;
    }
    for (const auto& c : r.corrections) {
        for (const auto& tc : c.term_corrections) {
            ++t.corrections;
            const injected* on = nullptr;
            for (const auto& e : ct.errors) {
                if (e.start == tc.start_offset && e.end == tc.end_offset) {
                    on = &e;
                }
            }
            if (on != nullptr && text::lower(tc.correction) == on->original) {
                ++t.right;
                t.right_not_first += on->first_letter ? 0 : 1;
                ++t.by_kind[on->kind].second;
            } else if (verbose) {
                std::printf("WRONG %s -> %s (%s)\n", tc.original.c_str(), tc.correction.c_str(),
                            on != nullptr ? ("injected, original " + on->original).c_str() : "not an injected error");
            }
        }
    }
}

// Scale check (SPELLCHECK_EVAL_SCALE=N): a vocabulary of N synthetic words made by gluing a prefix and a
// suffix of real vocabulary words (so deletion neighbourhoods look like real morphology), then the index size,
// its build time and the candidate lookup time for tokens with 1-2 random edits.
int scale_check(const spellcheck::corpus& real, std::size_t target, unsigned seed) {
    std::mt19937 rng(seed);
    std::vector<std::u32string> base;
    for (std::uint32_t id = 0; id < real.vocabulary_size(); ++id) {
        const auto& w = real.word32(id);
        if (w.size() >= 4 && !spellcheck::has_digit(w)) {
            base.push_back(w);
        }
    }
    if (base.empty()) {
        return 2;
    }
    spellcheck::corpus_builder builder(real.lang());
    std::string doc;
    std::size_t made = 0;
    while (made < target) {
        doc.clear();
        for (int k = 0; k < 50 && made < target; ++k, ++made) {
            const auto& a = base[rng() % base.size()];
            const auto& b = base[rng() % base.size()];
            std::u32string w = a.substr(0, 2 + rng() % (a.size() - 1)) + b.substr(rng() % (b.size() - 1));
            doc += text::to_utf8(w);
            doc += ", ";
        }
        builder.add_document(doc);
    }
    auto corpus = builder.build();
    const auto b0 = clock_type::now();
    spellcheck::delete_index index(corpus);
    const double build_ms = std::chrono::duration<double, std::milli>(clock_type::now() - b0).count();
    std::vector<double> us;
    std::size_t found = 0;
    for (int q = 0; q < 20000; ++q) {
        std::u32string t = corpus->word32(static_cast<std::uint32_t>(rng() % corpus->vocabulary_size()));
        if (t.size() < 4) {
            continue;
        }
        const int edits = 1 + static_cast<int>(rng() % 2);
        for (int e = 0; e < edits; ++e) {
            const std::size_t pos = 1 + rng() % (t.size() - 1);
            t[pos] = U'a' + static_cast<char32_t>(rng() % 26);
        }
        const double c0 = thread_cpu_us();
        const auto cands = index.candidates(t, 0);
        us.push_back(thread_cpu_us() - c0);
        found += cands.empty() ? 0 : 1;
    }
    std::sort(us.begin(), us.end());
    std::printf("scale: vocabulary=%zu index_entries=%zu index_mb=%.0f index_build_ms=%.0f "
                "candidates_cpu_us p50=%.1f p99=%.1f max=%.1f (queries=%zu with_candidates=%zu)\n",
                corpus->vocabulary_size(), index.entry_count(), double(index.entry_count()) * 12.0 / 1e6, build_ms,
                us[us.size() / 2], us[us.size() * 99 / 100], us.back(), us.size(), found);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    const std::string lang = argc > 1 ? argv[1] : "en";
    const unsigned seed = argc > 2 ? static_cast<unsigned>(std::stoul(argv[2])) : 42U;
    const double rate = argc > 3 ? std::stod(argv[3]) : 0.15;
    const bool verbose = std::getenv("SPELLCHECK_EVAL_VERBOSE") != nullptr;
    const std::string products = ROBOTOFF_SHARED_DIR "/samples/products/openfoodfacts-products-min.jsonl.gz";

    std::vector<std::string> texts;
    std::size_t spec_eligible = 0;
    {
        core::line_reader reader(products);
        std::string line;
        while (reader.next(line)) {
            auto doc = core::try_parse_json(line);
            if (!doc) {
                continue;
            }
            auto rec = spellcheck::record_from_product(*doc, lang);
            if (rec && !rec->ingredients_text.empty()) {
                spec_eligible += spellcheck::is_eligible(*rec) ? 1 : 0;
                texts.emplace_back(rec->ingredients_text);
            }
        }
    }
    const auto t0 = clock_type::now();
    const auto ingredients = taxonomy::taxonomy::load_file(
        "ingredients", ROBOTOFF_SHARED_DIR "/data/taxonomies/ingredients.full.json.gz");
    const double taxonomy_ms = std::chrono::duration<double, std::milli>(clock_type::now() - t0).count();
    std::printf("lang=%s texts=%zu spec_filter_eligible=%zu seed=%u error_rate=%.2f taxonomy_load_ms=%.0f\n",
                lang.c_str(), texts.size(), spec_eligible, seed, rate, taxonomy_ms);

    struct config {
        const char* name;
        double confidence;
        spellcheck::options opts;
    };
    std::vector<config> configs;
    // The defaults first: index 0 is also the latency configuration.
    configs.push_back({"default(api,conf=1)", 1.0, {}});
    configs.push_back({"default(batch,conf=10)", 10.0, {}});
    {
        spellcheck::options o;
        o.seeded_words_known = false;
        o.min_similarity = 0.5;
        configs.push_back({"spec-only(conf=1)", 1.0, o});
        configs.push_back({"spec-only(conf=10)", 10.0, o});
        o.seeded_words_known = true;
        configs.push_back({"spec+known(conf=1)", 1.0, o});
        configs.push_back({"spec+known(conf=10)", 10.0, o});
        o.min_similarity = 0.6;
        configs.push_back({"min_similarity=0.6(conf=1)", 1.0, o});
    }
    {
        spellcheck::options o;
        o.known_df = 2;
        configs.push_back({"known_df=2(conf=1)", 1.0, o});
        configs.push_back({"known_df=2(conf=10)", 10.0, o});
    }

    std::vector<tally> tallies(configs.size());
    std::vector<double> latencies_us;
    std::vector<double> cpu_us;  // thread CPU time: immune to preemption on a shared machine
    double build_ms = 0;
    for (int fold = 0; fold < 2; ++fold) {
        const auto b0 = clock_type::now();
        spellcheck::corpus_builder builder(lang);
        for (std::size_t i = 0; i < texts.size(); ++i) {
            if (static_cast<int>(i % 2) != fold) {
                builder.add_document(texts[i]);
            }
        }
        builder.add_taxonomy(*ingredients);
        auto corpus = builder.build();
        if (const char* scale = std::getenv("SPELLCHECK_EVAL_SCALE"); scale != nullptr && fold == 0) {
            return scale_check(*corpus, std::stoul(scale), seed);
        }
        std::vector<std::unique_ptr<spellcheck::spellchecker>> checkers;
        for (const auto& c : configs) {
            checkers.push_back(std::make_unique<spellcheck::spellchecker>(
                std::vector<std::shared_ptr<const spellcheck::corpus>>{corpus}, c.opts));
        }
        build_ms += std::chrono::duration<double, std::milli>(clock_type::now() - b0).count() / 2.0;
        std::printf("fold=%d corpus_documents=%llu vocabulary=%zu words=%llu\n", fold,
                    static_cast<unsigned long long>(corpus->documents()), corpus->vocabulary_size(),
                    static_cast<unsigned long long>(corpus->total_words()));

        std::mt19937 rng(seed + static_cast<unsigned>(fold));
        for (std::size_t i = 0; i < texts.size(); ++i) {
            if (static_cast<int>(i % 2) != 1 - fold) {
                continue;
            }
            const auto ct = corrupt(texts[i], rng, rate);
            for (std::size_t k = 0; k < configs.size(); ++k) {
                score(checkers[k]->check(ct.text, lang, configs[k].confidence), ct, tallies[k], verbose && k == 0);
            }
            // Latency on a 300-code-point list (the API configuration).
            const std::u32string u = text::to_u32(ct.text);
            if (u.size() >= 300) {
                const std::string cut = text::to_utf8(std::u32string_view(u).substr(0, 300));
                for (int rep = 0; rep < 5; ++rep) {
                    const auto s0 = clock_type::now();
                    const double cpu0 = thread_cpu_us();
                    const auto r = checkers[0]->check(cut, lang, 1.0);
                    cpu_us.push_back(thread_cpu_us() - cpu0);
                    latencies_us.push_back(
                        std::chrono::duration<double, std::micro>(clock_type::now() - s0).count());
                    if (r.text.empty()) {
                        return 2;
                    }
                }
            }
        }
    }
    for (std::size_t k = 0; k < configs.size(); ++k) {
        const auto& t = tallies[k];
        std::printf("%-28s errors=%zu corrections=%zu right=%zu precision=%.3f recall=%.3f "
                    "recall_excluding_first_letter_errors=%.3f\n",
                    configs[k].name, t.errors, t.corrections, t.right,
                    t.corrections ? double(t.right) / double(t.corrections) : 0.0,
                    t.errors ? double(t.right) / double(t.errors) : 0.0,
                    t.errors_not_first ? double(t.right_not_first) / double(t.errors_not_first) : 0.0);
    }
    std::printf("recall by error kind (%s):", configs[0].name);
    for (const auto& [kind, v] : tallies[0].by_kind) {
        std::printf(" %s=%.3f(n=%zu)", kind_names[kind], v.first ? double(v.second) / double(v.first) : 0.0, v.first);
    }
    std::printf("\n");
    std::sort(latencies_us.begin(), latencies_us.end());
    std::sort(cpu_us.begin(), cpu_us.end());
    auto pct_of = [](const std::vector<double>& v, double p) {
        return v.empty() ? 0.0 : v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
    };
    auto pct = [&](double p) { return pct_of(latencies_us, p); };
    std::printf("corpus+index_build_ms(avg per fold, %zu checkers)=%.0f\n", configs.size(), build_ms);
    std::printf("latency_300cp_us wall: n=%zu p50=%.0f p99=%.0f max=%.0f | thread cpu: p50=%.0f p99=%.0f max=%.0f\n",
                latencies_us.size(), pct(0.5), pct(0.99), latencies_us.empty() ? 0.0 : latencies_us.back(),
                pct_of(cpu_us, 0.5), pct_of(cpu_us, 0.99), cpu_us.empty() ? 0.0 : cpu_us.back());
    return 0;
}
