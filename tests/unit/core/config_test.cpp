#include "robotoff/core/config.hpp"
#include "robotoff/core/errors.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <unistd.h>

using namespace robotoff::core;

namespace {

std::string write_temp(const std::string& content) {
    char path[] = "/tmp/robotoffd-config-XXXXXX";
    const int fd = mkstemp(path);
    REQUIRE(fd >= 0);
    close(fd);
    std::ofstream(path) << content;
    return path;
}

struct env_guard {
    std::string name;
    env_guard(std::string n, const char* value) : name(std::move(n)) { setenv(name.c_str(), value, 1); }
    ~env_guard() { unsetenv(name.c_str()); }
};

}  // namespace

TEST_CASE("defaults apply when the default file is missing", "[unit][config]") {
    config_sources sources;
    sources.file_path = std::nullopt;  // default path: /etc/robotoffd/robotoffd.conf is absent here
    sources.use_environment = false;
    const auto cfg = config::load(sources);
    CHECK(cfg.get_string("http.listen") == "127.0.0.1:5500");
    CHECK(cfg.get_int("database.pool_size") == 16);
    CHECK(cfg.get_bool("insights.product_check"));
    CHECK(cfg.origin("database.pool_size") == "default");
    CHECK(cfg.tld() == "org");
}

TEST_CASE("precedence is flag > environment > file > default", "[unit][config]") {
    const auto path = write_temp("instance = dev\n[database]\npool_size = 7\nstatement_timeout_ms = 100\n"
                                 "[http]\nthreads = 3\n");
    env_guard env("ROBOTOFF_DATABASE_POOL_SIZE", "9");
    config_sources sources;
    sources.file_path = path;
    sources.flags["http.threads"] = "5";
    const auto cfg = config::load(sources);
    CHECK(cfg.get_int("database.pool_size") == 9);               // env beats file
    CHECK(cfg.origin("database.pool_size") == "env");
    CHECK(cfg.get_int("database.statement_timeout_ms") == 100);  // file beats default
    CHECK(cfg.get_int("http.threads") == 5);                     // flag beats file
    CHECK(cfg.origin("http.threads") == "flag");
    CHECK(cfg.tld() == "net");
    CHECK(cfg.source_path() == path);
    std::remove(path.c_str());
}

TEST_CASE("environment variable names follow ROBOTOFF_SECTION_KEY", "[unit][config]") {
    CHECK(env_name("database.url") == "ROBOTOFF_DATABASE_URL");
    CHECK(env_name("http.listen") == "ROBOTOFF_HTTP_LISTEN");
    CHECK(env_name("data.dir") == "ROBOTOFF_DATA_DIR");
    env_guard env("ROBOTOFF_DATA_DIR", "/srv/data");
    config_sources sources;
    sources.file_path = std::nullopt;
    CHECK(config::load(sources).get_string("data.dir") == "/srv/data");
}

TEST_CASE("unknown keys and bad values are usage errors naming the key", "[unit][config]") {
    config_sources sources;
    sources.use_environment = false;

    SECTION("unknown key in the file") {
        const auto path = write_temp("[database]\npool_sise = 3\n");
        sources.file_path = path;
        REQUIRE_THROWS_WITH(config::load(sources), Catch::Contains("unknown setting 'database.pool_sise'"));
    }
    SECTION("unknown flag") {
        sources.file_path = std::nullopt;
        sources.flags["http.nope"] = "1";
        REQUIRE_THROWS_AS(config::load(sources), usage_error);
    }
    SECTION("out of range") {
        sources.file_path = std::nullopt;
        sources.flags["database.pool_size"] = "0";
        REQUIRE_THROWS_WITH(config::load(sources), Catch::Contains("database.pool_size") && Catch::Contains("between 1"));
    }
    SECTION("not an integer") {
        sources.file_path = std::nullopt;
        sources.flags["http.threads"] = "two";
        REQUIRE_THROWS_WITH(config::load(sources), Catch::Contains("expected an integer"));
    }
    SECTION("bad boolean") {
        sources.file_path = std::nullopt;
        sources.flags["insights.product_check"] = "maybe";
        REQUIRE_THROWS_AS(config::load(sources), usage_error);
    }
    SECTION("missing explicit file") {
        sources.file_path = "/nonexistent/robotoffd.conf";
        REQUIRE_THROWS_WITH(config::load(sources), Catch::Contains("cannot read config file"));
    }
    SECTION("malformed line") {
        const auto path = write_temp("[http]\nthreads\n");
        sources.file_path = path;
        REQUIRE_THROWS_WITH(config::load(sources), Catch::Contains(":2: expected 'key = value'"));
    }
}

TEST_CASE("etc/robotoffd.conf lists every setting at its default", "[unit][config]") {
    std::ifstream in(std::string(ROBOTOFF_SOURCE_DIR) + "/etc/robotoffd.conf");
    REQUIRE(in);
    const std::string file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    CHECK(file == render_default_config());
    // And loading it gives the defaults.
    config_sources sources;
    sources.file_path = std::string(ROBOTOFF_SOURCE_DIR) + "/etc/robotoffd.conf";
    sources.use_environment = false;
    const auto cfg = config::load(sources);
    for (const auto& spec : all_settings()) {
        CHECK(cfg.get_string(spec.name) == std::string(spec.default_value));
    }
}

TEST_CASE("booleans and integers parse as the API accepts them", "[unit][config]") {
    for (const char* t : {"true", "TRUE", "1", "yes", "on", "t", "Y"}) {
        CHECK(parse_bool(t) == true);
    }
    for (const char* f : {"false", "0", "No", "off", "f", "n"}) {
        CHECK(parse_bool(f) == false);
    }
    CHECK_FALSE(parse_bool("2").has_value());
    CHECK(parse_int("-12") == -12);
    CHECK(parse_int("+7") == 7);
    CHECK_FALSE(parse_int("1.5").has_value());
    CHECK_FALSE(parse_int("").has_value());
    CHECK_FALSE(parse_int("99999999999999999999").has_value());
}
