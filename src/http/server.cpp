#include "robotoff/http/server.hpp"

#include "robotoff/core/config.hpp"
#include "robotoff/core/errors.hpp"
#include "robotoff/core/log.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace robotoff::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;

void parse_listen_address(const std::string& text, server_settings& out) {
    std::string host;
    std::string port;
    if (!text.empty() && text.front() == '[') {
        const auto close = text.find(']');
        if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':') {
            throw core::usage_error("http.listen must be host:port (got '" + text + "')");
        }
        host = text.substr(1, close - 1);
        port = text.substr(close + 2);
    } else {
        const auto colon = text.rfind(':');
        if (colon == std::string::npos) {
            throw core::usage_error("http.listen must be host:port (got '" + text + "')");
        }
        host = text.substr(0, colon);
        port = text.substr(colon + 1);
    }
    const auto n = core::parse_int(port);
    if (host.empty() || !n || *n < 0 || *n > 65535) {
        throw core::usage_error("http.listen must be host:port with a port in 0..65535 (got '" + text + "')");
    }
    out.host = host;
    out.port = static_cast<std::uint16_t>(*n);
}

std::string client_address(std::string_view peer, std::string_view forwarded_for,
                           const std::vector<core::cidr>& trusted_proxies) {
    std::string client(peer);
    std::size_t end = forwarded_for.size();
    while (core::in_networks(client, trusted_proxies) && end > 0) {
        const std::size_t comma = forwarded_for.rfind(',', end - 1);
        const std::size_t begin = comma == std::string_view::npos ? 0 : comma + 1;
        std::string_view item = forwarded_for.substr(begin, end - begin);
        while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) {
            item.remove_prefix(1);
        }
        while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) {
            item.remove_suffix(1);
        }
        if (!item.empty()) {
            client = std::string(item);
        }
        if (comma == std::string_view::npos) {
            break;
        }
        end = comma;
    }
    return client;
}

response map_common_errors(std::exception_ptr error, const request& req) {
    try {
        std::rethrow_exception(error);
    } catch (const core::client_error& e) {
        return response::error(e.status(), e.title(), e.description());
    } catch (const core::service_unavailable& e) {
        core::log::warning("http.unavailable", {{"request_id", req.request_id}, {"error", e.what()}});
        auto r = response::error(503, "503 Service Unavailable", "The service is overloaded; retry later.");
        r.headers.emplace_back("Retry-After", "5");
        return r;
    } catch (const std::exception& e) {
        core::log::error("http.handler_failed",
                         {{"request_id", req.request_id}, {"path", req.path}, {"error", e.what()}});
    } catch (...) {
        core::log::error("http.handler_failed", {{"request_id", req.request_id}, {"path", req.path}});
    }
    return response::error(500, "500 Internal Server Error", "An unexpected error occurred.");
}

namespace {

std::string make_request_id() {
    static std::atomic<unsigned long long> counter{0};
    static const unsigned long long seed =
        static_cast<unsigned long long>(std::chrono::steady_clock::now().time_since_epoch().count());
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%08llx-%llu", seed & 0xffffffffULL, ++counter);
    return buffer;
}

std::string strip_trailing_slash(std::string path) {
    while (path.size() > 1 && path.back() == '/') {
        path.pop_back();
    }
    return path;
}

}  // namespace

struct server::impl {
    server_settings settings;
    const router& routes;
    core::thread_pool& handlers;
    core::metrics_registry& metrics;
    error_mapper mapper;

    net::io_context ioc;
    tcp::acceptor acceptor{ioc};
    std::vector<std::thread> threads;
    std::atomic<std::size_t> in_flight{0};
    std::atomic<bool> stopping{false};
    std::mutex drain_mutex;
    std::condition_variable drained;
    std::uint16_t bound_port = 0;

    impl(server_settings s, const router& r, core::thread_pool& h, core::metrics_registry& m, error_mapper em)
        : settings(std::move(s)), routes(r), handlers(h), metrics(m), mapper(std::move(em)) {}

    void accept();
    void request_done() {
        if (in_flight.fetch_sub(1) == 1) {
            std::lock_guard lock(drain_mutex);
            drained.notify_all();
        }
    }
};

namespace {

class session : public std::enable_shared_from_this<session> {
public:
    session(tcp::socket socket, server::impl& owner) : stream_(std::move(socket)), owner_(owner) {
        beast::error_code ec;
        const auto endpoint = stream_.socket().remote_endpoint(ec);
        if (!ec) {
            peer_ = endpoint.address().to_string();
        }
    }

    void start() {
        net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->read(); });
    }

private:
    void read() {
        parser_.emplace();
        parser_->body_limit(owner_.settings.max_body_bytes);
        parser_->header_limit(64 * 1024);
        stream_.expires_after(owner_.settings.request_timeout);
        bhttp::async_read(stream_, buffer_, *parser_,
                          [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
    }

    void on_read(beast::error_code ec) {
        if (ec == bhttp::error::end_of_stream || ec == net::error::operation_aborted ||
            ec == beast::error::timeout || ec == net::error::connection_reset || ec == net::error::eof) {
            close();
            return;
        }
        if (ec == bhttp::error::body_limit) {
            keep_alive_ = false;
            request req;
            req.method = std::string(parser_->get().method_string());
            req.path = std::string(parser_->get().target());
            started_ = std::chrono::steady_clock::now();
            route_label_ = "unmatched";
            write(response::error(413, "413 Payload Too Large",
                                  "The request body is larger than " +
                                      std::to_string(owner_.settings.max_body_bytes) + " bytes."),
                  req);
            return;
        }
        if (ec) {
            // Malformed request: answer 400 when possible, then close.
            keep_alive_ = false;
            request req;
            route_label_ = "unmatched";
            started_ = std::chrono::steady_clock::now();
            write(response::error(400, "400 Bad Request", "Malformed HTTP request: " + ec.message()), req);
            return;
        }
        handle(parser_->release());
    }

    void handle(bhttp::request<bhttp::string_body> msg) {
        started_ = std::chrono::steady_clock::now();
        keep_alive_ = msg.keep_alive();
        auto req = std::make_shared<request>();
        req->method = std::string(msg.method_string());
        req->target = std::string(msg.target());
        req->peer_address = peer_;
        req->request_id = make_request_id();
        req->deadline = started_ + owner_.settings.request_timeout;
        for (const auto& field : msg) {
            std::string name(field.name_string());
            for (auto& c : name) {
                c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            }
            req->headers.emplace_back(std::move(name), std::string(field.value()));
        }
        const auto q = req->target.find('?');
        req->path = strip_trailing_slash(url_decode(req->target.substr(0, q), false));
        if (q != std::string::npos) {
            req->params.add_urlencoded(std::string_view(req->target).substr(q + 1));
        }
        const auto content_type = req->header("content-type");
        if (content_type.find("application/x-www-form-urlencoded") != std::string_view::npos) {
            req->params.add_urlencoded(msg.body());
        }
        req->body = std::move(msg.body());
        origin_ = std::string(req->header("origin"));
        req->client_address = client_address(peer_, req->header("x-forwarded-for"), owner_.settings.trusted_proxies);

        if (req->method == "OPTIONS") {
            write(preflight(*req), *req);
            return;
        }
        const auto match = owner_.routes.match(req->method, req->path);
        if (!match.matched) {
            route_label_ = "unmatched";
            if (match.allowed_methods.empty()) {
                write(response::error(404, "404 Not Found", "No route for " + req->path), *req);
                return;
            }
            std::string allow;
            for (const auto& m : match.allowed_methods) {
                allow += (allow.empty() ? "" : ", ") + m;
            }
            auto r = response::error(405, "405 Method Not Allowed",
                                     "Method " + req->method + " is not allowed on " + req->path);
            r.headers.emplace_back("Allow", allow);
            write(std::move(r), *req);
            return;
        }
        route_label_ = match.matched->pattern;
        req->path_params = match.path_params;
        if (auto bad = first_unstorable_text(*req)) {
            write(response::error(400, "Invalid parameter",
                                  "The \"" + *bad + "\" parameter must be UTF-8 text without NUL characters."),
                  *req);
            return;
        }
        const route* target = match.matched;
        owner_.in_flight.fetch_add(1);
        auto self = shared_from_this();
        if (target->async_fn) {
            handle_async(*target, req);
            return;
        }
        const bool queued = owner_.handlers.try_submit([self, req, target] {
            response r;
            try {
                r = target->fn(*req);
            } catch (...) {
                r = self->owner_.mapper(std::current_exception(), *req);
            }
            net::post(self->stream_.get_executor(), [self, req, r = std::move(r)]() mutable {
                self->write(std::move(r), *req);
                self->owner_.request_done();
            });
        });
        if (!queued) {
            owner_.request_done();
            auto r = response::error(503, "503 Service Unavailable", "Too many requests in progress; retry later.");
            r.headers.emplace_back("Retry-After", "5");
            write(std::move(r), *req);
        }
    }

    // The route answers later from another thread; the response is written on this session's strand.
    void handle_async(const route& target, const std::shared_ptr<request>& req) {
        auto reply = [self = shared_from_this(), req](response r, std::exception_ptr error) {
            if (error) {
                r = self->owner_.mapper(error, *req);
            }
            net::post(self->stream_.get_executor(), [self, req, r = std::move(r)]() mutable {
                self->write(std::move(r), *req);
                self->owner_.request_done();
            });
        };
        try {
            target.async_fn(*req, reply);
        } catch (...) {
            reply(response{}, std::current_exception());
        }
    }

    response preflight(const request& req) {
        route_label_ = "preflight";
        std::string methods;
        for (const auto& r : owner_.routes.routes()) {
            const auto m = owner_.routes.match(r.method, req.path);
            if (m.matched == &r && methods.find(r.method) == std::string::npos) {
                methods += r.method + ", ";
            }
        }
        methods += "OPTIONS";
        auto r = response::empty(200);
        r.headers.emplace_back("Access-Control-Allow-Methods", methods);
        const auto requested = req.header("access-control-request-headers");
        r.headers.emplace_back("Access-Control-Allow-Headers",
                               requested.empty() ? std::string("Authorization, Content-Type") : std::string(requested));
        r.headers.emplace_back("Access-Control-Max-Age", "86400");
        return r;
    }

    void write(response r, const request& req) {
        auto msg = std::make_shared<bhttp::response<bhttp::string_body>>();
        msg->version(11);
        msg->result(r.status);
        msg->keep_alive(keep_alive_ && !owner_.stopping.load());
        if (!r.content_type.empty()) {
            msg->set(bhttp::field::content_type, r.content_type);
        }
        msg->set(bhttp::field::server, "robotoffd");
        if (origin_.empty()) {
            msg->set(bhttp::field::access_control_allow_origin, "*");
        } else {
            msg->set(bhttp::field::access_control_allow_origin, origin_);
            msg->set(bhttp::field::access_control_allow_credentials, "true");
        }
        msg->set(bhttp::field::vary, "Origin");
        msg->set(bhttp::field::access_control_expose_headers, "Retry-After");
        if (!req.request_id.empty()) {
            msg->set("X-Request-Id", req.request_id);
        }
        for (auto& [k, v] : r.headers) {
            msg->set(k, v);
        }
        msg->body() = std::move(r.body);
        msg->prepare_payload();

        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
        const std::string method = req.method.empty() ? "UNKNOWN" : req.method;
        owner_.metrics.increment("robotoffd_http_requests_total",
                                 {{"route", route_label_}, {"method", method}, {"status", std::to_string(r.status)}});
        owner_.metrics.observe("robotoffd_http_request_duration_seconds", {{"route", route_label_}, {"method", method}},
                               seconds);
        core::log::debug("http.request", {{"request_id", req.request_id}, {"method", method}, {"path", req.path},
                                          {"status", r.status}, {"seconds", seconds}});

        stream_.expires_after(owner_.settings.request_timeout);
        bhttp::async_write(stream_, *msg, [self = shared_from_this(), msg](beast::error_code ec, std::size_t) {
            if (ec || !msg->keep_alive()) {
                self->close();
                return;
            }
            self->read();
        });
    }

    void close() {
        beast::error_code ec;
        stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
        stream_.socket().close(ec);
    }

    beast::tcp_stream stream_;
    server::impl& owner_;
    beast::flat_buffer buffer_;
    std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
    std::string peer_;
    std::string origin_;
    std::string route_label_;
    bool keep_alive_ = true;
    std::chrono::steady_clock::time_point started_;
};

}  // namespace

void server::impl::accept() {
    acceptor.async_accept(net::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
        if (ec) {
            if (ec == net::error::operation_aborted || stopping.load()) {
                return;
            }
            core::log::warning("http.accept_failed", {{"error", ec.message()}});
        } else {
            std::make_shared<session>(std::move(socket), *this)->start();
        }
        if (!stopping.load()) {
            accept();
        }
    });
}

server::server(server_settings settings, const router& routes, core::thread_pool& handlers,
               core::metrics_registry& metrics, error_mapper mapper)
    : impl_(std::make_unique<impl>(std::move(settings), routes, handlers, metrics, std::move(mapper))) {
    metrics.describe("robotoffd_http_requests_total", core::metrics_registry::kind::counter,
                     "HTTP requests by route template, method and status");
    metrics.describe("robotoffd_http_request_duration_seconds", core::metrics_registry::kind::histogram,
                     "HTTP request duration by route template and method");
}

server::~server() { stop(std::chrono::milliseconds(0)); }

void server::start() {
    auto& i = *impl_;
    const auto address = net::ip::make_address(i.settings.host);
    const tcp::endpoint endpoint(address, i.settings.port);
    i.acceptor.open(endpoint.protocol());
    i.acceptor.set_option(net::socket_base::reuse_address(true));
    i.acceptor.bind(endpoint);
    i.acceptor.listen(net::socket_base::max_listen_connections);
    i.bound_port = i.acceptor.local_endpoint().port();
    i.accept();
    for (std::size_t n = 0; n < i.settings.io_threads; ++n) {
        i.threads.emplace_back([&i, n] {
            core::set_thread_name("rd-http-" + std::to_string(n));
            i.ioc.run();
        });
    }
}

std::uint16_t server::port() const { return impl_->bound_port; }

std::size_t server::in_flight() const { return impl_->in_flight.load(); }

void server::stop(std::chrono::milliseconds grace) {
    auto& i = *impl_;
    if (i.threads.empty()) {
        return;
    }
    i.stopping.store(true);
    net::post(i.ioc, [&i] {
        beast::error_code ec;
        i.acceptor.close(ec);
    });
    {
        std::unique_lock lock(i.drain_mutex);
        i.drained.wait_for(lock, grace, [&i] { return i.in_flight.load() == 0; });
    }
    if (i.in_flight.load() > 0) {
        core::log::warning("http.shutdown_abandoned", {{"in_flight", i.in_flight.load()}});
    }
    i.ioc.stop();
    for (auto& t : i.threads) {
        t.join();
    }
    i.threads.clear();
}

}  // namespace robotoff::http
