// The outbound fetch policy: allow-lists, address classes, networks, and the fetcher that puts them on an
// http_request (http_client.cpp enforces them hop by hop).

#include "robotoff/off/fetch_policy.hpp"

#include "robotoff/core/config.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <stdexcept>

namespace robotoff::off {

namespace ip = boost::asio::ip;

namespace {

// IPv4-mapped IPv6 addresses are the IPv4 address they carry.
ip::address unmapped(const ip::address& a) {
    if (a.is_v6() && a.to_v6().is_v4_mapped()) {
        return ip::make_address_v4(ip::v4_mapped, a.to_v6());
    }
    return a;
}

bool in_v4(const std::array<unsigned char, 4>& b, unsigned b0, unsigned b1, unsigned b2, unsigned prefix) {
    const std::uint32_t value =
        (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) | (std::uint32_t{b[2]} << 8) | b[3];
    const std::uint32_t net = (b0 << 24) | (b1 << 16) | (b2 << 8);
    const std::uint32_t mask = prefix == 0 ? 0 : ~std::uint32_t{0} << (32 - prefix);
    return (value & mask) == (net & mask);
}

bool public_v4(const std::array<unsigned char, 4>& b) {
    return !(in_v4(b, 0, 0, 0, 8)            // "this network", 0.0.0.0
             || in_v4(b, 10, 0, 0, 8)        // private
             || in_v4(b, 100, 64, 0, 10)     // carrier-grade NAT
             || in_v4(b, 127, 0, 0, 8)       // loopback
             || in_v4(b, 169, 254, 0, 16)    // link-local (cloud metadata)
             || in_v4(b, 172, 16, 0, 12)     // private
             || in_v4(b, 192, 0, 0, 24)      // IETF protocol assignments
             || in_v4(b, 192, 0, 2, 24)      // documentation
             || in_v4(b, 192, 88, 99, 24)    // 6to4 relay anycast
             || in_v4(b, 192, 168, 0, 16)    // private
             || in_v4(b, 198, 18, 0, 15)     // benchmarking
             || in_v4(b, 198, 51, 100, 24)   // documentation
             || in_v4(b, 203, 0, 113, 24)    // documentation
             || in_v4(b, 224, 0, 0, 4)       // multicast
             || in_v4(b, 240, 0, 0, 4));     // reserved, broadcast
}

bool prefix_equal(const unsigned char* a, const unsigned char* b, unsigned prefix) {
    const unsigned whole = prefix / 8;
    if (!std::equal(a, a + whole, b)) {
        return false;
    }
    const unsigned rest = prefix % 8;
    if (rest == 0) {
        return true;
    }
    const auto mask = static_cast<unsigned char>(0xff << (8 - rest));
    return (a[whole] & mask) == (b[whole] & mask);
}

std::string trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
        text.remove_prefix(1);
    }
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) {
        text.remove_suffix(1);
    }
    return std::string(text);
}

}  // namespace

allowed_host parse_allowed_host(std::string_view entry) {
    const std::string text = trim(entry);
    try {
        if (text.find("://") != std::string::npos) {
            const parsed_url url = parse_url(text);
            return {url.host, url.port};
        }
        // A bare authority: parsed by the URL parser itself so that both spell hosts the same way.
        const parsed_url url = parse_url("http://" + text + "/");
        const auto close = text.rfind(']');
        const auto colon = text.rfind(':');
        const bool explicit_port = colon != std::string::npos && (close == std::string::npos || colon > close);
        return {url.host, explicit_port ? url.port : ""};
    } catch (const po_error&) {
        throw std::invalid_argument("not a host, host:port or http(s) URL: " + text);
    }
}

host_allow_list parse_allow_list(const std::vector<std::string>& entries) {
    host_allow_list out;
    for (const auto& e : entries) {
        if (!trim(e).empty()) {
            out.push_back(parse_allowed_host(e));
        }
    }
    return out;
}

bool ip_network::contains(const ip::address& address) const {
    const ip::address a = unmapped(address);
    const ip::address b = unmapped(base);
    if (a.is_v4() != b.is_v4()) {
        return false;
    }
    if (a.is_v4()) {
        const auto x = a.to_v4().to_bytes();
        const auto y = b.to_v4().to_bytes();
        return prefix_equal(x.data(), y.data(), prefix);
    }
    const auto x = a.to_v6().to_bytes();
    const auto y = b.to_v6().to_bytes();
    return prefix_equal(x.data(), y.data(), prefix);
}

ip_network parse_network(std::string_view cidr) {
    const std::string text = trim(cidr);
    const auto slash = text.find('/');
    boost::system::error_code ec;
    ip_network out;
    out.base = ip::make_address(text.substr(0, slash), ec);
    if (ec || text.find('%') != std::string::npos) {
        throw std::invalid_argument("not a network (address/prefix): " + text);
    }
    // An IPv4-mapped base means its IPv4 network: 96 bits of the prefix are the mapping.
    unsigned max_prefix = out.base.is_v4() ? 32 : 128;
    unsigned prefix = max_prefix;
    if (slash != std::string::npos) {
        const std::string p = text.substr(slash + 1);
        const auto [ptr, perr] = std::from_chars(p.data(), p.data() + p.size(), prefix);
        if (p.empty() || perr != std::errc() || ptr != p.data() + p.size() || prefix > max_prefix) {
            throw std::invalid_argument("bad prefix length in network: " + text);
        }
    }
    if (out.base.is_v6() && out.base.to_v6().is_v4_mapped()) {
        if (prefix < 96) {
            throw std::invalid_argument("an IPv4-mapped network needs a prefix of at least 96: " + text);
        }
        out.base = unmapped(out.base);
        prefix -= 96;
    }
    out.prefix = prefix;
    return out;
}

fetch_settings fetch_settings::from_config(const core::config& cfg) {
    fetch_settings s;
    for (const auto& item : cfg.get_list("fetch.allowed_networks")) {
        s.allowed_networks.push_back(parse_network(item));
    }
    s.max_bytes = static_cast<std::uint64_t>(cfg.get_int("fetch.max_bytes"));
    s.timeout = std::chrono::milliseconds(cfg.get_int("fetch.timeout_ms"));
    s.max_redirects = static_cast<int>(cfg.get_int("fetch.max_redirects"));
    return s;
}

bool is_public_address(const ip::address& address) {
    const ip::address a = unmapped(address);
    if (a.is_v4()) {
        return public_v4(a.to_v4().to_bytes());
    }
    const auto b = a.to_v6().to_bytes();
    const auto embedded = [&b](std::size_t at) {
        return std::array<unsigned char, 4>{b[at], b[at + 1], b[at + 2], b[at + 3]};
    };
    const auto starts = [&b](std::initializer_list<unsigned> bytes, unsigned prefix) {
        std::array<unsigned char, 16> net{};
        std::size_t i = 0;
        for (unsigned v : bytes) {
            net[i++] = static_cast<unsigned char>(v);
        }
        return prefix_equal(b.data(), net.data(), prefix);
    };
    if (starts({}, 96)) {                                  // ::, ::1 and the IPv4-compatible ::a.b.c.d
        return false;
    }
    if (starts({0x00, 0x64, 0xff, 0x9b}, 96)) {            // NAT64 64:ff9b::/96
        return public_v4(embedded(12));
    }
    if (starts({0x20, 0x02}, 16)) {                        // 6to4 2002::/16
        return public_v4(embedded(2));
    }
    return !(starts({0x00, 0x64, 0xff, 0x9b, 0x00, 0x01}, 48)   // local-use NAT64
             || starts({0x01, 0x00}, 64)                         // discard
             || starts({0x20, 0x01, 0x00, 0x00}, 32)             // Teredo (carries any IPv4)
             || starts({0x20, 0x01, 0x0d, 0xb8}, 32)             // documentation
             || starts({0xfc}, 7)                                // unique local
             || starts({0xfe, 0x80}, 10)                         // link-local
             || starts({0xfe, 0xc0}, 10)                         // site-local (deprecated)
             || starts({0xff}, 8));                              // multicast
}

bool address_allowed(const fetch_settings& settings, const ip::address& address) {
    for (const auto& n : settings.allowed_networks) {
        if (n.contains(address)) {
            return true;
        }
    }
    return is_public_address(address);
}

bool host_allowed(const host_allow_list& hosts, const parsed_url& url) {
    const std::string_view default_port = url.tls ? "443" : "80";
    return std::any_of(hosts.begin(), hosts.end(), [&](const allowed_host& h) {
        return h.host == url.host && (h.port.empty() ? url.port == default_port : h.port == url.port);
    });
}

void fetch_policy::check_url(const parsed_url& url) const {
    if (!host_allowed(hosts, url)) {
        throw fetch_refused("host " + url.host + " port " + url.port + " not allowed");
    }
}

allowed_host image_server(std::string_view pattern, core::server_type type, std::string_view tld) {
    return parse_allowed_host(core::expand_base_url(pattern, type, tld));
}

host_allow_list image_servers(std::string_view pattern, std::string_view tld) {
    host_allow_list out;
    for (auto t : {core::server_type::off, core::server_type::obf, core::server_type::opff, core::server_type::opf,
                   core::server_type::off_pro}) {
        auto h = image_server(pattern, t, tld);
        if (std::none_of(out.begin(), out.end(),
                         [&h](const allowed_host& o) { return o.host == h.host && o.port == h.port; })) {
            out.push_back(std::move(h));
        }
    }
    return out;
}

fetcher::fetcher(const http_client& client, fetch_settings settings)
    : client_(&client), settings_(std::move(settings)) {}

http_response fetcher::get(const std::string& url, const host_allow_list& hosts,
                           std::chrono::milliseconds timeout) const {
    const fetch_policy policy{&settings_, hosts};
    http_request request;
    request.url = url;
    request.timeout = std::max(std::chrono::milliseconds(1), timeout);
    request.max_redirects = settings_.max_redirects;
    request.policy = &policy;
    return client_->send(request);
}

}  // namespace robotoff::off
