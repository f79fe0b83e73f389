#include "robotoff/core/json.hpp"
#include "robotoff/text/keyword_matcher.hpp"
#include "robotoff/text/normalize.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <string>
#include <vector>

using robotoff::text::keyword_matcher;
using robotoff::text::to_u32;

namespace {

struct found {
    std::uint32_t payload;
    std::size_t start;
    std::size_t end;
};

std::vector<found> run(const std::vector<std::string>& keywords, const std::string& text,
                       keyword_matcher::boundary b = keyword_matcher::boundary::ascii) {
    keyword_matcher m(b);
    for (std::size_t i = 0; i < keywords.size(); ++i) {
        m.add(std::string_view(keywords[i]), static_cast<std::uint32_t>(i));
    }
    m.freeze();
    std::vector<found> out;
    for (const auto& k : m.find(to_u32(text))) {
        out.push_back({k.payload, k.start, k.end});
    }
    return out;
}

}  // namespace

TEST_CASE("keyword matcher: spec §3.2 examples", "[unit]") {
    const std::vector<std::string> kw = {"sans gluten", "gluten"};
    auto r = run(kw, "Pain sans gluten.");
    REQUIRE(r.size() == 1);
    CHECK(r[0].payload == 0);
    CHECK(r[0].start == 5);
    CHECK(r[0].end == 16);
    CHECK(run(kw, "sansgluten").empty());
    CHECK(run(kw, "glutenfrei").empty());
    r = run(kw, "(gluten)");
    REQUIRE(r.size() == 1);
    CHECK(r[0].payload == 1);
    CHECK(r[0].start == 1);
    CHECK(r[0].end == 7);
}

TEST_CASE("keyword matcher: accented letters are boundaries, digits and _ are not", "[unit]") {
    // 'é' is not an ASCII word character, so "gluten" right after it starts a word.
    auto r = run({"gluten"}, "églutené");
    REQUIRE(r.size() == 1);
    CHECK(r[0].start == 1);
    CHECK(r[0].end == 7);
    CHECK(run({"gluten"}, "2gluten").empty());
    CHECK(run({"gluten"}, "gluten_free").empty());
    // Unicode boundary mode (packaging): accented letters are word characters.
    CHECK(run({"gluten"}, "églutené", keyword_matcher::boundary::unicode).empty());
}

TEST_CASE("keyword matcher: case-insensitive, longest match, non-overlapping, last payload wins", "[unit]") {
    auto r = run({"computer game", "computer game development", "game"}, "COMPUTER GAME DEVELOPMENT game");
    REQUIRE(r.size() == 2);
    CHECK(r[0].payload == 1);
    CHECK(r[1].payload == 2);
    CHECK(r[1].start == 26);
    keyword_matcher m;
    m.add(std::string_view("bio"), 1);
    m.add(std::string_view("BIO"), 7);
    m.freeze();
    CHECK(m.size() == 1);
    auto k = m.find(to_u32("label bio"));
    REQUIRE(k.size() == 1);
    CHECK(k[0].payload == 7);
}

TEST_CASE("keyword matcher: 'İ' expands when lower-cased and spans map back", "[unit]") {
    // Vector flashtext test_extract_keywords_case_insensitive_with_string_length_change.
    auto r = run({"İngredients", "nutriments", "PROTEİNS"},
                 "Word İngredients LTD İmages nutriments i̇ngredients PROTEİNS");
    REQUIRE(r.size() == 4);
    CHECK((r[0].payload == 0 && r[0].start == 5 && r[0].end == 16));
    CHECK((r[1].payload == 1 && r[1].start == 28 && r[1].end == 38));
    CHECK((r[2].payload == 0 && r[2].start == 39 && r[2].end == 51));
    CHECK((r[3].payload == 2 && r[3].start == 52 && r[3].end == 60));
}

TEST_CASE("keyword matcher: find_first and longest_at", "[unit]") {
    keyword_matcher m;
    m.add(std::string_view("fumer tue"), 0);
    m.add(std::string_view("tue"), 1);
    m.freeze();
    const auto lowered = robotoff::text::lower_for_matching(to_u32("x tue; fumer tue"));
    auto first = m.find_first(lowered);
    REQUIRE(first);
    CHECK(first->payload == 1);
    CHECK(first->start == 2);
    auto at = m.longest_at(lowered.text, 7);
    REQUIRE(at);
    CHECK(at->payload == 0);
    CHECK(at->end == 16);
    CHECK_FALSE(m.longest_at(lowered.text, 8));
}

TEST_CASE("keyword matcher: empty text and empty matcher", "[unit]") {
    CHECK(run({"a"}, "").empty());
    CHECK(run({}, "anything").empty());
}

// Every case-insensitive extraction case of the flashtext suite in the reference vectors.
TEST_CASE("keyword matcher: reference vectors (flashtext suite)", "[unit]") {
    std::ifstream in(ROBOTOFF_SHARED_DIR "/vectors/cases.jsonl");
    REQUIRE(in.good());
    std::string line;
    int ran = 0;
    while (std::getline(in, line)) {
        auto doc = robotoff::core::parse_json(line);
        if (std::string(doc["suite"].GetString()) != "flashtext") {
            continue;
        }
        const auto& input = doc["input"];
        if (!input.IsObject() || !input.HasMember("keyword_dict") || !input.HasMember("sentence") ||
            input.HasMember("remove_keyword_dict") || !input.HasMember("case_sensitive") ||
            input["case_sensitive"].GetBool()) {
            continue;
        }
        keyword_matcher m;
        std::vector<std::string> names;
        for (const auto& entry : input["keyword_dict"].GetObject()) {
            for (const auto& kw : entry.value.GetArray()) {
                m.add(std::string_view(kw.GetString()), static_cast<std::uint32_t>(names.size()));
                names.emplace_back(entry.name.GetString());
            }
        }
        m.freeze();
        std::vector<std::string> got;
        for (const auto& k : m.find(to_u32(input["sentence"].GetString()))) {
            got.push_back(names[k.payload]);
        }
        std::vector<std::string> expected;
        for (const auto& e : doc["expected"].GetArray()) {
            expected.emplace_back(e.GetString());
        }
        INFO("sentence: " << input["sentence"].GetString());
        CHECK(got == expected);
        ++ran;
    }
    CHECK(ran >= 40);
}
