// Blocking HTTP(S) requests on a private io_context per call: the request runs as a coroutine and the
// calling thread drives it with run_for(deadline), so one deadline bounds every step (Beast's synchronous
// calls have no timeouts). On timeout the io_context is stopped and destroyed with the socket.

#include "robotoff/off/http_client.hpp"

#include "robotoff/off/fetch_policy.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <exception>
#include <filesystem>

namespace robotoff::off {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = net::ip::tcp;

namespace {

std::string lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

bool is_redirect(unsigned status) {
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

// Everything one attempt needs, alive until the io_context is gone.
struct exchange {
    const http_request* request = nullptr;
    const parsed_url* url = nullptr;
    const std::string* file_path = nullptr;
    const fetch_policy* policy = nullptr;
    std::uint64_t max_body = 0;           // 0: no limit
    std::string user_agent;
    http_response response;
    std::exception_ptr failure;
    bool finished = false;
};

bool default_port(const parsed_url& url) {
    return url.port == (url.tls ? "443" : "80");
}

std::string authority(const parsed_url& url) {
    std::string out = url.host.find(':') != std::string::npos ? "[" + url.host + "]" : url.host;
    if (!default_port(url)) {
        out += ":" + url.port;
    }
    return out;
}

template <typename Parser>
void limit_body(Parser& parser, std::uint64_t max_body) {
    if (max_body > 0) {
        parser.body_limit(max_body);
    } else {
        parser.body_limit(boost::none);
    }
}

template <typename Stream>
net::awaitable<void> write_and_read(Stream& stream, exchange& ex) {
    bhttp::request<bhttp::string_body> req{bhttp::string_to_verb(ex.request->method), ex.url->target, 11};
    req.set(bhttp::field::host, authority(*ex.url));
    req.set(bhttp::field::user_agent, ex.user_agent);
    req.set(bhttp::field::accept_encoding, "gzip");
    for (const auto& [name, value] : ex.request->headers) {
        req.set(name, value);
    }
    if (!ex.request->body.empty() || ex.request->method == "POST" || ex.request->method == "PATCH" ||
        ex.request->method == "PUT") {
        req.body() = ex.request->body;
        req.prepare_payload();
    }
    co_await bhttp::async_write(stream, req, net::use_awaitable);

    beast::flat_buffer buffer;
    bhttp::response_parser<bhttp::empty_body> header_parser;
    header_parser.body_limit(boost::none);
    co_await bhttp::async_read_header(stream, buffer, header_parser, net::use_awaitable);
    unsigned status = header_parser.get().result_int();
    ex.response.status = status;
    for (const auto& field : header_parser.get()) {
        ex.response.headers.emplace_back(lower(field.name_string()), std::string(field.value()));
    }
    bool head = ex.request->method == "HEAD";
    // Beast checks body_limit against Content-Length while reading the header, which header_parser did
    // without a limit: check it here (chunked and read-to-close bodies are checked as they arrive).
    if (ex.max_body > 0 && !head && header_parser.content_length() && *header_parser.content_length() > ex.max_body) {
        throw po_error(error_kind::transport, "body larger than the limit", status);
    }
    bool to_file = ex.file_path && status >= 200 && status < 300 && !head;
    if (to_file) {
        bhttp::response_parser<bhttp::file_body> parser(std::move(header_parser));
        limit_body(parser, ex.max_body);
        beast::error_code ec;
        parser.get().body().open(ex.file_path->c_str(), beast::file_mode::write, ec);
        if (ec) {
            throw po_error(error_kind::transport, "cannot open " + *ex.file_path + ": " + ec.message());
        }
        co_await bhttp::async_read(stream, buffer, parser, net::use_awaitable);
        parser.get().body().close();
        std::error_code size_error;
        ex.response.body_bytes = std::filesystem::file_size(*ex.file_path, size_error);
    } else if (!head && status != 204 && status != 304) {
        bhttp::response_parser<bhttp::string_body> parser(std::move(header_parser));
        limit_body(parser, ex.max_body);
        co_await bhttp::async_read(stream, buffer, parser, net::use_awaitable);
        ex.response.body = std::move(parser.get().body());
        if (lower(ex.response.header("content-encoding")) == "gzip" && !ex.response.body.empty()) {
            ex.response.body = gunzip(ex.response.body, ex.max_body);
        }
        ex.response.body_bytes = ex.response.body.size();
    }
}

// The resolved addresses this exchange may connect to: all of them without a policy, else only those the
// policy accepts (none: refused, nothing is connected to).
std::vector<tcp::endpoint> allowed_endpoints(const tcp::resolver::results_type& results, const exchange& ex) {
    std::vector<tcp::endpoint> out;
    for (const auto& entry : results) {
        const tcp::endpoint endpoint = entry.endpoint();
        if (ex.policy && !address_allowed(*ex.policy->settings, endpoint.address())) {
            continue;
        }
        if (std::find(out.begin(), out.end(), endpoint) == out.end()) {
            out.push_back(endpoint);
        }
    }
    if (out.empty() && ex.policy) {
        throw fetch_refused("no allowed address for host " + ex.url->host);
    }
    return out;
}

net::awaitable<void> run_plain(tcp::resolver& resolver, beast::tcp_stream& stream, exchange& ex) {
    auto results = co_await resolver.async_resolve(ex.url->host, ex.url->port, net::use_awaitable);
    const auto endpoints = allowed_endpoints(results, ex);
    co_await stream.async_connect(endpoints, net::use_awaitable);
    co_await write_and_read(stream, ex);
    beast::error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_both, ec);
}

net::awaitable<void> run_tls(tcp::resolver& resolver, beast::ssl_stream<beast::tcp_stream>& stream,
                             exchange& ex) {
    auto results = co_await resolver.async_resolve(ex.url->host, ex.url->port, net::use_awaitable);
    const auto endpoints = allowed_endpoints(results, ex);
    co_await beast::get_lowest_layer(stream).async_connect(endpoints, net::use_awaitable);
    if (!SSL_set_tlsext_host_name(stream.native_handle(), ex.url->host.c_str())) {
        throw po_error(error_kind::transport, "cannot set TLS SNI for " + ex.url->host);
    }
    stream.set_verify_callback(ssl::host_name_verification(ex.url->host));
    co_await stream.async_handshake(ssl::stream_base::client, net::use_awaitable);
    co_await write_and_read(stream, ex);
    // Many servers close without close_notify: the shutdown result does not matter, the body is complete.
}

ssl::context& tls_context() {
    // Built once, thread-safe for concurrent use after construction (OpenSSL SSL_CTX is reference-counted).
    static ssl::context ctx = [] {
        ssl::context c(ssl::context::tls_client);
        c.set_default_verify_paths();
        c.set_verify_mode(ssl::verify_peer);
        return c;
    }();
    return ctx;
}

}  // namespace

std::string_view to_string(error_kind kind) {
    switch (kind) {
    case error_kind::not_found:
        return "not_found";
    case error_kind::unauthorized:
        return "unauthorized";
    case error_kind::client_error:
        return "client_error";
    case error_kind::server_error:
        return "server_error";
    case error_kind::timeout:
        return "timeout";
    case error_kind::transport:
        return "transport";
    case error_kind::refused:
        return "refused";
    }
    return "unknown";
}

error_kind kind_of_status(unsigned status) {
    if (status == 404 || status == 410) {
        return error_kind::not_found;
    }
    if (status == 401 || status == 403) {
        return error_kind::unauthorized;
    }
    if (status >= 500) {
        return error_kind::server_error;
    }
    return error_kind::client_error;
}

std::string http_response::header(std::string_view name) const {
    std::string key = lower(name);
    for (const auto& [k, v] : headers) {
        if (k == key) {
            return v;
        }
    }
    return {};
}

namespace {

bool starts_with_ci(std::string_view text, std::string_view prefix) {
    if (text.size() < prefix.size()) {
        return false;
    }
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(text[i])) != prefix[i]) {
            return false;
        }
    }
    return true;
}

[[noreturn]] void bad_url(const std::string& why) {
    throw po_error(error_kind::transport, "bad URL: " + why);
}

bool canonical_ipv4(std::string_view host) {
    int parts = 0;
    std::size_t at = 0;
    while (true) {
        const auto dot = host.find('.', at);
        const auto part = host.substr(at, dot == std::string_view::npos ? std::string_view::npos : dot - at);
        if (part.empty() || part.size() > 3 || (part.size() > 1 && part.front() == '0')) {
            return false;
        }
        int value = 0;
        for (char c : part) {
            if (c < '0' || c > '9') {
                return false;
            }
            value = value * 10 + (c - '0');
        }
        if (value > 255) {
            return false;
        }
        ++parts;
        if (dot == std::string_view::npos) {
            break;
        }
        at = dot + 1;
    }
    return parts == 4;
}

std::string parse_host(std::string_view text) {
    if (text.empty()) {
        bad_url("no host");
    }
    if (text.front() == '[') {
        if (text.back() != ']' || text.find('%') != std::string_view::npos) {
            bad_url("bad IPv6 host");
        }
        boost::system::error_code ec;
        const auto v6 = net::ip::make_address_v6(std::string(text.substr(1, text.size() - 2)), ec);
        if (ec) {
            bad_url("bad IPv6 host");
        }
        return v6.to_string();
    }
    std::string host = lower(text);
    if (host.back() == '.') {
        host.pop_back();
    }
    if (host.empty() || host.size() > 253) {
        bad_url("bad host");
    }
    std::size_t label_start = 0;
    for (std::size_t i = 0; i <= host.size(); ++i) {
        if (i == host.size() || host[i] == '.') {
            if (i == label_start || i - label_start > 63) {
                bad_url("bad host");
            }
            label_start = i + 1;
            continue;
        }
        const char c = host[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) {
            bad_url("bad character in host");
        }
    }
    // A last label starting with a digit is an IPv4 address: only its canonical dotted-quad form is read, so
    // that no resolver reads 2130706433, 0x7f000001, 127.1 or 0177.0.0.1 as a loopback address behind our back.
    const auto last = host.substr(host.rfind('.') == std::string::npos ? 0 : host.rfind('.') + 1);
    if (last.front() >= '0' && last.front() <= '9' && !canonical_ipv4(host)) {
        bad_url("numeric host not in dotted-quad form");
    }
    return host;
}

}  // namespace

parsed_url parse_url(std::string_view url) {
    for (char c : url) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte <= 0x20 || byte >= 0x7f || c == '\\') {
            bad_url("unexpected character");
        }
    }
    parsed_url out;
    std::string_view rest;
    if (starts_with_ci(url, "https://")) {
        out.tls = true;
        rest = url.substr(8);
    } else if (starts_with_ci(url, "http://")) {
        rest = url.substr(7);
    } else {
        bad_url("not an http(s) URL");
    }
    const auto end = rest.find_first_of("/?#");
    const std::string_view auth = rest.substr(0, end);
    std::string_view target = end == std::string_view::npos ? std::string_view() : rest.substr(end);
    target = target.substr(0, target.find('#'));
    out.target = target.empty() ? "/" : std::string(target);
    if (out.target.front() == '?') {
        out.target.insert(out.target.begin(), '/');
    }
    if (auth.find('@') != std::string_view::npos) {
        bad_url("credentials in URLs are not supported");
    }
    std::string_view host = auth;
    std::string_view port;
    const auto close = auth.find(']');
    const auto colon = auth.rfind(':');
    if (colon != std::string_view::npos && (close == std::string_view::npos || colon > close)) {
        host = auth.substr(0, colon);
        port = auth.substr(colon + 1);
    }
    out.host = parse_host(host);
    if (port.empty()) {
        out.port = out.tls ? "443" : "80";
    } else {
        unsigned value = 0;
        const auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
        if (ec != std::errc() || ptr != port.data() + port.size() || value == 0 || value > 65535) {
            bad_url("bad port");
        }
        out.port = std::to_string(value);
    }
    return out;
}

std::string to_string(const parsed_url& url) {
    return (url.tls ? "https://" : "http://") + authority(url) + url.target;
}

std::string resolve_location(std::string_view base_url, std::string_view location) {
    while (!location.empty() && (location.front() == ' ' || location.front() == '\t')) {
        location.remove_prefix(1);
    }
    while (!location.empty() && (location.back() == ' ' || location.back() == '\t')) {
        location.remove_suffix(1);
    }
    // Any "scheme:" makes it absolute (RFC 3986 §4.3); parse_url then refuses what is not http(s).
    const auto scheme_end = location.find_first_of(":/?#");
    if (scheme_end != std::string_view::npos && scheme_end > 0 && location[scheme_end] == ':' &&
        std::isalpha(static_cast<unsigned char>(location.front())) &&
        std::all_of(location.begin(), location.begin() + static_cast<std::ptrdiff_t>(scheme_end), [](char c) {
            return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.';
        })) {
        return std::string(location);
    }
    parsed_url base = parse_url(base_url);
    if (location.starts_with("//")) {
        return (base.tls ? "https:" : "http:") + std::string(location);
    }
    const std::string path = base.target.substr(0, base.target.find('?'));
    base.target.clear();
    const std::string origin = to_string(base);
    if (location.starts_with("/")) {
        return origin + std::string(location);
    }
    if (location.starts_with("?")) {
        return origin + path + std::string(location);
    }
    return origin + path.substr(0, path.rfind('/') + 1) + std::string(location);
}

std::string gunzip(std::string_view data, std::uint64_t max_bytes) {
    z_stream zs{};
    // 16 + MAX_WBITS: gzip header; concatenated members are handled by resetting below.
    if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) {
        throw po_error(error_kind::transport, "gzip: cannot initialise zlib");
    }
    struct end_stream {
        z_stream* zs;
        ~end_stream() { inflateEnd(zs); }
    } cleanup{&zs};
    std::string out;
    char buffer[65536];
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    zs.avail_in = static_cast<uInt>(data.size());
    while (true) {
        zs.next_out = reinterpret_cast<Bytef*>(buffer);
        zs.avail_out = sizeof buffer;
        const int rc = inflate(&zs, Z_NO_FLUSH);
        const std::size_t produced = sizeof buffer - zs.avail_out;
        if (max_bytes > 0 && out.size() + produced > max_bytes) {
            throw po_error(error_kind::transport, "gzip body inflates beyond " + std::to_string(max_bytes) + " bytes");
        }
        out.append(buffer, produced);
        if (rc == Z_STREAM_END) {
            if (zs.avail_in == 0) {
                return out;
            }
            inflateReset(&zs);
            continue;
        }
        if (rc != Z_OK || (zs.avail_in == 0 && zs.avail_out != 0)) {
            throw po_error(error_kind::transport, "bad gzip body");
        }
    }
}

http_client::http_client(std::string user_agent) : user_agent_(std::move(user_agent)) {}
http_client::~http_client() = default;

http_response http_client::send(const http_request& request) const {
    return perform(request, nullptr);
}

http_response http_client::send_to_file(const http_request& request, const std::string& path) const {
    return perform(request, &path);
}

http_response http_client::perform(const http_request& request, const std::string* file_path) const {
    http_request current = request;
    auto timeout = request.timeout;
    int max_redirects = request.max_redirects;
    std::uint64_t max_body = request.max_body_bytes;
    const fetch_policy* policy = request.policy;
    if (policy) {
        const fetch_settings& limits = *policy->settings;
        timeout = std::min(timeout, limits.timeout);
        max_redirects = std::min(max_redirects, limits.max_redirects);
        if (limits.max_bytes > 0 && (max_body == 0 || limits.max_bytes < max_body)) {
            max_body = limits.max_bytes;
        }
    }
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (int hop = 0;; ++hop) {
        // Parsed once: this value is what the policy checks and what the exchange connects to and asks for.
        parsed_url url;
        if (policy) {
            try {
                url = parse_url(current.url);
            } catch (const po_error& e) {
                throw fetch_refused(e.what());
            }
            policy->check_url(url);
        } else {
            url = parse_url(current.url);
        }
        const std::string url_text = to_string(url);
        exchange ex;
        ex.request = &current;
        ex.url = &url;
        ex.file_path = file_path;
        ex.policy = policy;
        ex.max_body = max_body;
        ex.user_agent = user_agent_;
        {
            net::io_context ioc(1);
            tcp::resolver resolver(ioc);
            beast::tcp_stream plain(ioc);
            beast::ssl_stream<beast::tcp_stream> secure(ioc, tls_context());
            auto done = [&ex](std::exception_ptr e) {
                ex.failure = e;
                ex.finished = true;
            };
            if (url.tls) {
                net::co_spawn(ioc, run_tls(resolver, secure, ex), done);
            } else {
                net::co_spawn(ioc, run_plain(resolver, plain, ex), done);
            }
            auto remaining = deadline - std::chrono::steady_clock::now();
            if (remaining > std::chrono::steady_clock::duration::zero()) {
                ioc.run_for(remaining);
            }
            if (!ex.finished) {
                ioc.stop();
                throw po_error(error_kind::timeout, current.method + " " + url_text + " timed out");
            }
        }
        if (ex.failure) {
            try {
                std::rethrow_exception(ex.failure);
            } catch (const po_error&) {
                throw;
            } catch (const boost::system::system_error& e) {
                // code().message() only: what() carries Boost's source locations (build paths).
                const bool too_big = e.code() == bhttp::error::body_limit;
                const std::string why = too_big ? "body larger than the limit" : e.code().message();
                throw po_error(error_kind::transport, current.method + " " + url_text + ": " + why);
            } catch (const std::exception& e) {
                throw po_error(error_kind::transport, current.method + " " + url_text + ": " + e.what());
            }
        }
        ex.response.final_url = url_text;
        std::string location = ex.response.header("location");
        if (!is_redirect(ex.response.status) || location.empty()) {
            return std::move(ex.response);
        }
        if (hop >= max_redirects) {
            if (policy) {
                // A redirect not followed is not the document that was asked for.
                throw fetch_refused("more than " + std::to_string(max_redirects) + " redirects");
            }
            return std::move(ex.response);
        }
        current.url = resolve_location(url_text, location);
        if (ex.response.status == 303 ||
            ((ex.response.status == 301 || ex.response.status == 302) && current.method == "POST")) {
            current.method = "GET";
            current.body.clear();
        }
    }
}

}  // namespace robotoff::off
