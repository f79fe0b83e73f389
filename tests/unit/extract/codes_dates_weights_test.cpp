// packager_code (§5.1), expiration_date (§5.3), product_weight (§5.4).

#include "helpers.hpp"

#include <catch2/catch.hpp>

using namespace test_extract;
using Catch::Matchers::Equals;

TEST_CASE("packager_code: spec examples", "[unit]") {
    CHECK(values(run("packager_code", "Emb 72181b")) == std::vector<std::string>{"EMB 72181B"});
    CHECK(values(run("packager_code", "EMB 2 9 1 5 1 Quimper")) == std::vector<std::string>{"EMB 29151"});
    CHECK(values(run("packager_code", "fr 29.232.015 ce")) == std::vector<std::string>{"FR 29.232.015 EC"});
    CHECK(values(run("packager_code", "FR 2B-050-001 EC")) == std::vector<std::string>{"FR 2B.050.001 EC"});
    CHECK(values(run("packager_code", "de by-4471 eg")) == std::vector<std::string>{"DE BY-4471 EC"});
    CHECK(values(run("packager_code", "FSC® C104573")) == std::vector<std::string>{"FSC-C104573"});
    CHECK(values(run("packager_code", "FSC C1045731")) == std::vector<std::string>{"FSC-C104573"});
    CHECK(values(run("packager_code", "RSPO-1234567 x")) == std::vector<std::string>{"RSPO-1234567"});
    CHECK(values(run("packager_code", "FR-012-345")) == std::vector<std::string>{"FR-012-345"});
}

TEST_CASE("packager_code: negatives and data", "[unit]") {
    CHECK(run("packager_code", "RSPO-50685022").empty());    // 8 digits: followed by a digit
    CHECK(run("packager_code", "xRSPO-1234567").empty());    // preceded by a word character
    CHECK(run("packager_code", "EMB 2915").empty());         // four digits
    CHECK(run("packager_code", "FR 29.232.015 CEX").empty());  // followed by a letter
    CHECK(run("packager_code", "rspo-1234567").empty());     // case-sensitive
    CHECK(run("packager_code", "DE XX-4471 EC").empty());    // not a state code
    const auto ps = run("packager_code", "Lot: EMB 72181B.");
    REQUIRE(ps.size() == 1);
    const auto d = data(ps[0]);
    CHECK(str(d, "raw") == "EMB 72181B");
    CHECK(str(d, "type") == "fr_emb");
    CHECK(ps[0].predictor == "regex");
    CHECK(ps[0].automatic_processing == true);
    CHECK_FALSE(d.HasMember("bounding_box_absolute"));
}

TEST_CASE("packager_code: fishing codes from the keyword list", "[unit]") {
    const auto ps = run("packager_code", "Pêché par aiec-mc1001, merci");
    REQUIRE(ps.size() == 1);
    CHECK(ps[0].value == "AIEC-MC1001");
    CHECK(ps[0].predictor == "flashtext");
    CHECK(str(data(ps[0]), "type") == "fishing");
    CHECK(str(data(ps[0]), "raw") == "aiec-mc1001");
    CHECK(run("packager_code", "AIEC-MC1001X").empty());
}

TEST_CASE("packager_code: order of appearance across formats", "[unit]") {
    const auto ps = run("packager_code", "FSC C123456 puis EMB 72181");
    CHECK(values(ps) == std::vector<std::string>{"FSC-C123456", "EMB 72181"});
}

TEST_CASE("expiration_date: spec examples and window", "[unit]") {
    CHECK(values(run("expiration_date", "A consommer avant le 14.03.27")) == std::vector<std::string>{"2027-03-14"});
    CHECK(run("expiration_date", "31/04/2026").empty());
    CHECK(values(run("expiration_date", "LOT 05-11-2031 14:02")) == std::vector<std::string>{"2031-11-05"});
    CHECK(run("expiration_date", "01/01/2041").empty());
    CHECK(run("expiration_date", "01/01/2022").empty());  // before today.year - 2
    CHECK(values(run("expiration_date", "01/01/2023")) == std::vector<std::string>{"2023-01-01"});
    CHECK(run("expiration_date", "114.03.27").empty());  // preceded by a digit
    CHECK(run("expiration_date", "14.03.277").empty());  // 3-digit year
    CHECK(values(run("expiration_date", "29/02/2028 29/02/2027")) == std::vector<std::string>{"2028-02-29"});
    const auto ps = run("expiration_date", "DLC 14/03-2027");
    REQUIRE(ps.size() == 1);
    const auto d = data(ps[0]);
    CHECK(str(d, "raw") == "14/03-2027");
    CHECK(str(d, "type") == "full_digits_long");
    CHECK(ps[0].automatic_processing == true);
    CHECK(str(data(run("expiration_date", "14.03.27")[0]), "type") == "full_digits_short");
    // --today moves the window (reference vector: "06.07.19" with today in 2019).
    robotoff::extract::options o;
    o.today = robotoff::extract::date{2019, 6, 1};
    CHECK(values(run("expiration_date", "mindestens haltbar bis 06.07.19", o)) ==
          std::vector<std::string>{"2019-07-06"});
    CHECK(values(run("expiration_date", "03/09/2024", o)) == std::vector<std::string>{"2024-09-03"});
    // Two-digit years 69..99 are 19xx.
    o.today = robotoff::extract::date{1999, 1, 1};
    CHECK(values(run("expiration_date", "01.01.69", o)).empty());  // 1969 is outside [1997, 2009]
    CHECK(values(run("expiration_date", "01.01.98", o)) == std::vector<std::string>{"1998-01-01"});
}

TEST_CASE("product_weight: spec examples", "[unit]") {
    auto ps = run("product_weight", "Masse nette : 425g");
    REQUIRE(ps.size() == 1);
    CHECK(ps[0].value == "425 g");
    auto d = data(ps[0]);
    CHECK(str(d, "matcher_type") == "with_mention");
    CHECK(str(d, "prompt") == "Masse nette");
    CHECK(str(d, "raw") == "Masse nette : 425g");
    CHECK(d["normalized_value"].IsInt64());
    CHECK(d["normalized_value"].GetInt64() == 425);
    CHECK(str(d, "normalized_unit") == "g");
    CHECK(d["priority"].GetInt() == 1);
    CHECK(d["automatic_processing"].GetBool());
    CHECK(ps[0].automatic_processing == true);

    ps = run("product_weight", "6 x 33cl");
    REQUIRE(ps.size() == 1);
    CHECK(ps[0].value == "6 x 33 cl");
    d = data(ps[0]);
    CHECK(str(d, "matcher_type") == "multi_packaging");
    CHECK(d["normalized_value"].GetInt64() == 330);
    CHECK(str(d, "normalized_unit") == "ml");
    CHECK(str(d, "count") == "6");
    CHECK(d["priority"].GetInt() == 2);
    CHECK(ps[0].automatic_processing == true);

    CHECK(run("product_weight", "Poids net : 1,5 kg").empty());

    ps = run("product_weight", "2 kg net");
    REQUIRE(ps.size() == 1);
    CHECK(ps[0].value == "2 kg");
    d = data(ps[0]);
    CHECK(str(d, "matcher_type") == "with_ending_mention");
    CHECK(d["normalized_value"].GetInt64() == 2000);
    CHECK(str(d, "prompt") == "net");

    ps = run("product_weight", "1250ge");
    REQUIRE(ps.size() == 1);
    CHECK(ps[0].value == "1250 g");
    CHECK(str(data(ps[0]), "matcher_type") == "no_mention");
    CHECK(ps[0].automatic_processing == false);

    ps = run("product_weight", "poids net 1755 g");
    REQUIRE(ps.size() == 1);
    CHECK(ps[0].value == "1755 g");
    CHECK(ps[0].automatic_processing == false);  // suspicious

    ps = run("product_weight", "Net wt. 12 oz");
    REQUIRE(ps.size() == 1);
    CHECK(ps[0].value == "12 oz");
    d = data(ps[0]);
    CHECK(d["normalized_value"].IsDouble());
    CHECK(d["normalized_value"].GetDouble() == Approx(340.19427));
    CHECK(str(d, "prompt") == "Net wt.");
}

TEST_CASE("product_weight: negatives, validity and extremes", "[unit]") {
    CHECK(run("product_weight", "poids 2kgv").empty());
    CHECK(run("product_weight", "qpoids 2kgv").empty());
    CHECK(run("product_weight", "poids 0225 g").empty());     // leading zero without separator
    CHECK(run("product_weight", "poids net 12.5 g").empty());  // not whole
    CHECK(run("product_weight", "poids net 10 g").empty());    // <= 10
    CHECK(run("product_weight", "poids net 10 kg").empty());   // >= 10000 g
    CHECK(run("product_weight", "21 x 50 g").empty());         // count > 20
    CHECK(run("product_weight", "760094310634\nGE PAPIER\n").empty());
    CHECK(run("product_weight", "250 g").empty());  // no mention, not an OCR-artefact unit
    auto ps = run("product_weight", "poids net: 250. g");
    REQUIRE(ps.size() == 1);
    CHECK(ps[0].value == "250 g");
    ps = run("product_weight", "poids net 2,0 kg");
    REQUIRE(ps.size() == 1);
    CHECK(ps[0].value == "2,0 kg");
    CHECK(data(ps[0])["normalized_value"].GetInt64() == 2000);
    ps = run("product_weight", "250g net weight");
    REQUIRE(ps.size() == 1);
    CHECK(ps[0].value == "250 g");
    ps = run("product_weight", "net wt. 15 fl oz");
    REQUIRE(ps.size() == 1);
    CHECK(ps[0].value == "15 fl oz");
    CHECK(data(ps[0])["normalized_value"].GetInt64() == 450);
    CHECK(str(data(ps[0]), "normalized_unit") == "ml");
}

TEST_CASE("product_weight: unit normalization (weight_unit vectors)", "[unit]") {
    using robotoff::extract::normalize_weight;
    CHECK(normalize_weight(2, "l")->first == Approx(2000));
    CHECK(normalize_weight(2, "l")->second == "ml");
    CHECK(normalize_weight(1549.45, "dl")->first == Approx(154945));
    CHECK(normalize_weight(20, "ml")->first == Approx(20));
    CHECK(normalize_weight(25, "g")->second == "g");
    CHECK(normalize_weight(1, "oz")->first == Approx(28.349523125));
    CHECK(normalize_weight(1, "lbs")->first == Approx(453.59237));
    CHECK(normalize_weight(500, "mg")->first == Approx(0.5));
    CHECK_FALSE(normalize_weight(1, "cup"));
}
