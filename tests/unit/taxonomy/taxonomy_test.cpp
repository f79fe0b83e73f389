// Taxonomy operations on a small hand-written export: parsing, links, fallbacks, synonyms, swaps.
#include "robotoff/core/file_io.hpp"
#include "robotoff/taxonomy/taxonomy.hpp"

#include <catch2/catch.hpp>

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

using robotoff::taxonomy::taxonomy;
using robotoff::taxonomy::taxonomy_error;
using robotoff::taxonomy::taxonomy_set;

namespace {

const char* const small_json = R"({
  "en:foods": {"name": {"en": "Foods", "fr": "Aliments"}, "synonyms": {"en": ["Foods", "food"]}},
  "en:dairies": {"name": {"en": "Dairies", "fr": "Produits laitiers"}, "parents": ["en:foods"],
                 "children": ["en:yogurts"], "synonyms": {"fr": ["Produits laitiers", "laitages"]}},
  "en:yogurts": {"name": {"en": "Yogurts", "fr": "Yaourts", "xx": "Yogurt-xx"}, "parents": ["en:dairies"],
                 "synonyms": {"fr": ["Yaourts", "yoghourts"], "xx": ["skyr"]},
                 "agribalyse_food_code": {"fr": "111", "en": "222"}, "wikidata": {"de": "Q1"}},
  "en:plain-yogurts": {"name": {"fr": "Yaourts nature", "de": null}, "parents": ["en:yogurts", "en:ghost"],
                       "synonyms": {"fr": ["Yaourts nature", "Yaourt nature", "laitages"]}},
  "en:desserts": {"name": {"en": "Desserts"}, "parents": ["en:foods"]},
  "en:dairy-desserts": {"name": {"en": "Dairy desserts"}, "parents": ["en:desserts", "en:dairies"]}
})";

std::shared_ptr<const taxonomy> small() { return taxonomy::load_json("categories", small_json); }

}  // namespace

TEST_CASE("taxonomy: nodes, names, parents and derived children", "[unit]") {
    auto t = small();
    REQUIRE(t->size() == 6);
    CHECK(t->name() == "categories");
    CHECK(t->nodes()[0].id == "en:foods");  // file order kept
    const auto* plain = t->find("en:plain-yogurts");
    REQUIRE(plain != nullptr);
    CHECK(plain->parent_ids == std::vector<std::string>{"en:yogurts", "en:ghost"});
    REQUIRE(plain->parents.size() == 1);  // unknown parent ignored
    CHECK(t->nodes()[plain->parents[0]].id == "en:yogurts");
    const auto* dairies = t->find("en:dairies");
    REQUIRE(dairies->children.size() == 2);  // yogurts + dairy-desserts, not from the "children" key alone
    CHECK(plain->names.size() == 1);         // the null "de" name is dropped
    CHECK_FALSE(t->contains("en:ghost"));
    CHECK(t->find("") == nullptr);
}

TEST_CASE("taxonomy: descendants, ancestors, deepest", "[unit]") {
    auto t = small();
    CHECK(t->is_descendant("en:plain-yogurts", "en:foods"));
    CHECK(t->is_descendant("en:plain-yogurts", "en:yogurts"));
    CHECK_FALSE(t->is_descendant("en:foods", "en:plain-yogurts"));
    CHECK_FALSE(t->is_descendant("en:yogurts", "en:yogurts"));
    CHECK_FALSE(t->is_descendant("en:unknown", "en:foods"));
    CHECK(t->is_descendant("en:dairy-desserts", "en:dairies"));

    CHECK(t->is_ancestor_of_any("en:dairies", {"en:desserts", "en:plain-yogurts"}));
    CHECK_FALSE(t->is_ancestor_of_any("en:plain-yogurts", {"en:dairies"}));
    CHECK_FALSE(t->is_ancestor_of_any("en:unknown", {"en:plain-yogurts"}));
    CHECK_FALSE(t->is_ancestor_of_any("en:dairies", {}));

    auto anc = t->ancestors("en:dairy-desserts");
    std::sort(anc.begin(), anc.end());
    CHECK(anc == std::vector<std::string>{"en:dairies", "en:desserts", "en:foods"});
    CHECK(t->ancestors("en:unknown").empty());

    CHECK(t->deepest({}).empty());
    CHECK(t->deepest({"en:foods", "en:plain-yogurts", "en:dairies", "en:desserts"}) ==
          std::vector<std::string>{"en:plain-yogurts", "en:desserts"});
    CHECK(t->deepest({"en:desserts", "en:unknown", "en:dairy-desserts"}) ==
          std::vector<std::string>{"en:unknown", "en:dairy-desserts"});
}

TEST_CASE("taxonomy: localized names fall back lang -> xx -> en -> id", "[unit]") {
    auto t = small();
    CHECK(t->localized_name("en:yogurts", "fr") == "Yaourts");
    CHECK(t->localized_name("en:yogurts", "de") == "Yogurt-xx");
    CHECK(t->localized_name("en:dairies", "de") == "Dairies");
    CHECK(t->localized_name("en:plain-yogurts", "en") == "en:plain-yogurts");
    CHECK(t->localized_name("en:nothing", "fr") == "en:nothing");
    REQUIRE(t->name_in("en:plain-yogurts", "fr") != nullptr);
    CHECK(*t->name_in("en:plain-yogurts", "fr") == "Yaourts nature");
    CHECK(t->name_in("en:plain-yogurts", "en") == nullptr);
}

TEST_CASE("taxonomy: properties prefer the en value", "[unit]") {
    auto t = small();
    CHECK(t->property("en:yogurts", "agribalyse_food_code") == std::optional<std::string>("222"));
    CHECK(t->property("en:yogurts", "wikidata") == std::optional<std::string>("Q1"));
    CHECK_FALSE(t->property("en:yogurts", "ciqual_food_code"));
    CHECK_FALSE(t->property("en:unknown", "wikidata"));
    CHECK_FALSE(t->property("en:yogurts", "name"));  // names are not properties
}

TEST_CASE("taxonomy: synonym index and canonical", "[unit]") {
    auto t = small();
    CHECK(t->canonical("en:yogurts") == std::optional<std::string>("en:yogurts"));
    CHECK(t->canonical("fr:yoghourts") == std::optional<std::string>("en:yogurts"));
    CHECK(t->canonical("fr:yaourt-nature") == std::optional<std::string>("en:plain-yogurts"));
    CHECK(t->canonical("fr:Yaourt Nature") == std::optional<std::string>("en:plain-yogurts"));
    CHECK(t->canonical("en:food") == std::optional<std::string>("en:foods"));
    // "laitages" is a synonym of two nodes: the first in file order keeps it.
    CHECK(t->canonical("fr:laitages") == std::optional<std::string>("en:dairies"));
    // Language-independent synonyms answer for any language.
    CHECK(t->canonical("de:skyr") == std::optional<std::string>("en:yogurts"));
    CHECK_FALSE(t->canonical("yoghourts"));
    CHECK_FALSE(t->canonical("en:yoghourts"));
    CHECK_FALSE(t->canonical("fr:"));
    CHECK_FALSE(t->canonical(""));
    CHECK(t->synonym_index_size() > 10);
}

TEST_CASE("taxonomy: invalid input names the source", "[unit]") {
    CHECK_THROWS_AS(taxonomy::load_json("labels", "{\"en:a\": "), taxonomy_error);
    CHECK_THROWS_WITH(taxonomy::load_json("labels", "[1, 2]"), Catch::Contains("labels"));
    CHECK_THROWS_WITH(taxonomy::load_file("labels", "/nonexistent/labels.full.json"),
                      Catch::Contains("/nonexistent/labels.full.json"));
    auto empty = taxonomy::load_json("labels", "{}");
    CHECK(empty->size() == 0);
}

TEST_CASE("taxonomy_set: snapshots survive a swap", "[unit]") {
    taxonomy_set set;
    CHECK(set.get("categories") == nullptr);
    set.set("categories", small());
    auto before = set.get("categories");
    REQUIRE(before);
    set.set("categories", taxonomy::load_json("categories", R"({"en:x": {"name": {"en": "X"}}})"));
    CHECK(before->size() == 6);  // the old snapshot stays valid while held
    CHECK(set.get("categories")->size() == 1);
    CHECK(set.loaded_names() == std::vector<std::string>{"categories"});

    // Concurrent readers and one writer: each reader sees a complete taxonomy (size 1 or 6).
    std::atomic<bool> bad = false;
    {
        std::jthread writer([&] {
            for (int i = 0; i < 200; ++i) {
                set.set("categories", i % 2 == 0 ? small() : before);
            }
        });
        std::jthread reader([&] {
            for (int i = 0; i < 2000; ++i) {
                auto t = set.get("categories");
                if (!t || (t->size() != 6 && t->size() != 1)) {
                    bad = true;
                }
            }
        });
    }
    CHECK_FALSE(bad);
}

TEST_CASE("taxonomy_set: downloads are validated, cached with their ETag, swapped and announced", "[unit]") {
    namespace fs = std::filesystem;
    const fs::path dir = fs::temp_directory_path() / ("robotoff_taxonomy_" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir / "taxonomies");
    {
        std::ofstream bundled(dir / "taxonomies" / "labels.full.json");
        bundled << R"({"en:a": {"name": {"en": "A"}}, "en:b": {"name": {"en": "B"}, "parents": ["en:a"]}})";
    }
    taxonomy_set set;
    std::vector<std::pair<std::string, std::size_t>> announced;
    set.add_listener([&](const std::string& name, const std::shared_ptr<const taxonomy>& t) {
        announced.emplace_back(name, t ? t->size() : 0);
    });
    const auto missing = set.load_from_dirs(dir.string());
    CHECK(missing.size() == 7);  // only labels exists here
    REQUIRE(set.get("labels"));
    CHECK(set.get("labels")->size() == 2);
    REQUIRE(announced.size() == 1);
    CHECK(announced[0] == std::pair<std::string, std::size_t>{"labels", 2});
    CHECK_FALSE(taxonomy_set::cached_etag("labels", dir.string()));

    CHECK_FALSE(set.install_download("labels", "{not json", "\"e1\"", dir.string()));
    CHECK_FALSE(set.install_download("labels", "{}", "\"e1\"", dir.string()));                        // empty
    CHECK(set.get("labels")->size() == 2);
    CHECK(announced.size() == 1);

    const std::string three = R"({"en:a": {}, "en:b": {}, "en:c": {"parents": ["en:a"]}})";
    CHECK(set.install_download("labels", robotoff::core::gzip_compress(three), "\"e2\"", dir.string()));
    CHECK(set.get("labels")->size() == 3);
    CHECK(set.get("labels")->is_descendant("en:c", "en:a"));
    CHECK(taxonomy_set::cached_etag("labels", dir.string()) == std::optional<std::string>("\"e2\""));
    CHECK(announced.size() == 2);
    CHECK_FALSE(set.install_download("labels", R"({"en:a": {}})", "\"e3\"", dir.string()));  // 1 of 3 nodes
    CHECK(set.get("labels")->size() == 3);
    CHECK(taxonomy_set::cached_etag("labels", dir.string()) == std::optional<std::string>("\"e2\""));

    // A restart prefers the cached copy over the bundled one.
    taxonomy_set restarted;
    restarted.load_from_dirs(dir.string());
    CHECK(restarted.get("labels")->size() == 3);
    // A corrupt cache falls back to the bundle.
    {
        std::ofstream corrupt(dir / "taxonomies" / "cache" / "labels.full.json");
        corrupt << "{broken";
    }
    taxonomy_set fallback;
    fallback.load_from_dirs(dir.string());
    CHECK(fallback.get("labels")->size() == 2);
    fs::remove_all(dir);
}
