// Spellchecker input handling (pipeline.md §13.2-13.3): normalization keeps offsets, segments, tokens.
#include "robotoff/spellcheck/text_segments.hpp"
#include "robotoff/text/normalize.hpp"

#include <catch2/catch.hpp>

using namespace robotoff::spellcheck;
using robotoff::text::to_u32;
using robotoff::text::to_utf8;

namespace {

std::string norm(std::string_view s) { return to_utf8(normalize(to_u32(s))); }

struct tok {
    std::string text;
    std::size_t start;
    std::size_t end;
    bool operator==(const tok&) const = default;
};

std::vector<tok> toks(std::string_view s) {
    std::vector<tok> out;
    for (const auto& t : tokenize(to_u32(s))) {
        out.push_back({to_utf8(t.text), t.start, t.end});
    }
    return out;
}

}  // namespace

TEST_CASE("normalize blanks percentages, additive codes, '_' and bullets, keeping the length", "[unit]") {
    CHECK(norm("sucre 12,5 %, sel") == "sucre       , sel");
    CHECK(norm("lait 3%") == "lait   ");
    CHECK(norm("cacao 70.5%") == "cacao      ");
    CHECK(norm("acidifiant E330, E1234") == "acidifiant     ,     4");
    CHECK(norm("e330") == "e330");          // only an upper-case E
    CHECK(norm("E33") == "E33");
    CHECK(norm("2 FILETS") == "2 FILETS");  // a number without % stays
    CHECK(norm("a_b•c") == "a b c");
    const std::u32string in = to_u32("crème 10 % • blé_dur E150a");
    CHECK(normalize(in).size() == in.size());
    CHECK(to_utf8(normalize(in)) == "crème        blé dur     a");
}

TEST_CASE("segments split at brackets, commas, semicolons and hyphens with their offsets", "[unit]") {
    const std::u32string text = to_u32("Farine (blé), sel;eau - [x]{y}");
    const auto segs = split_segments(text);
    REQUIRE(segs.size() == 7);  // nothing between "]" and "{"
    CHECK(segs[0].start == 0);
    CHECK(to_utf8(segs[0].text) == "Farine ");
    CHECK(segs[1].start == 8);
    CHECK(to_utf8(segs[1].text) == "blé");
    CHECK(to_utf8(segs[2].text) == " sel");
    CHECK(segs[2].start == 13);
    CHECK(to_utf8(segs[3].text) == "eau ");
    CHECK(to_utf8(segs[4].text) == " ");
    CHECK(to_utf8(segs[5].text) == "x");
    CHECK(to_utf8(segs[6].text) == "y");
    CHECK(split_segments(to_u32("(),;")).empty());
}

TEST_CASE("tokens: letters, digits, marks, inner apostrophes, code-point offsets", "[unit]") {
    CHECK(toks("Farinne de blé, huile de tournesl") ==
          std::vector<tok>{{"Farinne", 0, 7}, {"de", 8, 10}, {"blé", 11, 14}, {"huile", 16, 21},
                           {"de", 22, 24}, {"tournesl", 25, 33}});
    CHECK(toks("huile d'olive, d’arachide") ==
          std::vector<tok>{{"huile", 0, 5}, {"d'olive", 6, 13}, {"d’arachide", 15, 25}});
    CHECK(toks("l' 'x' vitamine B6") ==
          std::vector<tok>{{"l", 0, 1}, {"x", 4, 5}, {"vitamine", 7, 15}, {"B6", 16, 18}});
    CHECK(toks("Œufs\u00a0entiers") == std::vector<tok>{{"Œufs", 0, 4}, {"entiers", 5, 12}});
    CHECK(toks("Cre\u0300me") == std::vector<tok>{{"Cre\u0300me", 0, 6}});  // combining mark inside
    CHECK(toks("молоко, 牛奶") == std::vector<tok>{{"молоко", 0, 6}, {"牛奶", 8, 10}});
    CHECK(toks(" .,;% ").empty());
    const auto with_base = tokenize(to_u32("sel"), 40);
    REQUIRE(with_base.size() == 1);
    CHECK(with_base[0].start == 40);
    CHECK(with_base[0].end == 43);
}

TEST_CASE("noise segments and digits", "[unit]") {
    CHECK(is_noise_segment(to_u32(" 12.5 / 3 - % ")));
    CHECK(is_noise_segment(to_u32("")));
    CHECK_FALSE(is_noise_segment(to_u32(" 12 g")));
    CHECK(has_digit(to_u32("b6")));
    CHECK_FALSE(has_digit(to_u32("beurre")));
}
