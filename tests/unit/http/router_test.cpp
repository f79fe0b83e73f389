#include "robotoff/core/json.hpp"
#include "robotoff/http/router.hpp"

#include <catch2/catch.hpp>

using namespace robotoff;

namespace {

http::handler named(const std::string& name) {
    return [name](const http::request&) { return http::response::text(name); };
}

http::router sample_router() {
    http::router r;
    r.add({"GET", "/api/v1/insights/{barcode}", named("by_barcode"), "by barcode"});
    r.add({"GET", "/api/v1/insights/random", named("random"), "random"});
    r.add({"GET", "/api/v1/insights/detail/{insight_id}", named("detail"), "detail"});
    r.add({"POST", "/api/v1/insights/annotate", named("annotate"), "annotate"});
    r.add({"GET", "/api/v1/products/dataset", named("dataset_get"), "dataset"});
    r.add({"POST", "/api/v1/products/dataset", named("dataset_post"), "dataset"});
    return r;
}

std::string run(const http::route_match& m) {
    REQUIRE(m.matched);
    return m.matched->fn(http::request{}).body;
}

}  // namespace

TEST_CASE("static segments win over placeholders", "[unit][router]") {
    const auto r = sample_router();
    CHECK(run(r.match("GET", "/api/v1/insights/random")) == "random");
    auto m = r.match("GET", "/api/v1/insights/3017620425035");
    CHECK(run(m) == "by_barcode");
    CHECK(m.path_params.at("barcode") == "3017620425035");
    m = r.match("GET", "/api/v1/insights/detail/abc");
    CHECK(run(m) == "detail");
    CHECK(m.path_params.at("insight_id") == "abc");
}

TEST_CASE("a trailing slash is ignored", "[unit][router]") {
    const auto r = sample_router();
    CHECK(run(r.match("GET", "/api/v1/insights/random/")) == "random");
}

TEST_CASE("unknown paths and wrong methods", "[unit][router]") {
    const auto r = sample_router();
    auto m = r.match("GET", "/api/v1/nothing");
    CHECK_FALSE(m.matched);
    CHECK(m.allowed_methods.empty());  // 404
    m = r.match("GET", "/api/v1/insights/annotate");
    CHECK_FALSE(m.matched);  // static POST route wins over the GET placeholder: 405
    CHECK(m.allowed_methods == std::vector<std::string>{"POST"});
    m = r.match("DELETE", "/api/v1/products/dataset");
    CHECK_FALSE(m.matched);
    CHECK(m.allowed_methods == std::vector<std::string>{"GET", "POST"});
    CHECK(run(r.match("POST", "/api/v1/products/dataset")) == "dataset_post");
}

TEST_CASE("the OpenAPI document lists every routed path", "[unit][router]") {
    const auto r = sample_router();
    const auto doc = core::parse_json(r.openapi_json("1.2.3"));
    CHECK(std::string(doc["openapi"].GetString()) == "3.1.0");
    const auto& paths = doc["paths"];
    for (const auto& route : r.routes()) {
        REQUIRE(paths.HasMember(route.pattern.c_str()));
        std::string method = route.method;
        for (auto& c : method) {
            c = static_cast<char>(std::tolower(c));
        }
        CHECK(paths[route.pattern.c_str()].HasMember(method.c_str()));
    }
    const auto& detail = paths["/api/v1/insights/detail/{insight_id}"]["get"]["parameters"];
    REQUIRE(detail.Size() == 1);
    CHECK(std::string(detail[0]["in"].GetString()) == "path");
}
