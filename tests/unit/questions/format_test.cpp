#include "robotoff/core/json.hpp"
#include "robotoff/questions/questions.hpp"

#include <catch2/catch.hpp>

#include <memory>

using namespace robotoff;
using namespace robotoff::questions;

namespace {

// Real taxonomies and label logos of data.dir, loaded once for the whole file.
const taxonomy::taxonomy_set& taxonomies() {
    static const auto set = [] {
        auto s = std::make_unique<taxonomy::taxonomy_set>();
        s->load_from_dirs(ROBOTOFF_SHARED_DIR "/data");
        return s;
    }();
    return *set;
}

const label_logos& logos() {
    static label_logos l = label_logos::load_file(ROBOTOFF_SHARED_DIR "/data/label_logos.json");
    return l;
}

insight_row row(std::string type) {
    insight_row r;
    r.id = "0b9d2f4e-8f3c-4a57-b1d2-7c0e5a6f9e31";
    r.barcode = "3017620425035";
    r.type = std::move(type);
    return r;
}

question make(const insight_row& r, std::string_view lang, const product_info* product = nullptr) {
    static auto messages = catalog::builtin();
    format_context ctx{*messages, taxonomies(), logos()};
    return format_question(r, lang, ctx, product);
}

}  // namespace

TEST_CASE("category question: localized value, text, generic front image (spec example)", "[unit]") {
    auto r = row("category");
    r.value_tag = "en:plain-yogurts";
    r.source_image = "/301/762/042/5035/6.jpg";
    product_info p;
    p.lang = "fr";
    p.images_json = R"({"6": {"sizes": {"400": {}}}, "front_fr": {"imgid": "6", "rev": "12", "sizes": {"400": {}}}})";
    auto q = make(r, "fr", &p);
    CHECK(q.value == "Yaourts nature");
    CHECK(q.text == "Le produit appartient-il à cette catégorie ?");
    CHECK(q.value_tag == "en:plain-yogurts");
    CHECK(q.source_image_url ==
          "https://images.openfoodfacts.org/images/products/301/762/042/5035/front_fr.12.400.jpg");
    CHECK_FALSE(q.ref_image_url);

    auto doc = core::parse_json(to_json(q));
    CHECK(std::string(doc["type"].GetString()) == "add-binary");
    CHECK(std::string(doc["server_type"].GetString()) == "off");
    CHECK(std::string(doc["insight_id"].GetString()) == r.id);
    CHECK(std::string(doc["insight_type"].GetString()) == "category");
    CHECK(std::string(doc["question"].GetString()) == q.text);
    CHECK_FALSE(doc.HasMember("ref_image_url"));  // omitted, never null

    // Other languages, region suffixes, unknown languages.
    CHECK(make(r, "de", &p).value == "Naturjoghurt");
    CHECK(make(r, "de", &p).text == "Gehört das Produkt zu dieser Kategorie?");
    CHECK(make(r, "fr_CA", &p).value == "Yaourts nature");
    CHECK(make(r, "fr_CA", &p).text == "Le produit appartient-il à cette catégorie ?");
    CHECK(make(r, "ja", &p).value == "Plain yogurts");
    CHECK(make(r, "ja", &p).text == "Does the product belong to this category?");
    // No product row -> no picture.
    CHECK_FALSE(make(r, "fr").source_image_url);
    // Unknown category id -> the id itself.
    r.value_tag = "en:not-a-category";
    CHECK(make(r, "fr", &p).value == "en:not-a-category");
}

TEST_CASE("label question: localized name, display image, logo reference", "[unit]") {
    auto r = row("label");
    r.value_tag = "en:eu-organic";
    r.source_image = "/301/762/042/5035/6.jpg";
    auto q = make(r, "fr");
    CHECK(q.value == "Bio européen");
    CHECK(q.text == "Le produit a-t-il ce label ?");
    CHECK(q.source_image_url == "https://images.openfoodfacts.org/images/products/301/762/042/5035/6.400.jpg");
    CHECK(q.ref_image_url == "https://static.openfoodfacts.org/images/lang/en/labels/eu-organic.135x90.svg");
    CHECK(make(r, "es").text == "¿El producto tiene esta etiqueta?");
    r.value_tag = "en:no-gluten";
    r.source_image.reset();
    auto q2 = make(r, "it");
    CHECK(q2.value == "Senza glutine");
    CHECK(make(r, "zz").value == "No gluten");  // no name in that language -> English
    CHECK_FALSE(q2.ref_image_url);
    CHECK_FALSE(q2.source_image_url);
}

TEST_CASE("product_weight, brand, packaging values and pictures", "[unit]") {
    auto w = row("product_weight");
    w.value = "6 x 33 cl";
    w.source_image = "/301/762/042/5035/3.jpg";
    auto qw = make(w, "nl");
    CHECK(qw.value == "6 x 33 cl");
    CHECK(qw.text == "Komt dit gewicht overeen met het gewicht op het product?");
    CHECK_FALSE(qw.value_tag);
    CHECK(qw.source_image_url == "https://images.openfoodfacts.org/images/products/301/762/042/5035/3.400.jpg");

    auto b = row("brand");
    b.value = "Nutella";
    b.value_tag = "nutella";
    b.source_image = "/301/762/042/5035/3.jpg";
    b.predictor = "curated-list";
    product_info p;
    p.lang = "it";
    p.images_json = R"({"3": {}, "front_it": {"rev": "2", "sizes": {"400": {}}}})";
    auto qb = make(b, "pt", &p);
    CHECK(qb.value == "Nutella");
    CHECK(qb.value_tag == "nutella");
    CHECK(qb.text == "O produto é desta marca?");
    CHECK(qb.source_image_url ==
          "https://images.openfoodfacts.org/images/products/301/762/042/5035/front_it.2.400.jpg");
    p.images_json = "{}";  // nothing generic -> the display image of the source image
    CHECK(make(b, "pt", &p).source_image_url ==
          "https://images.openfoodfacts.org/images/products/301/762/042/5035/3.400.jpg");
    b.predictor = "google-cloud-vision";
    p.images_json = R"({"front_it": {"rev": "2", "sizes": {"400": {}}}})";
    CHECK(make(b, "pt", &p).source_image_url ==
          "https://images.openfoodfacts.org/images/products/301/762/042/5035/3.400.jpg");

    auto k = row("packaging");
    k.value = R"({"shape":"en:jar","material":"en:glass","recycling":"en:recycle"})";
    k.data = R"({"lang": "fr", "element": {"shape": {"value": "bocal", "value_tag": "en:jar"},
                 "material": {"value": "verre", "value_tag": "en:glass"},
                 "recycling": {"value": "à recycler", "value_tag": "en:recycle"}}})";
    CHECK(make(k, "fr").value == "Bocal, Verre, Recycler");
    CHECK(make(k, "en").value == "Jar, Glass, Recycle");
    CHECK(make(k, "fr").text == "Le produit a-t-il cet élément d'emballage ?");
    k.data = R"({"element": {"shape": {"value": "bouteille", "value_tag": "en:bottle"}}})";
    CHECK(make(k, "de").value == "Flasche");
    CHECK_FALSE(make(k, "de").value_tag);
}

TEST_CASE("nutrition_image and image_orientation questions", "[unit]") {
    auto n = row("nutrition_image");
    n.value_tag = "fr";
    n.source_image = "/301/762/042/5035/4.jpg";
    auto qn = make(n, "en");
    CHECK(qn.value == "fr");
    CHECK(qn.text == "Is this image a nutrition image for this language?");
    CHECK_FALSE(qn.value_tag);
    CHECK(qn.source_image_url == "https://images.openfoodfacts.org/images/products/301/762/042/5035/4.400.jpg");

    auto o = row("image_orientation");
    o.value_tag = "right";
    o.source_image = "/301/762/042/5035/4.jpg";
    o.data = R"({"count": {}, "orientation": "right", "rotation": 270, "image_key": "front_fr", "image_rev": 9})";
    o.server_type = core::server_type::obf;
    auto qo = make(o, "it");
    CHECK(qo.value == "right");
    CHECK(qo.text == "Questa immagine è ruotata con il seguente orientamento?");
    CHECK(qo.source_image_url ==
          "https://images.openbeautyfacts.org/images/products/301/762/042/5035/front_fr.9.400.jpg");
    o.data = "{}";
    CHECK_FALSE(make(o, "it").source_image_url);
}
