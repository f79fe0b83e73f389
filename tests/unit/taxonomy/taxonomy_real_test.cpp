// Taxonomy operations on the real OFF exports of shared/data/taxonomies (reference vectors of the
// "taxonomy" suite that hold for this export version, plus spec examples).
#include "robotoff/taxonomy/taxonomy.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <set>

using robotoff::taxonomy::country_tag_for_code;
using robotoff::taxonomy::taxonomy;
using robotoff::taxonomy::taxonomy_set;

namespace {

const std::string taxonomy_dir = ROBOTOFF_SHARED_DIR "/data/taxonomies/";

// Loaded once for the whole executable: the tests only read.
const taxonomy_set& real() {
    static const taxonomy_set* set = [] {
        auto* s = new taxonomy_set();
        auto missing = s->load_from_dirs(ROBOTOFF_SHARED_DIR "/data");
        REQUIRE(missing.empty());
        return s;
    }();
    return *set;
}

std::set<std::string> as_set(const std::vector<std::string>& v) { return {v.begin(), v.end()}; }

}  // namespace

TEST_CASE("real taxonomies: all eight load with their nodes", "[unit]") {
    const auto& set = real();
    CHECK(set.loaded_names().size() == 8);
    CHECK(set.get("categories")->size() == 12538);
    CHECK(set.get("labels")->size() == 2490);
    CHECK(set.get("countries")->size() == 268);
    CHECK(set.get("ingredients")->size() > 5000);
    CHECK(set.get("brands")->size() > 20000);
    CHECK(set.get("packaging_recycling")->size() == 13);
}

TEST_CASE("real categories: parents, ancestors and deepest", "[unit]") {
    auto c = real().get("categories");
    CHECK(as_set(c->ancestors("en:brown-rices")) ==
          std::set<std::string>{"en:cereal-grains", "en:cereals-and-potatoes", "en:cereals-and-their-products",
                                "en:plant-based-foods", "en:plant-based-foods-and-beverages", "en:rices",
                                "en:seeds"});
    CHECK(as_set(c->ancestors("en:plant-based-foods")) == std::set<std::string>{"en:plant-based-foods-and-beverages"});
    CHECK(c->ancestors("en:plant-based-foods-and-beverages").empty());
    CHECK(c->is_descendant("en:plain-yogurts", "en:yogurts"));
    CHECK_FALSE(c->is_descendant("en:yogurts", "en:plain-yogurts"));

    CHECK(c->deepest({"en:brown-rices"}) == std::vector<std::string>{"en:brown-rices"});
    CHECK(c->deepest({"en:brown-rices", "en:rices"}) == std::vector<std::string>{"en:brown-rices"});
    CHECK(c->deepest({"en:brown-rices", "en:rices", "en:cereal-grains"}) ==
          std::vector<std::string>{"en:brown-rices"});
    CHECK(c->deepest({"en:brown-rices", "en:teas", "en:cereal-grains"}) ==
          std::vector<std::string>{"en:brown-rices", "en:teas"});
}

TEST_CASE("real labels: is_ancestor_of_any", "[unit]") {
    auto l = real().get("labels");
    CHECK(l->is_ancestor_of_any("en:organic", {"en:fr-bio-01"}));
    CHECK_FALSE(l->is_ancestor_of_any("en:fr-bio-01", {"en:organic"}));
    CHECK_FALSE(l->is_ancestor_of_any("en:fr-bio-01", {}));
    CHECK_FALSE(l->is_ancestor_of_any("en:organic", {"en:gluten-free"}));
    CHECK_FALSE(l->is_ancestor_of_any("en:organic", {"en:gluten-free", "en:no-additives", "en:vegan"}));
    CHECK(l->is_ancestor_of_any("en:organic", {"en:fr-bio-16", "en:gluten-free", "en:no-additives"}));
    CHECK_FALSE(l->is_ancestor_of_any("unknown-id", {}));
}

TEST_CASE("real labels and categories: synonyms to canonical ids", "[unit]") {
    auto l = real().get("labels");
    CHECK(l->canonical("fr:sans-gluten") == std::optional<std::string>("en:no-gluten"));
    CHECK(l->canonical("fr:bio") == std::optional<std::string>("en:organic"));
    CHECK(l->canonical("fr:bio-europeen") == std::optional<std::string>("en:eu-organic"));
    CHECK(l->canonical("fr:viande-bovine-francaise") == std::optional<std::string>("en:french-beef"));
    CHECK(l->canonical("fr:ab-agriculture-biologique") == std::optional<std::string>("fr:ab-agriculture-biologique"));
    CHECK_FALSE(l->canonical("ab-agriculture-biologique"));
    CHECK_FALSE(l->canonical("unknown-label"));
    auto c = real().get("categories");
    CHECK(c->canonical("en:shelled-almonds") == std::optional<std::string>("en:shelled-almonds"));
    CHECK(c->canonical("fr:yaourts-nature") == std::optional<std::string>("en:plain-yogurts"));
    CHECK(c->canonical("fr:riz-cargo") == std::optional<std::string>("en:brown-rices"));
}

TEST_CASE("real taxonomies: localized names", "[unit]") {
    auto c = real().get("categories");
    CHECK(c->localized_name("en:yogurts", "fr") == "Yaourts");
    CHECK(c->localized_name("en:plain-yogurts", "fr") == "Yaourts nature");
    CHECK(c->localized_name("en:brown-rices", "de") == "Brauner Reis");
    CHECK(c->localized_name("en:brown-rices", "tlh") == "Brown rices");  // no tlh, no xx -> en
    CHECK(c->localized_name("en:not-a-category", "fr") == "en:not-a-category");
    auto l = real().get("labels");
    CHECK(l->localized_name("en:no-gluten", "fr") == "Sans gluten");
    auto s = real().get("packaging_shapes");
    CHECK(s->localized_name("en:jar", "fr") == "Bocal");
    auto co = real().get("countries");
    CHECK(co->localized_name("en:united-kingdom", "de") == "Vereinigtes Königreich");
}

TEST_CASE("real brands: display names of brand tags (taxonomy vectors, this export's spelling)", "[unit]") {
    auto b = real().get("brands");
    CHECK(b->localized_name("en:carrefour-bio", "en") == "Carrefour Bio");
    CHECK(b->localized_name("en:turini", "fr") == "Turini");  // no fr name: falls back to en
    CHECK_FALSE(b->contains("en:unknown-brand"));
    CHECK(b->is_descendant("en:carrefour-bio", "en:carrefour"));
}

TEST_CASE("real countries: codes to tags", "[unit]") {
    auto co = real().get("countries");
    CHECK(country_tag_for_code(*co, "fr") == std::optional<std::string>("en:france"));
    CHECK(country_tag_for_code(*co, "FR") == std::optional<std::string>("en:france"));
    CHECK(country_tag_for_code(*co, "uk") == std::optional<std::string>("en:united-kingdom"));
    CHECK(country_tag_for_code(*co, "gb") == std::optional<std::string>("en:united-kingdom"));
    CHECK(country_tag_for_code(*co, "world") == std::optional<std::string>("en:world"));
    CHECK_FALSE(country_tag_for_code(*co, "zz"));
    CHECK_FALSE(country_tag_for_code(*co, ""));
}

TEST_CASE("real ingredients: properties and parents", "[unit]") {
    auto i = real().get("ingredients");
    CHECK(i->localized_name("en:wheat-flour", "fr") == "Farine de blé");
    CHECK(i->is_descendant("en:wheat-flour", "en:cereal-flour"));
    auto c = real().get("categories");
    CHECK(c->property("en:bolognese-spaghetti", "wikidata") == std::optional<std::string>("Q12709593"));
}
