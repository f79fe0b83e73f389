#pragma once
// DESIGN: the outbound fetch policy (issue 13): what robotoffd may fetch when a request or an event names a
// URL (OCR JSON, photos, crops). Product Opener API calls use configured URLs and no policy.
// - The URL is parsed once by off::parse_url (strict); that parsed value is what is checked and fetched.
// - Only http/https. The host (and port) must be in the caller's allow-list: the configured image server of
//   the product's server type (off.images_url expanded, spec README §5) and the route's own list.
// - The host name is resolved once; only the resolved addresses that pass address_allowed are connected to.
//   Private, loopback, link-local, unspecified, multicast and reserved addresses (IPv4 and IPv6, IPv4-mapped
//   and other IPv4-embedding IPv6 forms judged by their IPv4) are refused unless inside fetch.allowed_networks.
// - Redirects are followed hop by hop with the same checks, at most fetch.max_redirects (<= 3); the body is
//   capped at fetch.max_bytes, also once inflated (gzip); one deadline of at most fetch.timeout_ms.
// - A refusal throws fetch_refused before anything is sent to the refused host or address. Its what() is for
//   logs; clients get "refused by policy" / "fetch failed" only.
// Everything here is pure or read-only after construction: thread-safe. fetcher::get blocks.

#include "robotoff/core/product_ref.hpp"
#include "robotoff/off/errors.hpp"
#include "robotoff/off/http_client.hpp"

#include <boost/asio/ip/address.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace robotoff::core {
class config;
}

namespace robotoff::off {

class fetch_refused : public po_error {
public:
    explicit fetch_refused(const std::string& reason) : po_error(error_kind::refused, "refused by policy: " + reason) {}
};

// One allow-list entry: a host, and the one port allowed on it (empty: the default port of the URL's scheme).
struct allowed_host {
    std::string host;       // as parse_url spells it (lower case, IPv6 without brackets)
    std::string port;
};
using host_allow_list = std::vector<allowed_host>;

// "host", "host:port", "[v6]" / "[v6]:port", or a base URL "http(s)://host[:port][/...]" (which allows its
// scheme's port). Throws std::invalid_argument.
allowed_host parse_allowed_host(std::string_view entry);
host_allow_list parse_allow_list(const std::vector<std::string>& entries);

struct ip_network {
    boost::asio::ip::address base;
    unsigned prefix = 0;
    bool contains(const boost::asio::ip::address& address) const;
};
// "127.0.0.0/8", "::1/128", "10.1.2.3" (one address). Throws std::invalid_argument.
ip_network parse_network(std::string_view cidr);

struct fetch_settings {
    std::vector<ip_network> allowed_networks;   // fetch.allowed_networks
    std::uint64_t max_bytes = 33554432;         // fetch.max_bytes (0: no limit)
    std::chrono::milliseconds timeout{10000};   // fetch.timeout_ms
    int max_redirects = 3;                      // fetch.max_redirects

    // Throws std::invalid_argument on a bad network.
    static fetch_settings from_config(const core::config& cfg);
};

// A global unicast address (what the internet routes), IPv4-mapped/-compatible, NAT64 and 6to4 forms judged
// by the IPv4 address they carry.
bool is_public_address(const boost::asio::ip::address& address);
// Public, or inside one of settings.allowed_networks.
bool address_allowed(const fetch_settings& settings, const boost::asio::ip::address& address);
// The URL's host and port match an entry.
bool host_allowed(const host_allow_list& hosts, const parsed_url& url);

// What an http_request carries for a policy-checked fetch.
struct fetch_policy {
    const fetch_settings* settings = nullptr;   // not owned
    host_allow_list hosts;

    // Throws fetch_refused unless host_allowed(hosts, url).
    void check_url(const parsed_url& url) const;
};

// The image server of a server type: off.images_url (`pattern`) expanded for it (an origin with its port).
allowed_host image_server(std::string_view pattern, core::server_type type, std::string_view tld);
// Those of every server type (duplicates removed).
host_allow_list image_servers(std::string_view pattern, std::string_view tld);

// The one outbound fetcher: an http_client and the fetch settings. Copyable (refers to the client, which
// must outlive it).
class fetcher {
public:
    fetcher(const http_client& client, fetch_settings settings);

    // GET `url` under the policy of `hosts`. Returns the answer whatever its status; throws fetch_refused
    // (policy) or po_error (timeout, transport, too big). Blocking; thread-safe.
    http_response get(const std::string& url, const host_allow_list& hosts, std::chrono::milliseconds timeout) const;

    const fetch_settings& settings() const { return settings_; }

private:
    const http_client* client_;
    fetch_settings settings_;
};

}  // namespace robotoff::off
