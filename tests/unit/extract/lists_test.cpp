// brand (§5.5), store (§5.6), packaging (§5.13), location (§5.14), category (§5.15), image_flag text (§5.10).

#include "helpers.hpp"

#include "robotoff/taxonomy/taxonomy.hpp"
#include "robotoff/text/normalize.hpp"

#include <catch2/catch.hpp>

#include <fstream>

using namespace test_extract;

TEST_CASE("brand: curated list, taxonomy list", "[unit]") {
    auto ps = run("brand", "le nouveau cocacola");
    REQUIRE(ps.size() == 1);
    CHECK(ps[0].value == "Coca-Cola");
    CHECK(ps[0].value_tag == "coca-cola");
    CHECK(ps[0].predictor == "curated-list");
    CHECK(ps[0].automatic_processing == true);
    CHECK(str(data(ps[0]), "text") == "cocacola");

    ps = run("brand", "Notre marque Alpina savoie est bien positionnée");
    REQUIRE(ps.size() == 1);
    CHECK(ps[0].value == "Alpina Savoie");
    CHECK(ps[0].value_tag == "alpina-savoie");
    CHECK(ps[0].predictor == "taxonomy");
    CHECK(ps[0].automatic_processing == false);
    CHECK(str(data(ps[0]), "text") == "Alpina savoie");

    CHECK(run("brand", "").empty());
    CHECK(run("brand", "Netto gewitch: 450 g").empty());
    CHECK(run("brand", "cocacolas").empty());
}

TEST_CASE("brand: blacklisted taxonomy brands are not predicted", "[unit]") {
    // "atlantic" is on brand_taxonomy_blacklist.txt while brand_from_taxonomy.gz has "atlantic||Atlantic".
    bool listed = false;
    {
        std::ifstream in(data_dir + "/ocr/brand_taxonomy_blacklist.txt");
        std::string line;
        while (std::getline(in, line)) {
            listed = listed || line == "atlantic";
        }
    }
    REQUIRE(listed);
    CHECK(run("brand", "Saumon Atlantic fumé").empty());
}

TEST_CASE("store: names and patterns", "[unit]") {
    auto ps = run("store", "Madeleines CHABRIOR");
    REQUIRE(ps.size() == 1);
    CHECK(ps[0].value == "Intermarché");
    CHECK(ps[0].value_tag == "intermarche");
    CHECK(ps[0].predictor == "regex");
    CHECK(str(data(ps[0]), "text") == "CHABRIOR");
    ps = run("store", "Distribué par Carrefour, 91300 Massy");
    REQUIRE(ps.size() == 1);
    CHECK(ps[0].value == "Carrefour");
    CHECK(run("store", "carrefourmarket").empty());
    CHECK(run("store", "xchabrior").empty());
}

TEST_CASE("packaging: spec examples and vectors", "[unit]") {
    auto ps = run("packaging", "Bocal verre à recycler, couvercle acier");
    REQUIRE(ps.size() == 2);
    CHECK(ps[0].value == R"({"shape":"en:jar","material":"en:glass","recycling":"en:recycle"})");
    auto d = data(ps[0]);
    CHECK(str(d, "lang") == "fr");
    CHECK(str(d["element"]["shape"], "value") == "bocal");
    CHECK(str(d["element"]["material"], "value_tag") == "en:glass");
    CHECK(str(d["element"]["recycling"], "value") == "recycler");
    CHECK(ps[1].value == R"({"shape":"en:lid","material":"en:steel","recycling":null})");
    CHECK(ps[0].predictor == "grammar");
    CHECK(ps[0].automatic_processing == false);

    CHECK(run("packaging", "Barquette").empty());
    CHECK(values(run("packaging", "Barquette plastique")) ==
          std::vector<std::string>{R"({"shape":"en:tray","material":"en:plastic","recycling":null})"});
    CHECK(run("packaging", "  ").empty());
    CHECK(run("packaging", "packaaaa").empty());
    CHECK(run("packaging", "testetui").empty());
    CHECK(run("packaging", "Ingrédients: 100% tomate").empty());
    ps = run("packaging", "bouteille en plastique pet");
    REQUIRE(ps.size() == 1);
    d = data(ps[0]);
    CHECK(str(d["element"]["shape"], "value_tag") == "en:bottle");
    CHECK(str(d["element"]["material"], "value") == "pet");
    CHECK(str(d["element"]["material"], "value_tag") == "en:pet-1-polyethylene-terephthalate");
    CHECK_FALSE(d["element"].HasMember("recycling"));
}

TEST_CASE("location: normalization (vectors) and cities with a nearby postal code", "[unit]") {
    using robotoff::extract::normalize_location_text;
    using robotoff::text::to_u32;
    using robotoff::text::to_utf8;
    CHECK(to_utf8(normalize_location_text(to_u32("full text l'île-àÉ$"))) == "full text l ile ae$");
    CHECK(to_utf8(normalize_location_text(to_u32("TEXT É'-č"))) == "text e  c");

    auto ps = run("location", "Fabriqué par X, 29200 Brest (France)");
    REQUIRE(ps.size() == 1);
    auto d = data(ps[0]);
    CHECK(str(d, "country_code") == "fr");
    CHECK(str(d, "city_name") == "brest");
    CHECK(str(d, "postal_code") == "29200");
    CHECK(str(d, "text_extract") == "fabrique par x, 29200 brest (france)");
    CHECK_FALSE(ps[0].predictor);
    // Letters may touch the code; digits may not; too far is not found.
    CHECK(run("location", "Brest fr29200").size() == 1);
    CHECK(run("location", "Brest 292001").empty());
    CHECK(run("location", "Brest and then a long way 29200").empty());
}

TEST_CASE("category: appellations with the fake resolver", "[unit]") {
    auto ps = run("category", "Appellation Pomerol Contrôlée");
    REQUIRE(ps.size() == 1);
    CHECK(ps[0].value_tag == "fr:pomerol");
    CHECK(str(data(ps[0]), "text") == "Appellation Pomerol Contrôlée");
    CHECK(ps[0].predictor == "regex");
    CHECK(ps[0].automatic_processing == false);
    ps = run("category", "Fromage au lait cru Manchego DOP");
    REQUIRE(ps.size() == 1);
    CHECK(ps[0].value_tag == "en:manchego");
    CHECK(str(data(ps[0]), "text") == "Manchego DOP");
    CHECK(tags(run("category", "Appellation Clairette de Die Protégée")) ==
          std::vector<std::string>{"fr:clairette-de-die"});
    CHECK(tags(run("category", "Denominacion de Origen ProtegidA PIMENTON de la VERA")) ==
          std::vector<std::string>{"es:pimenton-de-la-vera"});
    CHECK(tags(run("category", "DOP Mozzarella di bufala campana")) ==
          std::vector<std::string>{"en:mozzarella-di-bufala-campana"});
    // Synonyms map through the resolver.
    CHECK(tags(run("category", "Comté appellation d'origine protégée")) == std::vector<std::string>{"en:comte"});
    // Never across a block, a newline counts as a space.
    CHECK(run("category", "Manchego|DOP").empty());
    CHECK(tags(run("category", "Manchego\nDOP")) == std::vector<std::string>{"en:manchego"});
    CHECK(run("category", "Appellation Inconnue Contrôlée").empty());
    CHECK(run("category", "AOPX Manchego").empty());
}

TEST_CASE("category: with the real categories taxonomy", "[unit]") {
    const auto t =
        robotoff::taxonomy::taxonomy::load_file("categories", data_dir + "/taxonomies/categories.full.json.gz");
    const auto r = robotoff::extract::load_rules(data_dir, [t](std::string_view id) { return t->canonical(id); });
    auto run_real = [&](const std::string& text) {
        return tag_set(robotoff::extract::extract(robotoff::ocr::from_ocr_text(text), r, {"category"}, opts_2025()));
    };
    CHECK(run_real("Appellation Clairette de Die Protégée") == std::set<std::string>{"fr:clairette-de-die"});
    CHECK(run_real("Denominacion de Origen ProtegidA PIMENTON de la VERA") ==
          std::set<std::string>{"es:pimenton-de-la-vera"});
    CHECK(run_real("Appellation Inconnue Contrôlée").empty());
}

TEST_CASE("image_flag: first keyword of the beauty/miscellaneous lists", "[unit]") {
    auto ps = run("image_flag", "Attention: fumer tue. Contient du phenoxyethanol");
    REQUIRE(ps.size() == 1);
    auto d = data(ps[0]);
    CHECK(str(d, "type") == "text");
    CHECK(str(d, "label") == "miscellaneous");
    CHECK(str(d, "text") == "fumer tue");
    CHECK(ps[0].automatic_processing == false);
    ps = run("image_flag", "PHENOXYETHANOL");
    REQUIRE(ps.size() == 1);
    CHECK(str(data(ps[0]), "label") == "beauty");
    CHECK(run("image_flag", "Biscuits au beurre").empty());
}
