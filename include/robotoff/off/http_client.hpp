#pragma once
// Outbound HTTP(S) transport of the `off` module: one blocking request at a time per call, any number of
// calls in parallel (thread-safe; every call owns its io_context and socket). Boost.Beast over TCP, OpenSSL
// for https with the system certificate store, SNI and host-name verification. Each call has ONE deadline
// covering resolve, connect, TLS handshake, write and read. Redirects (301/302/303/307/308) are followed up
// to a limit; `Accept-Encoding: gzip` is sent and gzip bodies are decoded. HTTP error statuses are returned
// as they are: mapping them to Product Opener meanings is client.hpp's job. Transport failures throw
// off::po_error (timeout or transport).

#include "robotoff/off/errors.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace robotoff::off {

using header_list = std::vector<std::pair<std::string, std::string>>;

struct http_request {
    std::string method = "GET";
    std::string url;                      // absolute http:// or https:// URL
    header_list headers;                  // extra headers (User-Agent is set by the client)
    std::string body;
    std::chrono::milliseconds timeout{10000};
    int max_redirects = 5;
};

struct http_response {
    unsigned status = 0;
    header_list headers;                  // names lower-cased
    std::string body;                     // decoded (gzip removed); empty when streamed to a file
    std::uint64_t body_bytes = 0;         // bytes of body received (after decoding)
    std::string final_url;                // after redirects

    // Value of a header (case-insensitive name) or empty.
    std::string header(std::string_view name) const;
};

struct parsed_url {
    bool tls = false;
    std::string host;
    std::string port;
    std::string target;                   // path + query, "/" at least
};

// Parses an absolute http(s) URL; throws po_error(transport) when it is not one.
parsed_url parse_url(std::string_view url);
// Resolves a Location header against the URL it came from.
std::string resolve_location(std::string_view base_url, std::string_view location);

class http_client {
public:
    explicit http_client(std::string user_agent);
    ~http_client();
    http_client(const http_client&) = delete;
    http_client& operator=(const http_client&) = delete;

    // Blocking; thread-safe. Throws po_error(timeout | transport).
    http_response send(const http_request& request) const;
    // Same, but the body of a 2xx answer is streamed to `path` (created/truncated; not decoded), so memory
    // stays bounded whatever the size. Non-2xx bodies are kept in memory (small error pages).
    http_response send_to_file(const http_request& request, const std::string& path) const;

    const std::string& user_agent() const { return user_agent_; }

private:
    http_response perform(const http_request& request, const std::string* file_path) const;

    std::string user_agent_;
};

}  // namespace robotoff::off
