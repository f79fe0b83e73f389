#include "robotoff/core/file_io.hpp"

#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <unistd.h>

using namespace robotoff::core;

namespace {

std::string temp_path() {
    char path[] = "/tmp/robotoffd-io-XXXXXX";
    const int fd = mkstemp(path);
    close(fd);
    return path;
}

}  // namespace

TEST_CASE("gzip round trip and detection", "[unit][file_io]") {
    const std::string text = "line one\nline two\n";
    const auto gz = gzip_compress(text);
    CHECK(looks_gzipped(gz));
    CHECK(gzip_decompress(gz, text.size()) == text);
    CHECK_THROWS_AS(gzip_decompress(gz.substr(0, gz.size() / 2), text.size()), io_error);
    // One byte under the inflated size: refused before the whole output is kept.
    CHECK_THROWS_AS(gzip_decompress(gz, text.size() - 1), inflate_limit_error);
    const std::string bomb = gzip_compress(std::string(std::size_t{64} << 20, 'a'));
    CHECK(bomb.size() < 200000);
    CHECK_THROWS_AS(gzip_decompress(bomb, std::size_t{1} << 20), inflate_limit_error);
}

TEST_CASE("line_reader streams plain and gzip files and reports truncation", "[unit][file_io]") {
    std::string content;
    for (int i = 0; i < 20000; ++i) {
        content += "{\"code\":\"" + std::to_string(i) + "\"}\n";
    }
    const auto plain = temp_path();
    write_file_atomic(plain, content);
    const auto gz = temp_path();
    const auto compressed = gzip_compress(content);
    write_file_atomic(gz, compressed);

    for (const auto& path : {plain, gz}) {
        line_reader reader(path);
        std::string line;
        std::uint64_t n = 0;
        while (reader.next(line)) {
            ++n;
        }
        CHECK(n == 20000);
        CHECK(line.empty());
        CHECK(read_file(path) == content);
    }

    const auto truncated = temp_path();
    write_file_atomic(truncated, compressed.substr(0, compressed.size() - 200));
    line_reader reader(truncated);
    std::string line;
    std::uint64_t n = 0;
    REQUIRE_THROWS_WITH(
        [&] {
            while (reader.next(line)) {
                ++n;
            }
        }(),
        Catch::Contains("after line"));
    CHECK(n > 0);
    CHECK(n < 20000);
    for (const auto& p : {plain, gz, truncated}) {
        std::remove(p.c_str());
    }
}

TEST_CASE("read_file names the missing file", "[unit][file_io]") {
    REQUIRE_THROWS_WITH(read_file("/nonexistent/x.json"), Catch::Contains("/nonexistent/x.json"));
}
