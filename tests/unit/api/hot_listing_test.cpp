// hot_listing: picking and paging a shared pool without the caller's votes, and when the pool can tell the
// capped count.
#include "robotoff/api/hot_listing.hpp"

#include <catch2/catch.hpp>

#include <map>
#include <set>

namespace hl = robotoff::api::hot_listing;

namespace {

struct row {
    std::string id;
    int n_votes = 0;
};

hl::pool<row> pool_of(int n, long long matches) {
    hl::pool<row> p;
    for (int i = 0; i < n; ++i) {
        p.rows.push_back({"r" + std::to_string(i), 0});
    }
    p.matches = matches;
    return p;
}

std::vector<std::string> ids(const std::vector<row>& rows) {
    std::vector<std::string> out;
    for (const auto& r : rows) {
        out.push_back(r.id);
    }
    return out;
}

}  // namespace

TEST_CASE("pick_random: count distinct rows, never a voted one", "[unit]") {
    auto p = pool_of(10, 10);
    hl::voted_ids voted = {"r0", "r1", "r2"};
    for (int run = 0; run < 50; ++run) {
        auto picked = hl::pick_random(p, voted, 5);
        REQUIRE(picked.size() == 5);
        std::set<std::string> distinct;
        for (const auto& r : picked) {
            CHECK_FALSE(voted.contains(r.id));
            distinct.insert(r.id);
        }
        CHECK(distinct.size() == 5);
    }
    CHECK(hl::pick_random(p, voted, 100).size() == 7);
}

TEST_CASE("pick_random is random and favours rows with votes", "[unit]") {
    auto p = pool_of(20, 20);
    p.rows[0].n_votes = 9;  // sort key random() x 10 against random() x 1
    std::map<std::string, int> first;
    for (int run = 0; run < 2000; ++run) {
        first[hl::pick_random(p, {}, 1).front().id]++;
    }
    CHECK(first["r0"] > 600);  // ~0.5 of the draws (vs 0.05 without votes)
    CHECK(first.size() > 10);  // and others come up too
}

TEST_CASE("page_of skips voted rows and knows when the pool is too short", "[unit]") {
    auto p = pool_of(10, 1000);  // more matches than rows
    std::vector<row> page;
    REQUIRE(hl::page_of(p, {"r1"}, 2, 3, page));
    CHECK(ids(page) == std::vector<std::string>{"r3", "r4", "r5"});
    page.clear();
    CHECK_FALSE(hl::page_of(p, {}, 8, 5, page));  // rows 8..12: past the pool
    auto all = pool_of(10, 10);
    page.clear();
    REQUIRE(hl::page_of(all, {}, 8, 5, page));  // every match is there: a short last page
    CHECK(ids(page) == std::vector<std::string>{"r8", "r9"});
}

TEST_CASE("capped_count: exact when the pool is complete, 100 when votes cannot matter", "[unit]") {
    long long count = -1;
    REQUIRE(hl::capped_count(pool_of(10, 10), {"r1", "r2", "elsewhere"}, count));
    CHECK(count == 8);
    REQUIRE(hl::capped_count(pool_of(300, hl::match_count_cap), {"a", "b"}, count));
    CHECK(count == 100);
    hl::voted_ids many;
    for (int i = 0; i < 60; ++i) {
        many.insert("x" + std::to_string(i));
    }
    CHECK_FALSE(hl::capped_count(pool_of(100, 150), many, count));  // 150 matches, 60 votes: ask the database
}

TEST_CASE("key_builder: values cannot imitate each other", "[unit]") {
    auto a = hl::key_builder().text("ab").text("c").str();
    auto b = hl::key_builder().text("a").text("bc").str();
    CHECK(a != b);
    CHECK(hl::key_builder().optional(std::nullopt).str() != hl::key_builder().optional(std::string("-")).str());
    CHECK(hl::key_builder().list({"a", "b"}).str() != hl::key_builder().list({"a,b"}).str());
}
