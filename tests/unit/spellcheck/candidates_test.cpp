// Candidate search (pipeline.md §13.4): distance, and the symmetric-delete index against brute force.
#include "robotoff/spellcheck/candidates.hpp"
#include "robotoff/spellcheck/text_segments.hpp"
#include "robotoff/text/normalize.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <random>

using namespace robotoff::spellcheck;
using robotoff::text::to_u32;

TEST_CASE("Damerau-Levenshtein (optimal string alignment) with a bound", "[unit]") {
    auto d = [](std::string_view a, std::string_view b) { return damerau_levenshtein(to_u32(a), to_u32(b), 2); };
    CHECK(d("farine", "farine") == 0);
    CHECK(d("farinne", "farine") == 1);    // insertion
    CHECK(d("frine", "farine") == 1);      // deletion
    CHECK(d("fqrine", "farine") == 1);     // substitution
    CHECK(d("fraine", "farine") == 1);     // transposition
    CHECK(d("ble", "blé") == 1);           // accent loss is one code point
    CHECK(d("tournesl", "tournesol") == 1);
    CHECK(d("abcdef", "badcfe") == 3);     // bounded: > 2 reported as 3
    CHECK(d("sel", "selleries") == 3);     // length gap alone exceeds the bound
    CHECK(damerau_levenshtein(to_u32("kitten"), to_u32("sitting"), 5) == 3);
}

TEST_CASE("deletion keys are deduplicated and bounded by the prefix", "[unit]") {
    const auto k = deletion_keys(to_u32("aab"));
    // aab, ab (x2 -> 1), aa, b, a (from ab/aa) -> 5 distinct strings
    CHECK(k.size() == 5);
    const auto long_keys = deletion_keys(to_u32("abcdefghijklmnopqrstuvwxyz"));
    CHECK(long_keys.size() <= 1 + 10 + 45);
    CHECK(deletion_keys(to_u32("abcdefghijXXXX")) == deletion_keys(to_u32("abcdefghijYY")));
}

TEST_CASE("delete index finds exactly what brute force finds", "[unit]") {
    corpus_builder b("fr");
    const char* texts[] = {
        "farine de blé, huile de tournesol, sel, sucre",
        "farine de blé complet, levure, sel, eau, huile de tournesol",
        "lait entier, sucre, farine de blé, oeufs, beurre pâtissier",
        "sucre de canne, chocolat noir, beurre de cacao, lécithine de soja",
        "tomates, oignons, huile d'olive vierge extra, basilic, sel, poivre",
        "farine, sucre, beurre, oeufs frais, levure chimique, arôme naturel de vanille",
        "abcdefghijklmnop, abcdefghijklmnopqrs, xabcdefghijklm, bcdefghijklmno",
    };
    for (int rep = 0; rep < 3; ++rep) {
        for (const char* t : texts) {
            b.add_document(t);
        }
    }
    b.add_document("farine farine farinee");
    auto c = b.build();
    delete_index index(c);
    REQUIRE(index.entry_count() > 100);

    auto brute = [&](std::u32string_view t, std::uint32_t df) {
        std::vector<std::uint32_t> out;
        for (std::uint32_t id = 0; id < c->vocabulary_size(); ++id) {
            const auto& w = c->word32(id);
            if (w.size() < 2 || has_digit(w) || w[0] != t[0] || w == t || c->stats(id).df <= df) {
                continue;
            }
            const auto d = damerau_levenshtein(t, w, 2);
            if (d <= 2 && 1.0 - double(d) / double(std::max(t.size(), w.size())) >= 0.5) {
                out.push_back(id);
            }
        }
        std::sort(out.begin(), out.end());
        return out;
    };
    std::mt19937 rng(42);
    std::size_t compared = 0;
    std::size_t non_empty = 0;
    for (std::uint32_t id = 0; id < c->vocabulary_size(); ++id) {
        std::u32string w = c->word32(id);
        if (w.size() < 4) {
            continue;
        }
        // Up to two random edits after the first letter.
        for (int trial = 0; trial < 8; ++trial) {
            std::u32string t = w;
            const int edits = 1 + static_cast<int>(rng() % 2);
            for (int e = 0; e < edits && t.size() > 2; ++e) {
                const std::size_t pos = 1 + rng() % (t.size() - 1);
                switch (rng() % 4) {
                case 0: t[pos] = U'a' + static_cast<char32_t>(rng() % 26); break;
                case 1: t.erase(pos, 1); break;
                case 2:
                    t.insert(t.begin() + static_cast<std::ptrdiff_t>(pos), U'a' + static_cast<char32_t>(rng() % 26));
                    break;
                default:
                    if (pos + 1 < t.size()) {
                        std::swap(t[pos], t[pos + 1]);
                    }
                }
            }
            auto got = index.candidates(t, 0, 1000);
            std::vector<std::uint32_t> ids;
            for (const auto& cand : got) {
                ids.push_back(cand.word);
            }
            std::sort(ids.begin(), ids.end());
            CHECK(ids == brute(t, 0));
            ++compared;
            non_empty += ids.empty() ? 0 : 1;
        }
    }
    CHECK(compared > 200);
    CHECK(non_empty > compared / 2);
}

TEST_CASE("candidates: same first letter, df rule, order and limit", "[unit]") {
    corpus_builder b("fr");
    for (int i = 0; i < 5; ++i) {
        b.add_document("farine, tomate");
    }
    for (int i = 0; i < 3; ++i) {
        b.add_document("farina, tomates");
    }
    b.add_document("farinee");
    auto c = b.build();
    delete_index index(c);
    const auto cands = index.candidates(to_u32("farinr"), 0);
    REQUIRE(cands.size() == 3);  // farine (df 5), farina (df 3), farinee (df 1)
    CHECK(c->word(cands[0].word) == "farine");
    CHECK(c->word(cands[1].word) == "farina");
    CHECK(c->word(cands[2].word) == "farinee");
    CHECK(cands[0].similarity == Approx(1.0 - 1.0 / 6.0));
    CHECK(index.candidates(to_u32("farinr"), 3).size() == 1);  // df(w) must exceed df(t)
    CHECK(index.candidates(to_u32("farinr"), 0, 2).size() == 2);
    CHECK(index.candidates(to_u32("farinr"), 0, 5, 0.75).size() == 2);  // farinee (0.71) below the floor
    CHECK(index.candidates(to_u32("garine"), 0).empty());      // first letter must match
    CHECK(index.candidates(to_u32("fxxxxe"), 0).empty());
}
