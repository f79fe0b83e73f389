// label (§5.2), nutrient (§5.7), nutrient_mention (§5.8), trace (§5.9).

#include "helpers.hpp"

#include <catch2/catch.hpp>

using namespace test_extract;

TEST_CASE("label: spec examples", "[unit]") {
    auto ps = run("label", "Fraises issues de l'Agriculture Biologique, sucre");
    REQUIRE(ps.size() == 1);
    CHECK(ps[0].value_tag == "en:organic");
    CHECK(str(data(ps[0]), "text") == "Agriculture Biologique,");
    CHECK(ps[0].predictor == "regex");
    CHECK_FALSE(ps[0].automatic_processing);
    CHECK(tags(run("label", "Contrôlé par DE-ÖKO-037")) == std::vector<std::string>{"en:de-oko-037"});
    CHECK(run("label", "DE-ÖKO-37").empty());
    CHECK(tags(run("label", "ES-ECO-024-CT")) == std::vector<std::string>{"en:es-eco-024-ct"});
    CHECK(tags(run("label", "Homologation n° LA 07/98")) == std::vector<std::string>{"fr:label-rouge"});
    CHECK(tags(run("label", "Ni arômes artificiels")) == std::vector<std::string>{"en:no-artificial-flavors"});
}

TEST_CASE("label: regex families, positives", "[unit]") {
    CHECK(tag_set(run("label", "ingrédients biologiques")) == std::set<std::string>{"en:organic"});
    CHECK(tag_set(run("label", "Ingredients bio.")) == std::set<std::string>{"en:organic"});
    CHECK(tag_set(run("label", "production biologique)")) == std::set<std::string>{"en:organic"});
    CHECK(tag_set(run("label", "FR-BIO-01 et IT BIO 006")) == std::set<std::string>{"en:fr-bio-01", "en:it-bio-006"});
    CHECK(tag_set(run("label", "DK-ØKO-100")) == std::set<std::string>{"en:dk-oko-100"});
    CHECK(tag_set(run("label", "certifié ab.")) == std::set<std::string>{"fr:ab-agriculture-biologique"});
    CHECK(tag_set(run("label", "Homologation n°LA 02/91")) == std::set<std::string>{"fr:label-rouge"});
    CHECK(tag_set(run("label", "vin AOC rouge")) == std::set<std::string>{"fr:aoc"});
    CHECK(tag_set(run("label", "NUTRI-SCORE")) == std::set<std::string>{"en:nutriscore"});
    CHECK(tag_set(run("label", "Agriculture UE / non-UE")) == std::set<std::string>{"en:eu-non-eu-agriculture"});
    CHECK(tag_set(run("label", "Agriculture UE")) == std::set<std::string>{"en:eu-agriculture"});
    CHECK(tag_set(run("label", "agriculture non UE")) == std::set<std::string>{"en:non-eu-agriculture"});
    CHECK(tag_set(run("label", "Sans conservateur")) == std::set<std::string>{"en:no-preservatives"});
    CHECK(tag_set(run("label", "sans arômes ajoutés")) == std::set<std::string>{"en:no-flavors"});
    CHECK(tag_set(run("label", "sans colorants")) == std::set<std::string>{"en:no-colorings"});
    CHECK(tag_set(run("label", "ohne Zusätze")) == std::set<std::string>{"en:no-additives"});
    CHECK(tag_set(run("label", "без консервантов")) == std::set<std::string>{"en:no-preservatives"});
}

TEST_CASE("label: regex families, negatives", "[unit]") {
    CHECK(run("label", "ES-ECO-001").empty());
    CHECK(run("label", "xFR-BIO-01").empty());        // preceded by an ASCII letter
    CHECK(run("label", "fr-bio-01").empty());         // case-sensitive
    CHECK(run("label", "nutri-score").empty());       // case-sensitive
    CHECK(run("label", "AOCX").empty());
    CHECK(run("label", "aoc").empty());
    CHECK(run("label", "Sans conservateurs artificiels").empty());  // the "not followed by" rule
    CHECK(run("label", "dessans colorant").empty());  // "sans" preceded by a word character
    CHECK(run("label", "production bio").empty());    // needs a follower (space . , ))
}

TEST_CASE("label: keyword list and order of appearance", "[unit]") {
    const auto ps = run("label", "SANS GLUTEN - Agriculture Biologique. Fabriqué en France");
    REQUIRE(ps.size() == 3);
    CHECK(ps[0].value_tag == "en:no-gluten");
    CHECK(ps[0].predictor == "flashtext");
    CHECK(str(data(ps[0]), "text") == "SANS GLUTEN");
    CHECK(ps[1].value_tag == "en:organic");
    CHECK(ps[2].value_tag == "en:made-in-france");
}

TEST_CASE("nutrient: values with labels", "[unit]") {
    const auto ps = run("nutrient", "Lipides : 12,5 g dont acides gras saturés: 3g Sel 0,2g énergie 1046 kJ");
    REQUIRE(ps.size() == 1);
    CHECK(ps[0].predictor == "regex");
    CHECK(ps[0].automatic_processing == false);
    const auto d = data(ps[0]);
    const auto& n = d["nutrients"];
    REQUIRE(n.HasMember("fat"));
    CHECK(str(n["fat"][0], "raw") == "Lipides : 12,5 g");
    CHECK(str(n["fat"][0], "value") == "12.5");
    CHECK(str(n["fat"][0], "unit") == "g");
    CHECK(str(n["fat"][0], "nutrient") == "fat");
    CHECK(str(n["saturated_fat"][0], "value") == "3");
    CHECK(str(n["salt"][0], "value") == "0.2");
    CHECK(str(n["energy"][0], "unit") == "kJ");
    CHECK_FALSE(n.HasMember("sugar"));
    CHECK(run("nutrient", "Lipides").empty());
    CHECK(run("nutrient", "Lipides 12 kg").empty());
    CHECK(run("nutrient", "xlipides 12 g").empty());
}

TEST_CASE("nutrient_mention: spec example, spans and languages", "[unit]") {
    const auto ps = run("nutrient_mention", "Valeurs nutritionnelles moyennes Énergie 1046 kJ");
    REQUIRE(ps.size() == 1);
    CHECK_FALSE(ps[0].predictor);
    const auto d = data(ps[0]);
    const auto& m = d["mentions"];
    REQUIRE(m.HasMember("nutrition_values"));
    CHECK(str(m["nutrition_values"][0], "raw") == "Valeurs nutritionnelles moyennes");
    CHECK(m["nutrition_values"][0]["span"][0].GetInt() == 0);
    CHECK(m["nutrition_values"][0]["span"][1].GetInt() == 32);
    CHECK(str(m["nutrition_values"][0]["languages"], "x") == "(absent)");
    CHECK(std::string(m["nutrition_values"][0]["languages"][0].GetString()) == "fr");
    REQUIRE(m.HasMember("energy"));
    CHECK(m["energy"][0]["languages"].Size() == 1);
    CHECK(std::string(m["energy"][0]["languages"][0].GetString()) == "fr");
    REQUIRE(m.HasMember("nutrient_value"));
    CHECK(str(m["nutrient_value"][0], "raw") == "1046 kJ");
    CHECK_FALSE(m["nutrient_value"][0].HasMember("languages"));
    // Overlapping keys: saturated fat is also a fat mention.
    const auto both = data(run("nutrient_mention", "matières grasses saturées")[0]);
    CHECK(both["mentions"].HasMember("saturated_fat"));
    CHECK(both["mentions"].HasMember("fat"));
    CHECK(run("nutrient_mention", "rien à voir").empty());
}

TEST_CASE("trace: allergens after a trigger", "[unit]") {
    const auto ps = run("trace", "Peut contenir des traces de céleri et de moutarde.");
    CHECK(tags(ps) == std::vector<std::string>{"en:celery", "en:mustard"});
    REQUIRE_FALSE(ps.empty());
    const auto d = data(ps[0]);
    CHECK(str(d, "text") == "céleri");
    CHECK(str(d, "prompt") == "Peut contenir des traces");
    CHECK(run("trace", "Contient du céleri et de la moutarde.").empty());
    // Only the 100 characters after the trigger are searched.
    CHECK(run("trace", "may contain " + std::string(100, 'x') + " celery").empty());
}
