#pragma once
// The explicit route table: method + path pattern -> handler. Patterns are "/api/v1/insights/{barcode}";
// static segments win over placeholders; a trailing '/' is ignored. The same table generates the OpenAPI
// document, so documentation cannot drift from routing. Built once at start-up, then read-only
// (thread-safe to match from any thread).

#include "robotoff/http/request.hpp"

#include <map>
#include <string>
#include <vector>

namespace robotoff::http {

// One documented parameter (OpenAPI).
struct param_doc {
    std::string name;
    std::string in = "query";      // "query", "path", "formData" (request body form field), "header"
    std::string type = "string";   // "string", "integer", "number", "boolean", "array"
    bool required = false;
    std::string description;
};

struct route {
    std::string method;            // "GET", "POST", ...
    std::string pattern;           // "/api/v1/insights/{barcode}"
    handler fn;                    // blocking, run on the handler pool (null when async_fn is set)
    std::string summary;           // one line for OpenAPI
    std::vector<param_doc> params;
    std::string tag = "robotoff";  // OpenAPI tag ("insights", "questions", ...)
    async_handler async_fn;        // instead of fn, for a route that never blocks: run on the I/O thread
};

struct route_match {
    const route* matched = nullptr;              // null: no route for this method
    std::map<std::string, std::string> path_params;
    std::vector<std::string> allowed_methods;    // path known with other methods (405) when matched == null
};

class router {
public:
    void add(route r);
    route_match match(std::string_view method, std::string_view path) const;
    const std::vector<route>& routes() const { return routes_; }

    // OpenAPI 3.1 JSON describing every route.
    std::string openapi_json(std::string_view version) const;

private:
    std::vector<route> routes_;
};

}  // namespace robotoff::http
