// Matcher analysis (pipeline.md §12 steps 1-5): tokens, folding, elisions, stop words, stems.
#include "robotoff/matcher/analysis.hpp"
#include "robotoff/text/normalize.hpp"

#include <catch2/catch.hpp>

using robotoff::matcher::analyzer;
using robotoff::matcher::tokenize;

namespace {

std::vector<std::string> tokens_of(std::string_view s) {
    std::vector<std::string> out;
    for (const auto& t : tokenize(robotoff::text::to_u32(s))) {
        out.push_back(robotoff::text::to_utf8(t));
    }
    return out;
}

using strings = std::vector<std::string>;

}  // namespace

TEST_CASE("tokenize: letters and digits, apostrophes between letters", "[unit]") {
    CHECK(tokens_of("Filets de POULET") == strings{"Filets", "de", "POULET"});
    CHECK(tokens_of("  eaux,de-sources (1,5L)!") == strings{"eaux", "de", "sources", "1", "5L"});
    CHECK(tokens_of("l'huile d’olive") == strings{"l'huile", "d'olive"});  // U+2019 normalized to '
    CHECK(tokens_of("'quoted' l' huile 5'") == strings{"quoted", "l", "huile", "5"});
    CHECK(tokens_of("Crème brûlée") == strings{"Crème", "brûlée"});
    CHECK(tokens_of("Cre\u0300me") == strings{"Cre\u0300me"});  // combining grave stays inside the word
    CHECK(tokens_of("Кефир 3.2 %") == strings{"Кефир", "3", "2"});
    CHECK(tokens_of("").empty());
    CHECK(tokens_of("--- ... %%").empty());
}

TEST_CASE("analyze: fold, elisions, stop words and stems are consistent", "[unit]") {
    const analyzer a({"fr", "en", "es", "de"});
    CHECK(a.analyze("Filets de POULET", "fr") == a.analyze("filet poulet", "fr"));
    CHECK(a.analyze("Filets de POULET", "fr").size() == 2);
    CHECK(a.analyze("poulets au curry", "fr") == a.analyze("poulet curry", "fr"));
    CHECK(a.analyze("Mélange quatre épices", "fr") == a.analyze("melange quatre epice", "fr"));
    CHECK(a.analyze("L'huile d'olive", "fr") == a.analyze("huile olive", "fr"));
    CHECK(a.analyze("of", "en").empty());
    CHECK(a.analyze("de la", "fr").empty());
    CHECK(a.analyze("Chorizo de pavo", "es") == a.analyze("chorizo pavo", "es"));
    CHECK(a.analyze("Brauner Reis mit Gemüse", "de") == a.analyze("brauner reis gemuse", "de"));
    // Negations are not stop words: "sans sucre" keeps its meaning.
    CHECK(a.analyze("yaourts sans sucre", "fr").size() == 3);
    // Elision only in French, and never the whole token.
    CHECK(a.analyze("l'", "fr").empty());  // trailing apostrophe ends the token: "l" is a stop word
    CHECK(a.analyze("qu'", "fr") == a.analyze("qu", "fr"));
    REQUIRE(a.analyze("d'olive", "en").size() == 1);
    CHECK(a.analyze("d'olive", "en")[0].starts_with("d'oliv"));
    // Unknown language: fold and lower-case only.
    CHECK(a.analyze("Crème Brûlée", "xx") == strings{"creme", "brulee"});
    CHECK(a.is_stop_word("de", "fr"));
    CHECK_FALSE(a.is_stop_word("sans", "fr"));
    CHECK(a.is_stop_word("fur", "de"));  // "für" folded at load
}

TEST_CASE("embedded stop-word lists", "[unit]") {
    for (const char* lang : {"fr", "en", "es", "de"}) {
        CHECK(robotoff::matcher::embedded_stop_words(lang).size() > 50);
    }
    CHECK(robotoff::matcher::embedded_stop_words("it").empty());
}
