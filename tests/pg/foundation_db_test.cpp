// Migrations and the connection pool against a real PostgreSQL server.
#include "robotoff/db/migrations.hpp"
#include "robotoff/db/pool.hpp"
#include "support/test_support.hpp"

#include <catch2/catch.hpp>

#include <future>

using namespace robotoff;
using robotoff::testing::temp_database;

TEST_CASE("migrate creates every table on a fresh database and a re-run is a no-op", "[pg][migrations]") {
    temp_database tdb(false);
    auto conn = tdb.connect();
    CHECK(db::applied_version(*conn) == 0);
    const auto applied = db::migrate(*conn);
    CHECK(applied.size() == db::embedded_migrations().size());
    CHECK(db::applied_version(*conn) == db::latest_version());
    for (const char* table : {"product", "prediction", "product_insight", "annotation_vote", "image", "job",
                              "schema_migrations"}) {
        const auto r = conn->exec("SELECT to_regclass($1) IS NOT NULL", {std::string("public.") + table});
        INFO(table);
        CHECK(r.get_bool(0, 0));
    }
    CHECK(db::migrate(*conn).empty());
    const auto count = conn->exec("SELECT count(*) FROM schema_migrations");
    CHECK(count.get_int(0, 0) == static_cast<long long>(db::embedded_migrations().size()));
}

TEST_CASE("two concurrent migrate runs apply each migration once", "[pg][migrations]") {
    temp_database tdb(false);
    auto run = [&] {
        auto conn = tdb.connect();
        return db::migrate(*conn).size();
    };
    auto a = std::async(std::launch::async, run);
    auto b = std::async(std::launch::async, run);
    const auto total = a.get() + b.get();
    CHECK(total == db::embedded_migrations().size());
    auto conn = tdb.connect();
    CHECK(db::applied_version(*conn) == db::latest_version());
}

TEST_CASE("parameters travel as parameters and errors carry the SQLSTATE", "[pg][connection]") {
    temp_database tdb;
    auto conn = tdb.connect();
    const std::string hostile = "x'); DROP TABLE product; --";
    auto r = conn->exec("SELECT $1::text, $2::int, $3::bool, $4::text IS NULL", {hostile, 42, true, std::nullopt});
    CHECK(r.get_string(0, 0) == hostile);
    CHECK(r.get_int(0, 1) == 42);
    CHECK(r.get_bool(0, 2));
    CHECK(r.get_bool(0, 3));
    try {
        conn->exec("SELECT * FROM no_such_table");
        FAIL("expected an error");
    } catch (const db::db_error& e) {
        CHECK(e.sqlstate() == "42P01");
    }
    conn->exec("INSERT INTO product (barcode, source) VALUES ($1, 'api')", {"123"});
    try {
        conn->exec("INSERT INTO product (barcode, source) VALUES ($1, 'api')", {"123"});
        FAIL("expected a unique violation");
    } catch (const db::db_error& e) {
        CHECK(e.sqlstate() == "23505");
    }
}

TEST_CASE("an exhausted pool raises pool_exhausted at the deadline", "[pg][pool]") {
    temp_database tdb;
    db::pool_settings settings;
    settings.url = tdb.url();
    settings.size = 2;
    db::pool pool(settings);
    auto a = pool.acquire();
    auto b = pool.acquire();
    CHECK(pool.stats().in_use == 2);
    const auto start = std::chrono::steady_clock::now();
    CHECK_THROWS_AS(pool.acquire(start + std::chrono::milliseconds(200)), db::pool_exhausted);
    CHECK(std::chrono::steady_clock::now() - start >= std::chrono::milliseconds(200));
}

TEST_CASE("a returned lease frees its connection for a waiter", "[pg][pool]") {
    temp_database tdb;
    db::pool_settings settings;
    settings.url = tdb.url();
    settings.size = 1;
    db::pool pool(settings);
    auto waiter = std::async(std::launch::async, [&] {
        auto held = pool.acquire();
        std::this_thread::sleep_for(std::chrono::milliseconds(100));  // hold it while the main thread waits
        return 1;
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    auto lease = pool.acquire(std::chrono::steady_clock::now() + std::chrono::seconds(5));
    CHECK(lease->exec("SELECT 1").get_int(0, 0) == 1);
    CHECK(waiter.get() == 1);
}

TEST_CASE("a broken connection is discarded and replaced", "[pg][pool]") {
    temp_database tdb;
    db::pool_settings settings;
    settings.url = tdb.url();
    settings.size = 1;
    db::pool pool(settings);
    long long first_pid = 0;
    {
        auto lease = pool.acquire();
        first_pid = lease->exec("SELECT pg_backend_pid()").get_int(0, 0);
        auto admin = tdb.connect();
        admin->exec("SELECT pg_terminate_backend($1)", {first_pid});
        CHECK_THROWS_AS(lease->exec("SELECT 1"), db::unavailable);
        CHECK(lease->broken());
    }
    auto lease = pool.acquire();
    const auto second_pid = lease->exec("SELECT pg_backend_pid()").get_int(0, 0);
    CHECK(second_pid != first_pid);
}

TEST_CASE("a connection left inside a transaction is not reused", "[pg][pool]") {
    temp_database tdb;
    db::pool_settings settings;
    settings.url = tdb.url();
    settings.size = 1;
    db::pool pool(settings);
    long long first_pid = 0;
    {
        auto lease = pool.acquire();
        first_pid = lease->exec("SELECT pg_backend_pid()").get_int(0, 0);
        lease->exec("BEGIN");
    }
    auto lease = pool.acquire();
    CHECK_FALSE(lease->in_transaction());
    CHECK(lease->exec("SELECT pg_backend_pid()").get_int(0, 0) != first_pid);
}

TEST_CASE("an unreachable database is a typed error", "[pg][pool]") {
    db::pool_settings settings;
    settings.url = "postgresql://postgres@127.0.0.1:1/nothing";
    settings.connect_timeout_s = 2;
    db::pool pool(settings);
    CHECK_THROWS_AS(pool.acquire(), db::unavailable);
    CHECK(pool.stats().in_use == 0);
}
