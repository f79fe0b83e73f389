#include "robotoff/core/errors.hpp"
#include "robotoff/intake/redis.hpp"
#include "robotoff/intake/replay.hpp"

#include <catch2/catch.hpp>

using namespace robotoff;

TEST_CASE("redis.url forms", "[unit]") {
    auto a = intake::parse_redis_url("redis://10.1.2.3:6380/2");
    CHECK(a.host == "10.1.2.3");
    CHECK(a.port == 6380);
    CHECK(a.db == 2);
    auto b = intake::parse_redis_url("redis://user:p%40ss:word@redis.internal");
    CHECK(b.user == "user");
    CHECK(b.password == "p%40ss:word");
    CHECK(b.host == "redis.internal");
    CHECK(b.port == 6379);
    CHECK(b.display() == "redis.internal:6379/0");  // no credentials in logs
    auto c = intake::parse_redis_url("redis://[::1]:7000");
    CHECK(c.host == "::1");
    CHECK(c.port == 7000);
    CHECK_THROWS_AS(intake::parse_redis_url("http://x"), core::usage_error);
    CHECK_THROWS_AS(intake::parse_redis_url("rediss://x"), core::usage_error);
    CHECK_THROWS_AS(intake::parse_redis_url("redis://x:99999"), core::usage_error);
    CHECK_THROWS_AS(intake::parse_redis_url("redis://:5/"), core::usage_error);
}

TEST_CASE("replay bounds: entry ids and ISO times", "[unit]") {
    CHECK(intake::range_bound("1718822400123-0") == "1718822400123-0");
    CHECK(intake::range_bound("1718822400123") == "1718822400123");
    CHECK(intake::range_bound("2024-06-19T18:40:00Z") == "1718822400000-0");
    CHECK(intake::range_bound("2024-06-19T18:40:00.123") == "1718822400123-0");
    CHECK(intake::range_bound("2024-06-19") == "1718755200000-0");
    CHECK_THROWS_AS(intake::range_bound("yesterday"), core::usage_error);
    CHECK_THROWS_AS(intake::range_bound("2024-13-01"), core::usage_error);
}
