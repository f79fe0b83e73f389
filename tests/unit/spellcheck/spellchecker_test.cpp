// Spellchecker (pipeline.md §13): corpus filter and statistics, scoring, known words, output shape.
#include "robotoff/spellcheck/spellchecker.hpp"

#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>

using namespace robotoff::spellcheck;

namespace {

// A French corpus where farine, tournesol, huile... are frequent, and the taxonomy seeds a few words.
std::shared_ptr<const corpus> french_corpus() {
    corpus_builder b("fr");
    for (int i = 0; i < 30; ++i) {
        b.add_document("Farine de blé, huile de tournesol, sel");
        b.add_document("farine de blé complet, sucre, huile de tournesol, levure");
        b.add_document("lait écrémé, sucre, beurre, farine de riz");
    }
    for (int i = 0; i < 150; ++i) {
        b.add_document("eau, sel, poivre, vinaigre, moutarde, épices");  // keeps the 1% threshold realistic
    }
    b.add_document("sucrose, farinette");  // rare but real words
    auto ingredients = robotoff::taxonomy::taxonomy::load_json("ingredients", R"({
        "en:sucrose": {"name": {"fr": "Sucrose", "en": "Sucrose"}},
        "en:wheat": {"name": {"fr": "Blé"}, "synonyms": {"fr": ["blé", "froment"]}}
    })");
    b.add_taxonomy(*ingredients);
    return b.build();
}

const spellchecker& checker() {
    static const spellchecker s({french_corpus()});
    return s;
}

}  // namespace

TEST_CASE("corpus filter of §13.1", "[unit]") {
    product_record r;
    r.ingredients_text = "farine";
    r.lang = "fr";
    r.states_tags = {"en:complete"};
    r.unknown_ingredients_n = 0;
    r.countries_tags = {"en:france"};
    CHECK(is_eligible(r));
    r.countries_tags = {"en:belgium"};
    CHECK_FALSE(is_eligible(r));  // fr needs en:france
    r.lang = "de";
    CHECK(is_eligible(r));        // only fr does
    r.lang = "fr";
    r.countries_tags = {"en:france"};
    r.unknown_ingredients_n = 2;
    CHECK_FALSE(is_eligible(r));
    r.unknown_ingredients_n.reset();
    CHECK(is_eligible(r));
    r.data_quality_tags = {"en:ingredients-unknown-score-above-0"};
    CHECK_FALSE(is_eligible(r));
    r.data_quality_tags = {"en:ingredients-unknown-score-above-5-x"};
    CHECK(is_eligible(r));
    r.states_tags = {"en:to-be-completed"};
    CHECK_FALSE(is_eligible(r));
    r.states_tags = {"en:complete"};
    r.ingredients_text = "";
    CHECK_FALSE(is_eligible(r));
}

TEST_CASE("record_from_product reads a dump line", "[unit]") {
    auto doc = robotoff::core::parse_json(R"({"ingredients_text_fr": "farine, sel", "states_tags": ["en:complete"],
        "unknown_ingredients_n": 0, "countries_tags": ["en:france"], "data_quality_tags": []})");
    auto r = record_from_product(doc, "fr");
    REQUIRE(r);
    CHECK(r->ingredients_text == "farine, sel");
    CHECK(r->unknown_ingredients_n == 0LL);
    CHECK(is_eligible(*r));
    CHECK_FALSE(record_from_product(doc, "en"));
    corpus_builder b("fr");
    CHECK(b.add_product(*r));
    r->lang = "en";
    CHECK_FALSE(b.add_product(*r));  // other language
    auto c = b.build();
    CHECK(c->documents() == 1);
}

TEST_CASE("corpus statistics: D, tf, df, pairs and triples inside segments, N, V", "[unit]") {
    corpus_builder b("fr");
    b.add_document("Sucre, sucre de canne 12 %, E330, 25");
    b.add_document("sucre de canne");
    auto c = b.build();
    CHECK(c->documents() == 2);
    const auto sucre = c->id_of("sucre");
    const auto de = c->id_of("de");
    const auto canne = c->id_of("canne");
    REQUIRE(sucre);
    REQUIRE(de);
    REQUIRE(canne);
    CHECK(c->stats(*sucre).tf == 3);
    CHECK(c->stats(*sucre).df == 2);
    CHECK(c->c2(*sucre, *de) == 2);
    CHECK(c->c2(*de, *sucre) == 0);
    CHECK(c->c3(*sucre, *de, *canne) == 2);
    CHECK_FALSE(c->id_of("e330"));  // additive codes blanked
    CHECK_FALSE(c->id_of("12"));    // percentages blanked
    CHECK_FALSE(c->id_of("25"));    // noise segment dropped
    CHECK(c->total_words() == 7);
    CHECK(c->vocabulary_size() == 3);
    CHECK_FALSE(c->stats(*sucre).seeded);
}

TEST_CASE("spec example: Farinne / tournesl", "[unit]") {
    const auto r = checker().check("Farinne de blé, huile de tournesl", "fr");
    REQUIRE(r.corrections.size() == 2);
    const auto& a = r.corrections[0].term_corrections.at(0);
    CHECK(a.original == "Farinne");
    CHECK(a.correction == "Farine");
    CHECK(a.start_offset == 0);
    CHECK(a.end_offset == 7);
    const auto& b = r.corrections[1].term_corrections.at(0);
    CHECK(b.original == "tournesl");
    CHECK(b.correction == "tournesol");
    CHECK(b.start_offset == 25);
    CHECK(b.end_offset == 33);
    CHECK(r.corrections[0].score > 0);
    CHECK(r.text == "Farinne de blé, huile de tournesl");
    CHECK(r.corrected == "Farine de blé, huile de tournesol");
}

TEST_CASE("never corrects known words, short words, numbers, E-numbers, percentages", "[unit]") {
    const auto& s = checker();
    for (const char* text : {"farine de blé, huile de tournesol", "sucrose", "froment", "farinette", "sel, eau",
                             "farine 12,5 %", "E330", "farin3", "2 FARINES"}) {
        INFO(text);
        const auto r = s.check(text, "fr");
        CHECK(r.corrections.empty());
        CHECK(r.corrected == text);
    }
    // "sucrese" is unknown: corrected to a word within distance 2 that is more frequent.
    CHECK_FALSE(s.check("sucrese", "fr").corrections.empty());
    // Short tokens (< 4 code points) are never targets even when close to a frequent word.
    CHECK(s.check("sek, eau", "fr").corrections.empty());
}

TEST_CASE("case pattern, accents and offsets after multi-byte text", "[unit]") {
    const auto& s = checker();
    auto r = s.check("LAIT ÉCRÉMÉ, TOURNESL", "fr");
    REQUIRE(r.corrections.size() == 1);
    CHECK(r.corrections[0].term_corrections[0].correction == "TOURNESOL");
    CHECK(r.corrections[0].term_corrections[0].start_offset == 13);
    CHECK(r.corrected == "LAIT ÉCRÉMÉ, TOURNESOL");
    r = s.check("lait écreme", "fr");  // two accents lost: distance 2 on 6 letters, allowed for accents only
    REQUIRE(r.corrections.size() == 1);
    CHECK(r.corrected == "lait écrémé");
    CHECK(s.check("lait écrxme", "fr").corrections.empty());  // same distance, not only accents: below 0.7
    CHECK(match_case(U"Farinne", U"farine") == "Farine");
    CHECK(match_case(U"fARINNE", U"farine") == "farine");
    CHECK(match_case(U"ÉCREME", U"écrémé") == "ÉCRÉMÉ");
}

TEST_CASE("confidence threshold and unsupported languages", "[unit]") {
    const auto& s = checker();
    CHECK_FALSE(s.check("huile de tournesl", "fr", 1.0).corrections.empty());
    CHECK(s.check("huile de tournesl", "fr", 1e30).corrections.empty());
    CHECK_THROWS_AS(s.check("farine", "de"), std::invalid_argument);
    CHECK(s.supports("fr"));
    CHECK(s.langs() == std::vector<std::string>{"fr"});
    const auto empty = s.check("", "fr");
    CHECK(empty.corrections.empty());
    CHECK(empty.corrected.empty());
}

TEST_CASE("JSON output shape of api.md §7.4", "[unit]") {
    const auto r = checker().check("farinne de blé, sel", "fr");
    const auto json = to_json(r);
    auto doc = robotoff::core::parse_json(json);
    REQUIRE(doc["corrections"].IsArray());
    REQUIRE(doc["corrections"].Size() == 1);
    const auto& tc = doc["corrections"][0]["term_corrections"][0];
    CHECK(std::string(tc["original"].GetString()) == "farinne");
    CHECK(std::string(tc["correction"].GetString()) == "farine");
    CHECK(tc["start_offset"].GetUint64() == 0);
    CHECK(tc["end_offset"].GetUint64() == 7);
    CHECK(doc["corrections"][0]["score"].IsNumber());
    CHECK(std::string(doc["text"].GetString()) == "farinne de blé, sel");
    CHECK(std::string(doc["corrected"].GetString()) == "farine de blé, sel");
}

TEST_CASE("apply_corrections: reference vectors (generate_full_correction)", "[unit]") {
    auto one = [](std::size_t start, std::size_t end, const char* to) {
        correction c;
        c.term_corrections.push_back(term_correction{"", to, start, end});
        return std::vector<correction>{c};
    };
    CHECK(apply_corrections("fqrine de blé complet", one(0, 6, "farine")) == "farine de blé complet");
    CHECK(apply_corrections("farine de blé complet, paudre à lever", one(23, 29, "poudre")) ==
          "farine de blé complet, poudre à lever");
    CHECK(apply_corrections("abc", one(2, 9, "x")) == "abc");  // out of range: untouched
}

TEST_CASE("build_corpora_from_dump applies the §13.1 filter per language", "[unit]") {
    const auto path = std::filesystem::temp_directory_path() /
                      ("robotoff_spellcheck_dump_" + std::to_string(::getpid()) + ".jsonl");
    {
        std::ofstream out(path);
        out << R"({"code": "1", "ingredients_text_fr": "farine, sel", "states_tags": ["en:complete"],)"
            << R"( "unknown_ingredients_n": 0, "countries_tags": ["en:france"]})" << "\n";
        out << R"({"code": "2", "ingredients_text_fr": "sucre", "states_tags": ["en:to-be-completed"],)"
            << R"( "unknown_ingredients_n": 0, "countries_tags": ["en:france"]})" << "\n";
        out << R"({"code": "3", "ingredients_text_fr": "beurre", "ingredients_text_de": "Zucker",)"
            << R"( "states_tags": ["en:complete"], "countries_tags": ["en:germany"], "data_quality_tags": []})" << "\n";
        out << "not json en:complete\n";
    }
    auto ingredients = robotoff::taxonomy::taxonomy::load_json(
        "ingredients", R"({"en:salt": {"name": {"fr": "Sel", "de": "Salz"}}})");
    const auto corpora = build_corpora_from_dump(path.string(), {"fr", "de"}, ingredients.get());
    std::filesystem::remove(path);
    REQUIRE(corpora.size() == 2);
    const auto& fr = *corpora[0];
    CHECK(fr.lang() == "fr");
    CHECK(fr.documents() == 2);  // product 1 + the taxonomy document
    CHECK(fr.id_of("farine"));
    CHECK_FALSE(fr.id_of("sucre"));   // not complete
    CHECK_FALSE(fr.id_of("beurre"));  // fr needs en:france
    REQUIRE(fr.id_of("sel"));
    CHECK(fr.stats(*fr.id_of("sel")).seeded);
    CHECK(fr.stats(*fr.id_of("sel")).df == 2);
    const auto& de = *corpora[1];
    CHECK(de.id_of("zucker"));
    CHECK(de.id_of("salz"));
}

TEST_CASE("prediction data of an ingredient_spellcheck prediction", "[unit]") {
    const auto r = checker().check("farinne, sel", "fr");
    auto doc = robotoff::core::parse_json(prediction_data_json(r, "fr"));
    CHECK(std::string(doc["original"].GetString()) == "farinne, sel");
    CHECK(std::string(doc["correction"].GetString()) == "farine, sel");
    CHECK(std::string(doc["lang"].GetString()) == "fr");
    CHECK(doc["corrections"].Size() == 1);
}
