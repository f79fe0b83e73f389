// Blocking HTTP(S) requests on a private io_context per call: the request runs as a coroutine and the
// calling thread drives it with run_for(deadline), so one deadline bounds every step (Beast's synchronous
// calls have no timeouts). On timeout the io_context is stopped and destroyed with the socket.

#include "robotoff/off/http_client.hpp"

#include "robotoff/core/file_io.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <algorithm>
#include <cctype>
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
    std::string user_agent;
    http_response response;
    std::exception_ptr failure;
    bool finished = false;
};

template <typename Stream>
net::awaitable<void> write_and_read(Stream& stream, exchange& ex) {
    bhttp::request<bhttp::string_body> req{bhttp::string_to_verb(ex.request->method), ex.url->target, 11};
    req.set(bhttp::field::host, ex.url->host);
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
    bool to_file = ex.file_path && status >= 200 && status < 300 && !head;
    if (to_file) {
        bhttp::response_parser<bhttp::file_body> parser(std::move(header_parser));
        parser.body_limit(boost::none);
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
        parser.body_limit(boost::none);
        co_await bhttp::async_read(stream, buffer, parser, net::use_awaitable);
        ex.response.body = std::move(parser.get().body());
        if (lower(ex.response.header("content-encoding")) == "gzip" && !ex.response.body.empty()) {
            try {
                ex.response.body = core::gzip_decompress(ex.response.body);
            } catch (const core::io_error& e) {
                throw po_error(error_kind::transport, std::string("bad gzip body: ") + e.what(), status);
            }
        }
        ex.response.body_bytes = ex.response.body.size();
    }
}

net::awaitable<void> run_plain(tcp::resolver& resolver, beast::tcp_stream& stream, exchange& ex) {
    auto endpoints = co_await resolver.async_resolve(ex.url->host, ex.url->port, net::use_awaitable);
    co_await stream.async_connect(endpoints, net::use_awaitable);
    co_await write_and_read(stream, ex);
    beast::error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_both, ec);
}

net::awaitable<void> run_tls(tcp::resolver& resolver, beast::ssl_stream<beast::tcp_stream>& stream,
                             exchange& ex) {
    auto endpoints = co_await resolver.async_resolve(ex.url->host, ex.url->port, net::use_awaitable);
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

parsed_url parse_url(std::string_view url) {
    parsed_url out;
    std::string_view rest;
    if (url.starts_with("https://")) {
        out.tls = true;
        rest = url.substr(8);
    } else if (url.starts_with("http://")) {
        rest = url.substr(7);
    } else {
        throw po_error(error_kind::transport, "not an http(s) URL: " + std::string(url));
    }
    auto slash = rest.find_first_of("/?");
    std::string_view authority = rest.substr(0, slash);
    out.target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
    if (out.target.front() == '?') {
        out.target.insert(out.target.begin(), '/');
    }
    if (authority.find('@') != std::string_view::npos) {
        throw po_error(error_kind::transport, "credentials in URLs are not supported");
    }
    if (!authority.empty() && authority.front() == '[') {
        auto close = authority.find(']');
        if (close == std::string_view::npos) {
            throw po_error(error_kind::transport, "bad IPv6 host in URL");
        }
        out.host = std::string(authority.substr(1, close - 1));
        auto after = authority.substr(close + 1);
        out.port = after.starts_with(":") ? std::string(after.substr(1)) : "";
    } else {
        auto colon = authority.rfind(':');
        out.host = std::string(authority.substr(0, colon));
        out.port = colon == std::string_view::npos ? "" : std::string(authority.substr(colon + 1));
    }
    if (out.host.empty()) {
        throw po_error(error_kind::transport, "URL without host: " + std::string(url));
    }
    if (out.port.empty()) {
        out.port = out.tls ? "443" : "80";
    }
    return out;
}

std::string resolve_location(std::string_view base_url, std::string_view location) {
    if (location.starts_with("http://") || location.starts_with("https://")) {
        return std::string(location);
    }
    parsed_url base = parse_url(base_url);
    std::string origin = (base.tls ? "https://" : "http://") + base.host + ":" + base.port;
    if (location.starts_with("//")) {
        return (base.tls ? "https:" : "http:") + std::string(location);
    }
    if (location.starts_with("/")) {
        return origin + std::string(location);
    }
    std::string path = base.target.substr(0, base.target.find('?'));
    path = path.substr(0, path.rfind('/') + 1);
    return origin + path + std::string(location);
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
    auto deadline = std::chrono::steady_clock::now() + request.timeout;
    for (int hop = 0;; ++hop) {
        parsed_url url = parse_url(current.url);
        exchange ex;
        ex.request = &current;
        ex.url = &url;
        ex.file_path = file_path;
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
                throw po_error(error_kind::timeout, current.method + " " + current.url + " timed out");
            }
        }
        if (ex.failure) {
            try {
                std::rethrow_exception(ex.failure);
            } catch (const po_error&) {
                throw;
            } catch (const std::exception& e) {
                throw po_error(error_kind::transport, current.method + " " + current.url + ": " + e.what());
            }
        }
        ex.response.final_url = current.url;
        std::string location = ex.response.header("location");
        if (!is_redirect(ex.response.status) || location.empty() || hop >= request.max_redirects) {
            return std::move(ex.response);
        }
        current.url = resolve_location(current.url, location);
        if (ex.response.status == 303 ||
            ((ex.response.status == 301 || ex.response.status == 302) && current.method == "POST")) {
            current.method = "GET";
            current.body.clear();
        }
    }
}

}  // namespace robotoff::off
