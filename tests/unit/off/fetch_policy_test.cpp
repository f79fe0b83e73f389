// The outbound fetch policy without a network: the one URL parser, allow-lists, address classes and
// networks, redirect targets checked like first hops, and the gzip cap (issue 13).

#include "robotoff/core/file_io.hpp"
#include "robotoff/off/fetch_policy.hpp"
#include "robotoff/off/http_client.hpp"

#include <catch2/catch.hpp>

using namespace robotoff;
namespace ip = boost::asio::ip;

namespace {

bool refused_url(const std::string& url) {
    try {
        off::parse_url(url);
        return false;
    } catch (const off::po_error&) {
        return true;
    }
}

bool public_address(const std::string& text) {
    return off::is_public_address(ip::make_address(text));
}

// What the fetcher does with one hop: parse once, check the host (throws fetch_refused).
void check_hop(const off::fetch_policy& policy, const std::string& url) {
    off::parsed_url parsed;
    try {
        parsed = off::parse_url(url);
    } catch (const off::po_error& e) {
        throw off::fetch_refused(e.what());
    }
    policy.check_url(parsed);
}

}  // namespace

TEST_CASE("fetch URLs: one strict parser, what is checked is what is fetched", "[unit]") {
    // Every numeric IPv4 spelling a resolver would read as loopback is refused by the parser itself.
    for (const char* url : {"http://2130706433/", "http://0x7f000001/", "http://127.1/", "http://0177.0.0.1/",
                            "http://127.0.0.01/", "http://0x7f.0.0.1/", "http://1.2.3.4.5/", "http://256.1.1.1/"}) {
        INFO(url);
        CHECK(refused_url(url));
    }
    for (const char* url : {"ftp://images.openfoodfacts.org/x", "file:///etc/passwd", "gopher://x/",
                            "http://user@images.openfoodfacts.org/", "http://images.openfoodfacts.org\\@evil/",
                            "http://images.open foodfacts.org/", "http://images.openfoodfacts.org/a b",
                            "http://[::1%25lo]/", "http://[::1/", "http://x:0/", "http://x:65536/", "http://x:8o/",
                            "http:///x", "http://a..b/", "http://evil.example%2f/", "http://\xc3\xa9.fr/"}) {
        INFO(url);
        CHECK(refused_url(url));
    }
    // The two-parser trick: the authority ends at '#', so host and fetched host are the same "localhost".
    const auto tricky = off::parse_url("http://localhost#.evil.example:8080/");
    CHECK(tricky.host == "localhost");
    CHECK(tricky.port == "80");
    CHECK(tricky.target == "/");
    const auto q = off::parse_url("HTTPS://Images.OpenFoodFacts.ORG.?a=1#frag");
    CHECK(q.tls);
    CHECK(q.host == "images.openfoodfacts.org");
    CHECK(q.target == "/?a=1");
    const auto v6 = off::parse_url("http://[::FFFF:169.254.169.254]:81/x");
    CHECK(v6.host == "::ffff:169.254.169.254");
    CHECK(v6.port == "81");
    CHECK(off::parse_url("http://127.0.0.1:0080/").port == "80");
    // The canonical text parses back to the same value.
    for (const char* url : {"https://images.openfoodfacts.org/images/products/1/2.json",
                            "http://[::1]:8080/a?b=c", "http://127.0.0.1:5/", "https://x.org:443/y"}) {
        const auto once = off::parse_url(url);
        const auto twice = off::parse_url(off::to_string(once));
        CHECK(twice.host == once.host);
        CHECK(twice.port == once.port);
        CHECK(twice.target == once.target);
        CHECK(twice.tls == once.tls);
    }
    CHECK(off::to_string(off::parse_url("https://x.org:443/y")) == "https://x.org/y");
    CHECK(off::to_string(off::parse_url("http://[::1]:8080/a")) == "http://[::1]:8080/a");
}

TEST_CASE("fetch addresses: private, loopback, link-local, unspecified refused in every form", "[unit]") {
    for (const char* a : {"127.0.0.1", "127.0.0.2", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1",
                          "169.254.169.254", "0.0.0.0", "0.1.2.3", "100.64.0.1", "224.0.0.1", "255.255.255.255",
                          "198.18.0.1", "192.0.0.1", "::", "::1", "fe80::1", "fc00::1", "fd12:3456::1", "fec0::1",
                          "ff02::1", "::ffff:127.0.0.1", "::ffff:169.254.169.254", "::ffff:10.0.0.1", "::127.0.0.1",
                          "64:ff9b::a9fe:a9fe", "64:ff9b::7f00:1", "2002:7f00:1::1", "2002:a9fe:a9fe::",
                          "2001::1", "2001:db8::1", "100::1"}) {
        INFO(a);
        CHECK_FALSE(public_address(a));
    }
    for (const char* a : {"8.8.8.8", "151.101.1.1", "172.32.0.1", "2606:4700:4700::1111", "2a00:1450::1",
                          "::ffff:8.8.8.8", "64:ff9b::808:808", "2002:808:808::1"}) {
        INFO(a);
        CHECK(public_address(a));
    }
}

TEST_CASE("fetch.allowed_networks lets listed networks through, IPv4-mapped forms included", "[unit]") {
    off::fetch_settings s;
    CHECK_FALSE(off::address_allowed(s, ip::make_address("127.0.0.1")));
    s.allowed_networks = {off::parse_network("127.0.0.0/8"), off::parse_network("fd00::/8"),
                          off::parse_network("10.9.8.7")};
    CHECK(off::address_allowed(s, ip::make_address("127.0.0.2")));
    CHECK(off::address_allowed(s, ip::make_address("::ffff:127.0.0.1")));
    CHECK(off::address_allowed(s, ip::make_address("fd12::1")));
    CHECK(off::address_allowed(s, ip::make_address("10.9.8.7")));
    CHECK_FALSE(off::address_allowed(s, ip::make_address("10.9.8.6")));
    CHECK_FALSE(off::address_allowed(s, ip::make_address("::1")));
    CHECK_FALSE(off::address_allowed(s, ip::make_address("169.254.169.254")));
    CHECK(off::address_allowed(s, ip::make_address("8.8.8.8")));
    CHECK(off::parse_network("::ffff:10.0.0.0/104").contains(ip::make_address("10.1.1.1")));
    CHECK(off::parse_network("0.0.0.0/0").contains(ip::make_address("127.0.0.1")));
    for (const char* bad : {"", "127.0.0.0/33", "127.0.0.1/", "localhost", "::1/129", "10.0.0.0/8x", "fe80::1%lo"}) {
        INFO(bad);
        CHECK_THROWS_AS(off::parse_network(bad), std::invalid_argument);
    }
}

TEST_CASE("fetch hosts: image server of the server type, allow-list entries, ports", "[unit]") {
    const auto off_images = off::image_server("https://images.{base}.{tld}", core::server_type::off, "net");
    CHECK(off_images.host == "images.openfoodfacts.net");
    CHECK(off_images.port == "443");
    const auto all = off::image_servers("https://images.{base}.{tld}", "org");
    CHECK(all.size() == 5);
    CHECK(off::image_servers("http://127.0.0.1:8080", "org").size() == 1);

    const off::host_allow_list hosts = off::parse_allow_list(
        {"https://images.openfoodfacts.org", "static.example.org", " 127.0.0.1:9000 ", "[::1]:81", ""});
    REQUIRE(hosts.size() == 4);
    auto allowed = [&hosts](const std::string& url) { return off::host_allowed(hosts, off::parse_url(url)); };
    CHECK(allowed("https://images.openfoodfacts.org/images/products/1.json"));
    CHECK(allowed("https://IMAGES.openfoodfacts.org./x"));
    CHECK_FALSE(allowed("http://images.openfoodfacts.org/x"));          // port 80, not the configured 443
    CHECK_FALSE(allowed("https://images.openfoodfacts.org:8443/x"));
    CHECK_FALSE(allowed("https://images.openfoodfacts.org.evil.example/x"));
    CHECK_FALSE(allowed("https://evilimages.openfoodfacts.org/x"));
    CHECK(allowed("http://static.example.org/x"));                       // bare host: the scheme's default port
    CHECK(allowed("https://static.example.org/x"));
    CHECK_FALSE(allowed("http://static.example.org:8080/x"));
    CHECK(allowed("http://127.0.0.1:9000/x"));
    CHECK_FALSE(allowed("http://127.0.0.1:9001/x"));
    CHECK_FALSE(allowed("http://127.0.0.2:9000/x"));
    CHECK_FALSE(allowed("http://localhost:9000/x"));
    CHECK(allowed("http://[::1]:81/"));
    CHECK_FALSE(allowed("http://[::ffff:127.0.0.1]:9000/"));
    CHECK_THROWS_AS(off::parse_allowed_host("user@host"), std::invalid_argument);
    CHECK_THROWS_AS(off::parse_allowed_host("2130706433"), std::invalid_argument);
}

TEST_CASE("redirect targets are checked like first hops", "[unit]") {
    off::fetch_settings s;
    const off::fetch_policy policy{&s, off::parse_allow_list({"http://127.0.0.1:9000"})};
    const std::string base = "http://127.0.0.1:9000/images/products/1/2.json";
    CHECK_NOTHROW(check_hop(policy, base));
    CHECK_NOTHROW(check_hop(policy, off::resolve_location(base, "/images/products/1/3.json")));
    CHECK_NOTHROW(check_hop(policy, off::resolve_location(base, "3.json")));
    for (const char* location : {"http://127.0.0.1:9001/x", "//127.0.0.2:9000/x", "http://localhost:9000/",
                                 "http://2130706433:9000/", "ftp://127.0.0.1:9000/", "javascript:alert(1)",
                                 "http://[::1]:9000/", "/\\evil.example/", "http://127.0.0.1:9000@evil/",
                                 "http://127.0.0.1#@evil:9000/"}) {
        INFO(location);
        CHECK_THROWS_AS(check_hop(policy, off::resolve_location(base, location)), off::fetch_refused);
    }
    CHECK(off::resolve_location("http://[::1]:81/a/b", "c") == "http://[::1]:81/a/c");
    CHECK(off::resolve_location("http://a:1/x/y?q", "?r") == "http://a:1/x/y?r");
    CHECK(off::resolve_location("http://a:1/x/y", "b:c/d") == "b:c/d");      // a scheme: absolute, then refused
    CHECK(off::resolve_location("http://a:1/x/y", "./b:c") == "http://a:1/x/./b:c");
}

TEST_CASE("gzip bodies inflate up to the cap only", "[unit]") {
    const std::string text(1 << 20, 'a');
    const std::string packed = core::gzip_compress(text);
    CHECK(packed.size() < 10000);
    CHECK(off::gunzip(packed, 0) == text);
    CHECK(off::gunzip(packed, 1 << 20) == text);
    CHECK_THROWS_AS(off::gunzip(packed, (1 << 20) - 1), off::po_error);
    CHECK_THROWS_AS(off::gunzip(packed, 4096), off::po_error);
    CHECK(off::gunzip(packed + packed, 0).size() == 2u << 20);  // concatenated members
    CHECK_THROWS_AS(off::gunzip("not gzip", 0), off::po_error);
    CHECK_THROWS_AS(off::gunzip(packed.substr(0, packed.size() / 2), 0), off::po_error);
}
