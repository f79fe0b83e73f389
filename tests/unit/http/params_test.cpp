#include "robotoff/core/errors.hpp"
#include "robotoff/http/request.hpp"
#include "robotoff/http/server.hpp"

#include <catch2/catch.hpp>

using namespace robotoff;
using http::parameters;

TEST_CASE("query and form parameters merge, the body wins, empty counts as absent", "[unit][params]") {
    parameters p;
    p.add_urlencoded("count=10&annotated=&lang=fr&tags=a,b&tags=c&q=a+b%2Cc");
    p.add_urlencoded("count=20");
    CHECK(p.get("count") == "20");
    CHECK_FALSE(p.get("annotated").has_value());
    CHECK(p.get("q") == "a b,c");
    CHECK(p.get_list("tags") == std::vector<std::string>{"a", "b", "c"});
    CHECK(p.get_list("tags", 2) == std::vector<std::string>{"a", "b"});
    CHECK(p.get_list("missing").empty());
}

TEST_CASE("typed parameters give the spec's 400 errors naming the parameter", "[unit][params]") {
    parameters p;
    p.add_urlencoded("count=abc&page=0&annotated=maybe&insight_id=nope&score=x1&ok=YES&n=5");
    REQUIRE_THROWS_AS(p.get_int("count", 1, 1000), core::client_error);
    try {
        p.get_int("page", 1, 1000000);
        FAIL("expected an error");
    } catch (const core::client_error& e) {
        CHECK(e.status() == 400);
        CHECK(e.title() == "Invalid parameter");
        CHECK(e.description().find("\"page\"") != std::string::npos);
    }
    CHECK_THROWS_AS(p.get_bool("annotated"), core::client_error);
    CHECK_THROWS_AS(p.get_uuid("insight_id"), core::client_error);
    CHECK_THROWS_AS(p.get_double("score"), core::client_error);
    CHECK(p.get_bool("ok") == true);
    CHECK(p.get_int("n", 1, 10) == 5);
    try {
        p.required("barcode");
        FAIL("expected an error");
    } catch (const core::client_error& e) {
        CHECK(e.title() == "Missing parameter");
        CHECK(e.description() == "The \"barcode\" parameter is required.");
    }
}

TEST_CASE("uuids are accepted in any case and returned lower-case", "[unit][params]") {
    parameters p;
    p.add("id", "0B9D2F4E-8F3C-4A57-B1D2-7C0E5A6F9E31");
    CHECK(p.get_uuid("id") == "0b9d2f4e-8f3c-4a57-b1d2-7c0e5a6f9e31");
}

TEST_CASE("the error mapper turns exceptions into the JSON error body", "[unit][errors]") {
    http::request req;
    auto r = http::map_common_errors(std::make_exception_ptr(core::missing_parameter("barcode")), req);
    CHECK(r.status == 400);
    CHECK(r.body == R"({"title":"Missing parameter","description":"The \"barcode\" parameter is required."})");
    r = http::map_common_errors(std::make_exception_ptr(core::service_unavailable("queue full")), req);
    CHECK(r.status == 503);
    REQUIRE(r.headers.size() == 1);
    CHECK(r.headers[0] == std::pair<std::string, std::string>{"Retry-After", "5"});
    r = http::map_common_errors(std::make_exception_ptr(std::runtime_error("secret details")), req);
    CHECK(r.status == 500);
    CHECK(r.body.find("secret details") == std::string::npos);
}

TEST_CASE("listen addresses parse host and port", "[unit][params]") {
    http::server_settings s;
    http::parse_listen_address("127.0.0.1:0", s);
    CHECK(s.host == "127.0.0.1");
    CHECK(s.port == 0);
    http::parse_listen_address("[::1]:5500", s);
    CHECK(s.host == "::1");
    CHECK(s.port == 5500);
    CHECK_THROWS_AS(http::parse_listen_address("localhost", s), core::usage_error);
    CHECK_THROWS_AS(http::parse_listen_address("127.0.0.1:70000", s), core::usage_error);
}

TEST_CASE("the first parameter that is not storable text is named; error bodies stay valid UTF-8", "[unit][params]") {
    http::request req;
    req.path = "/api/v1/insights";
    req.params.add_urlencoded("lang=fr&barcode=1%FF");
    CHECK(http::first_unstorable_text(req) == "barcode");
    http::request nul;
    nul.path = "/api/v1/insights";
    nul.params.add_urlencoded("q=a%00b");
    CHECK(http::first_unstorable_text(nul) == "q");
    http::request path;
    path.path = "/api/v1/questions/\xED\xA0\x80";
    CHECK(http::first_unstorable_text(path) == "path");
    http::request named;
    named.path = "/p";
    named.path_params["barcode"] = "\xC0\xAF";
    CHECK(http::first_unstorable_text(named) == "barcode");
    http::request fine;
    fine.path = "/api/v1/insights";
    fine.params.add_urlencoded("brands=cr%C3%A8me");
    CHECK_FALSE(http::first_unstorable_text(fine).has_value());
    const auto error = http::response::error(400, "Invalid parameter", "unknown type: '\xFF'");
    CHECK(error.body.find("\xEF\xBF\xBD") != std::string::npos);
    CHECK(error.body.find('\xFF') == std::string::npos);
}

TEST_CASE("X-Forwarded-For is believed only from trusted proxies", "[unit][params]") {
    const std::vector<core::cidr> none;
    const std::vector<core::cidr> proxies = {core::parse_cidr("10.0.0.0/8", "http.trusted_proxies"),
                                             core::parse_cidr("::1", "http.trusted_proxies")};
    // An untrusted peer: its header could say anything.
    CHECK(http::client_address("203.0.113.5", "1.2.3.4", none) == "203.0.113.5");
    CHECK(http::client_address("203.0.113.5", "1.2.3.4", proxies) == "203.0.113.5");
    // Through one trusted proxy; through two (the right-most untrusted entry is the client, whatever the
    // client itself wrote further left).
    CHECK(http::client_address("10.0.0.2", "198.51.100.7", proxies) == "198.51.100.7");
    CHECK(http::client_address("10.0.0.2", "6.6.6.6, 198.51.100.7, 10.0.0.9", proxies) == "198.51.100.7");
    CHECK(http::client_address("::1", " 198.51.100.7 ", proxies) == "198.51.100.7");
    // A trusted peer without the header, or with only trusted entries.
    CHECK(http::client_address("10.0.0.2", "", proxies) == "10.0.0.2");
    CHECK(http::client_address("10.0.0.2", "10.0.0.3", proxies) == "10.0.0.3");
    CHECK_THROWS_AS(core::parse_cidr("10.0.0.0/40", "http.trusted_proxies"), core::usage_error);
}
