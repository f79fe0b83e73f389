#pragma once
// Outbound HTTP(S) transport of the `off` module: one blocking request at a time per call, any number of
// calls in parallel (thread-safe; every call owns its io_context and socket). Boost.Beast over TCP, OpenSSL
// for https with the system certificate store, SNI and host-name verification. Each call has ONE deadline
// covering resolve, connect, TLS handshake, write and read. Redirects (301/302/303/307/308) are followed up
// to a limit; `Accept-Encoding: gzip` is sent and gzip bodies are decoded. HTTP error statuses are returned
// as they are: mapping them to Product Opener meanings is client.hpp's job. Transport failures throw
// off::po_error (timeout or transport).
// A request that carries a fetch_policy (fetch_policy.hpp: URLs named by requests and events) is checked hop
// by hop: the URL as parse_url parsed it is what is checked and what is fetched, only the resolved addresses
// the policy accepts are connected to, and the body (also once inflated) is capped; refusals throw
// off::fetch_refused before any connection to the refused host or address.

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

struct fetch_policy;

struct http_request {
    std::string method = "GET";
    std::string url;                      // absolute http:// or https:// URL
    header_list headers;                  // extra headers (User-Agent is set by the client)
    std::string body;
    std::chrono::milliseconds timeout{10000};
    int max_redirects = 5;
    std::uint64_t max_body_bytes = 0;     // body limit, also of the inflated gzip body (0: none)
    const fetch_policy* policy = nullptr; // outbound fetch policy (not owned; outlives the call), or none
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
    std::string host;                     // lower case, no trailing dot; IPv6 literals without brackets
    std::string port;                     // always set ("80"/"443" by default)
    std::string target;                   // path + query, "/" at least; the fragment is dropped
};

// THE URL parser of every outbound request (strict, so that what is checked is what is fetched): scheme
// http or https (any case), no user info, host a DNS name of [a-z0-9-_.] labels, a bracketed IPv6 literal
// or a canonical dotted-quad IPv4 (numeric forms such as 2130706433, 0x7f000001, 127.1 or 0177.0.0.1 are
// refused), port 1..65535, the authority ending at the first '/', '?' or '#', no byte outside printable
// ASCII and no backslash anywhere. Throws po_error(transport) otherwise. Pure, thread-safe.
parsed_url parse_url(std::string_view url);
// The canonical text of a parsed URL (default port omitted): parse_url(to_string(u)) == u.
std::string to_string(const parsed_url& url);
// Resolves a Location header against the URL it came from (an absolute URL text, to be parsed again).
std::string resolve_location(std::string_view base_url, std::string_view location);

// Inflates a gzip buffer (concatenated members too) into at most `max_bytes` (0: no limit). Throws
// po_error(transport) when it is corrupt or inflates beyond the limit (stops there: memory stays bounded).
std::string gunzip(std::string_view data, std::uint64_t max_bytes);

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
