#include "robotoff/api/url_cache.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <stdexcept>
#include <unistd.h>

using namespace robotoff;

TEST_CASE("the URL cache serves a fresh copy and refetches a stale one", "[unit][url_cache]") {
    char pattern[] = "/tmp/robotoffd-urlcache-XXXXXX";
    REQUIRE(::mkdtemp(pattern) != nullptr);
    const std::string dir = std::string(pattern) + "/images";  // created on first write
    int calls = 0;
    api::url_fetcher inner = [&calls](const std::string& url, std::chrono::steady_clock::time_point) {
        ++calls;
        return "bytes of " + url + " #" + std::to_string(calls);
    };
    auto cached = api::cached_fetcher(inner, dir, std::chrono::hours(24));
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    CHECK(cached("https://images.example/a.jpg", deadline) == "bytes of https://images.example/a.jpg #1");
    CHECK(cached("https://images.example/a.jpg", deadline) == "bytes of https://images.example/a.jpg #1");
    CHECK(calls == 1);
    CHECK(cached("https://images.example/b.jpg", deadline) == "bytes of https://images.example/b.jpg #2");
    CHECK(calls == 2);

    // Age every entry past 24 h: the next call downloads again.
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        std::filesystem::last_write_time(entry.path(),
                                         std::filesystem::file_time_type::clock::now() - std::chrono::hours(25));
    }
    CHECK(cached("https://images.example/a.jpg", deadline) == "bytes of https://images.example/a.jpg #3");
    CHECK(calls == 3);

    // A failed download is not cached and reaches the caller.
    api::url_fetcher failing = [](const std::string&, std::chrono::steady_clock::time_point) -> std::string {
        throw std::runtime_error("HTTP 404");
    };
    auto cached_failing = api::cached_fetcher(failing, dir, std::chrono::hours(24));
    CHECK_THROWS_WITH(cached_failing("https://images.example/missing.jpg", deadline), "HTTP 404");
    std::filesystem::remove_all(pattern);
}
