// COPY text rows (split, decode, encode) and DSN redaction of import-robotoff.
#include "copy_text.hpp"
#include "robotoff/migrate/robotoff_import.hpp"

#include <catch2/catch.hpp>

using namespace robotoff::migrate;

TEST_CASE("copy_text splits a row into raw fields and NULLs", "[unit]") {
    std::vector<std::string_view> f;
    copy_text::split("a\t\\N\t\tx\\ty\n", f);
    REQUIRE(f.size() == 4);
    CHECK(f[0] == "a");
    CHECK(copy_text::is_null(f[1]));
    CHECK(f[2].empty());
    CHECK_FALSE(copy_text::is_null(f[2]));
    CHECK(f[3] == "x\\ty");
    copy_text::split("single", f);
    REQUIRE(f.size() == 1);
    CHECK(f[0] == "single");
}

TEST_CASE("copy_text decodes escapes and encodes back", "[unit]") {
    CHECK(copy_text::decode("tab\\there\\\\back\\nline\\r") == "tab\there\\back\nline\r");
    CHECK(copy_text::decode("\\101\\x") == "Ax");  // octal, and an escaped ordinary character
    const std::string value = "a\tb\\c\nd\re";
    std::string encoded;
    copy_text::append_encoded(encoded, value);
    CHECK(encoded == "a\\tb\\\\c\\nd\\re");
    CHECK(copy_text::decode(encoded) == value);
}

TEST_CASE("redact_dsn hides passwords of URIs and conninfo strings", "[unit]") {
    CHECK(redact_dsn("postgresql://robotoff:s3cret@db:5432/robotoff") == "postgresql://robotoff:***@db:5432/robotoff");
    CHECK(redact_dsn("postgresql://robotoff@db/robotoff") == "postgresql://robotoff@db/robotoff");
    CHECK(redact_dsn("postgresql://db/robotoff?user=r&password=pw&sslmode=require") ==
          "postgresql://db/robotoff?user=r&password=***&sslmode=require");
    CHECK(redact_dsn("host=db user=r password=pw dbname=robotoff") == "host=db user=r password=*** dbname=robotoff");
    CHECK(redact_dsn("host=db password='p w' dbname=x") == "host=db password=*** dbname=x");
    CHECK(redact_dsn("postgresql://u:p@h/d?password=q") == "postgresql://u:***@h/d?password=***");
}
