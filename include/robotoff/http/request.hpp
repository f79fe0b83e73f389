#pragma once
// What a handler sees of an HTTP request, and what it returns. Handlers are plain blocking functions
// `response(const request&)` run on the handler pool (never on an I/O thread): parse parameters into a
// typed struct -> call domain code -> serialize. Throw core::client_error for bad input; anything else
// becomes a generic 500 through the one error mapper. A route that never blocks may instead have an
// async_handler (below), run on the I/O thread, that answers later from another thread.

#include <chrono>
#include <exception>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace robotoff::http {

// Query-string and form parameters, merged: values in arrival order (query first, then body), so the
// body wins on a duplicate name. Empty values count as absent (api.md §1.1).
class parameters {
public:
    void add(std::string name, std::string value);
    // Parses "a=1&b=x%20y" (application/x-www-form-urlencoded; '+' is a space).
    void add_urlencoded(std::string_view text);

    bool has(std::string_view name) const;
    // Last non-empty value.
    std::optional<std::string> get(std::string_view name) const;
    std::string get_or(std::string_view name, std::string fallback) const;
    // Throws core::missing_parameter.
    std::string required(std::string_view name) const;
    // Throws core::invalid_parameter ("The "count" parameter must be an integer between 1 and ...").
    std::optional<long long> get_int(std::string_view name, long long min, long long max) const;
    std::optional<double> get_double(std::string_view name) const;
    std::optional<bool> get_bool(std::string_view name) const;
    // Canonical 8-4-4-4-12 hex (any case, returned lower-case); throws invalid_parameter.
    std::optional<std::string> get_uuid(std::string_view name) const;
    // Comma-separated and/or repeated; empty items dropped; at most `max_items` (0 = no limit).
    std::vector<std::string> get_list(std::string_view name, std::size_t max_items = 0) const;
    // All (name, value) pairs in order, empty values included.
    const std::vector<std::pair<std::string, std::string>>& all() const { return items_; }

private:
    std::vector<std::pair<std::string, std::string>> items_;
};

struct request {
    std::string method;                                   // "GET", "POST", ...
    std::string target;                                   // raw target (path + query)
    std::string path;                                     // decoded path, no query, no trailing '/'
    std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
    std::string body;
    std::string peer_address;                             // client IP (no port)
    std::string client_address;                           // peer, or what trusted proxies say (server.cpp)
    std::string request_id;
    parameters params;                                    // query + urlencoded body
    std::map<std::string, std::string> path_params;       // from "{name}" route segments
    std::chrono::steady_clock::time_point deadline;       // pass to pool.acquire(deadline)

    // Header value (case-insensitive name) or empty.
    std::string_view header(std::string_view name) const;
    const std::string& path_param(const std::string& name) const;
};

struct response {
    unsigned status = 200;
    std::string content_type = "application/json; charset=utf-8";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;

    static response json(std::string body, unsigned status = 200);
    static response text(std::string body, std::string content_type = "text/plain; charset=utf-8",
                         unsigned status = 200);
    static response empty(unsigned status = 204);
    // The spec's error body {"title": ..., "description": ...}.
    static response error(unsigned status, std::string_view title, std::string_view description);
};

using handler = std::function<response(const request&)>;

// An asynchronous handler runs on the I/O thread and must not block: it copies what it needs from the
// request, hands it to something that answers later (core::batcher) and returns. That calls `reply` once,
// from any thread, with the response or with the exception that stopped the request (mapped to an error
// response like a blocking handler's exception). An exception thrown by the handler itself is mapped too.
using reply_function = std::function<void(response, std::exception_ptr)>;
using async_handler = std::function<void(const request&, reply_function reply)>;

// The name of the first parameter (path, path parameter, query or form parameter) that is not valid UTF-8 or
// holds a NUL byte: the server answers 400 naming it before any handler sees the request.
std::optional<std::string> first_unstorable_text(const request& req);

// Decodes %XX escapes ('+' -> ' ' when form is true). Invalid escapes are kept as is.
std::string url_decode(std::string_view text, bool form);
std::string url_encode(std::string_view text);

}  // namespace robotoff::http
