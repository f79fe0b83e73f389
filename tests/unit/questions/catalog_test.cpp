#include "robotoff/questions/catalog.hpp"
#include "robotoff/questions/questions.hpp"
#include "robotoff/questions/ui_assets.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include <unistd.h>

using namespace robotoff::questions;

TEST_CASE("parse_po reads entries, continuations, escapes; skips header, empty msgstr, context and plurals",
          "[unit]") {
    const char* po = R"po(# comment
msgid ""
msgstr ""
"Language: fr\n"

#: somewhere
msgid "Yes"
msgstr "Oui"

msgid "Two "
"lines"
msgstr "Deux "
"lignes \"quoted\"\n"

msgid "Untranslated"
msgstr ""

msgctxt "menu"
msgid "File"
msgstr "Fichier"

msgid "apple"
msgid_plural "apples"
msgstr[0] "pomme"
msgstr[1] "pommes"

msgid "Last"
msgstr "Dernier"
)po";
    auto m = parse_po(po, "test.po");
    CHECK(m.size() == 3);
    CHECK(m.at("Yes") == "Oui");
    CHECK(m.at("Two lines") == "Deux lignes \"quoted\"\n");
    CHECK(m.at("Last") == "Dernier");
    CHECK(m.count("Untranslated") == 0);
    CHECK(m.count("") == 0);
    CHECK(m.count("File") == 0);
    CHECK(m.count("apple") == 0);
}

TEST_CASE("parse_po rejects malformed input with file and line", "[unit]") {
    CHECK_THROWS_WITH(parse_po("msgid \"a\"\nmsgstr oops\n", "x.po"), Catch::Contains("x.po:2"));
    CHECK_THROWS_WITH(parse_po("msgstr \"a\"\n", "x.po"), Catch::Contains("x.po:1"));
    CHECK_THROWS_AS(parse_po("msgid \"a\\q\"\nmsgstr \"b\"\n", "x.po"), po_error);
    CHECK_THROWS_AS(parse_po("\"floating\"\n", "x.po"), po_error);
    CHECK_THROWS_AS(parse_po("bogus \"x\"\n", "x.po"), po_error);
}

TEST_CASE("lookup: exact code, then base language, then English; empty msgstr counts as missing", "[unit]") {
    catalog c;
    c.set_language("en", {{"Yes", "Yes"}, {"Only English", "Only English!"}});
    c.set_language("pt", {{"Yes", "Sim"}});
    c.set_language("pt_BR", {{"Yes", "Sim (BR)"}});
    c.set_language("fr", parse_po("msgid \"Yes\"\nmsgstr \"\"\n", "fr.po"));
    CHECK(c.translate("pt", "Yes") == "Sim");
    CHECK(c.translate("pt_BR", "Yes") == "Sim (BR)");
    CHECK(c.translate("pt-PT", "Yes") == "Sim");
    CHECK(c.translate("PT", "Yes") == "Sim");
    CHECK(c.translate("pt_BR", "Only English") == "Only English!");
    CHECK(c.translate("fr", "Yes") == "Yes");             // empty msgstr -> English
    CHECK(c.translate("zz", "Yes") == "Yes");             // unknown language -> English
    CHECK(c.translate("", "Yes") == "Yes");
    CHECK(c.translate("de", "Not a key") == "Not a key");  // no English entry -> the msgid itself
    CHECK(c.resolve_language("pt_BR") == "pt_BR");
    CHECK(c.resolve_language("pt-AO") == "pt");
    CHECK(c.resolve_language("xx") == "en");
}

TEST_CASE("the embedded catalogs have every question text in the seven languages", "[unit]") {
    auto c = catalog::builtin();
    const std::vector<std::string> langs = {"de", "en", "es", "fr", "it", "nl", "pt"};
    CHECK(c->languages() == langs);
    const std::vector<std::string> types = {"category", "label", "product_weight", "brand", "packaging",
                                            "nutrition_image", "image_orientation"};
    for (const auto& lang : langs) {
        CHECK(c->size(lang) == c->size("en"));
        for (const auto& type : types) {
            const char* key = question_key(type);
            REQUIRE(key != nullptr);
            auto text = c->translate(lang, key);
            CHECK(!text.empty());
            if (lang != "en") {
                CHECK(text != key);
            }
        }
    }
    CHECK(c->translate("fr", "Does the product belong to this category?") ==
          "Le produit appartient-il à cette catégorie ?");
    CHECK(c->translate("de_AT", "Does the product have this label?") == "Hat das Produkt dieses Label?");
    CHECK(c->translate("pt_BR", "Yes") == "Sim");
    CHECK(c->translate("ja", "Yes") == "Yes");
}

TEST_CASE("catalog::load adds a dropped-in language and overrides an embedded one", "[unit]") {
    namespace fs = std::filesystem;
    const fs::path dir = fs::temp_directory_path() / ("questions_i18n_" + std::to_string(::getpid()));
    fs::create_directories(dir / "sv" / "LC_MESSAGES");
    fs::create_directories(dir / "fr" / "LC_MESSAGES");
    std::ofstream(dir / "sv" / "LC_MESSAGES" / "robotoff.po") << "msgid \"Yes\"\nmsgstr \"Ja\"\n";
    std::ofstream(dir / "fr" / "LC_MESSAGES" / "robotoff.po") << "msgid \"Yes\"\nmsgstr \"Ouais\"\n";
    auto c = catalog::load(dir.string());
    CHECK(c->translate("sv", "Yes") == "Ja");
    CHECK(c->translate("fr", "Yes") == "Ouais");
    CHECK(c->translate("fr", "No") == "No");  // the override replaces the language wholesale
    CHECK(c->translate("de", "Yes") == "Ja");
    std::ofstream(dir / "sv" / "LC_MESSAGES" / "robotoff.po") << "msgid \"broken\n";
    CHECK_THROWS_AS(catalog::load(dir.string()), po_error);
    CHECK_THROWS_AS(catalog::load((dir / "missing").string()), po_error);
    fs::remove_all(dir);
}

TEST_CASE("question types: default set, intersection, priority", "[unit]") {
    CHECK(default_question_types() ==
          std::vector<std::string>{"category", "label", "product_weight", "brand", "packaging"});
    CHECK(requested_question_types({}, false) == default_question_types());
    CHECK(requested_question_types({"label", "store", "bogus", "image_orientation", "label"}, true) ==
          std::vector<std::string>{"label", "image_orientation"});
    CHECK(requested_question_types({"store"}, true).empty());
    CHECK(question_key("ingredient_spellcheck") == nullptr);
    CHECK(question_key("packager_code") == nullptr);
    CHECK(type_priority("category") < type_priority("label"));
    CHECK(type_priority("label") < type_priority("brand"));
    CHECK(type_priority("brand") < type_priority("packaging"));
    CHECK(type_priority("packaging") == type_priority("product_weight"));
}

TEST_CASE("ui assets are embedded with content types", "[unit]") {
    auto html = find_ui_asset("index.html");
    REQUIRE(html);
    CHECK(html->content_type == "text/html; charset=utf-8");
    CHECK(html->body.find("/ui/app.js") != std::string_view::npos);
    auto js = find_ui_asset("app.js");
    REQUIRE(js);
    CHECK(js->content_type == "text/javascript; charset=utf-8");
    CHECK(js->body.find("/api/v1/insights/annotate") != std::string_view::npos);
    REQUIRE(find_ui_asset("style.css"));
    CHECK_FALSE(find_ui_asset("../CMakeLists.txt"));
    // No external requests: the assets reference nothing outside the daemon.
    for (const char* name : {"index.html", "app.js", "style.css"}) {
        auto a = find_ui_asset(name);
        CHECK(a->body.find("http://") == std::string_view::npos);
        CHECK(a->body.find("https://") == std::string_view::npos);
    }
}
