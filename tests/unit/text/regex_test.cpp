#include "robotoff/text/normalize.hpp"
#include "robotoff/text/regex.hpp"

#include <catch2/catch.hpp>

using robotoff::text::regex;
using robotoff::text::regex_error;
using robotoff::text::to_u32;

TEST_CASE("regex: offsets are code points", "[unit]") {
    const regex re("crème");
    const auto t = to_u32("Une crème brûlée, crème");
    auto all = re.find_all(t);
    REQUIRE(all.size() == 2);
    CHECK(all[0].start == 4);
    CHECK(all[0].end == 9);
    CHECK(all[1].start == 18);
}

TEST_CASE("regex: caseless is Unicode case folding; \\w and \\s are Unicode", "[unit]") {
    const regex ci("énergie", regex::caseless);
    CHECK(ci.search(to_u32("ÉNERGIE 12 kJ")));
    const regex cs("énergie");
    CHECK_FALSE(cs.search(to_u32("ÉNERGIE")));
    const regex word(R"((?<!\w)sel(?!\w))");
    CHECK_FALSE(word.search(to_u32("éselé")));
    CHECK(word.search(to_u32("(sel)")));
    const regex space(R"(a\sb)");
    CHECK(space.search(to_u32("a\u00A0b")));
    CHECK(space.search(to_u32("a\nb")));
}

TEST_CASE("regex: look-behind, groups, marks", "[unit]") {
    const regex re(R"((?<![0-9])([0-9]{2})/([0-9]{2})(?:x(*MARK:withx))?)");
    const auto t = to_u32("a 12/34x 512/34");
    auto all = re.find_all(t);
    REQUIRE(all.size() == 1);
    CHECK(all[0].group(t, 1) == U"12");
    CHECK(all[0].group(t, 2) == U"34");
    CHECK(all[0].mark == U"withx");
    CHECK_FALSE(all[0].has_group(3));
}

TEST_CASE("regex: search from an offset sees the text before it; match_at is anchored", "[unit]") {
    const regex re(R"((?<!-)ab)");
    const auto t = to_u32("-ab ab");
    auto m = re.search(t, 1);
    REQUIRE(m);
    CHECK(m->start == 4);
    CHECK_FALSE(re.match_at(t, 3));
    CHECK(re.match_at(t, 4));
}

TEST_CASE("regex: empty matches advance; invalid patterns throw with the pattern", "[unit]") {
    const regex empty("x*");
    CHECK(empty.find_all(to_u32("ab")).size() == 3);
    CHECK(empty.find_all(std::u32string_view()).size() == 1);
    REQUIRE_THROWS_AS(regex("(unclosed"), regex_error);
    try {
        regex bad("a(b");
    } catch (const regex_error& e) {
        CHECK(std::string(e.what()).find("a(b") != std::string::npos);
    }
}
