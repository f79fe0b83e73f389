#pragma once
// DESIGN: the HTTP server (Boost.Beast on one io_context run by `threads` I/O threads).
// - listener accepts; each connection is a session on its own strand (keep-alive, per-message body limit
//   and timeout);
// - a request is matched in the router; its handler runs on the handler pool (a bounded core::thread_pool),
//   never on an I/O thread; a full pool answers 503 + Retry-After at once;
// - every response carries CORS headers (api.md §1.3); OPTIONS is answered as a preflight;
// - errors from handlers go through ONE error mapper (injected: the app knows every module's errors).
// Thread-safe start/stop. stop() stops accepting, waits for in-flight requests up to the grace period,
// then closes every connection and joins the I/O threads.

#include "robotoff/core/metrics.hpp"
#include "robotoff/core/network.hpp"
#include "robotoff/core/thread_pool.hpp"
#include "robotoff/http/router.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace robotoff::http {

struct server_settings {
    std::string host = "127.0.0.1";
    std::uint16_t port = 5500;
    std::size_t io_threads = 2;
    std::uint64_t max_body_bytes = 32ULL << 20;
    std::chrono::milliseconds request_timeout{30000};
    // Peers whose X-Forwarded-For is believed (http.trusted_proxies); anyone else's is ignored.
    std::vector<core::cidr> trusted_proxies;
};

// The client behind `peer`: the right-most X-Forwarded-For entry that is not a trusted proxy, walking left
// only through trusted ones. The peer itself when it is not trusted (its header could say anything).
std::string client_address(std::string_view peer, std::string_view forwarded_for,
                           const std::vector<core::cidr>& trusted_proxies);

// Parses "host:port" (IPv6 as "[::1]:5500"); throws core::usage_error.
void parse_listen_address(const std::string& text, server_settings& out);

// Turns an exception thrown by a handler into a response (and logs what must be logged).
using error_mapper = std::function<response(std::exception_ptr, const request&)>;

// The default mapping: core::client_error -> its status/title/description; core::service_unavailable ->
// 503 + Retry-After: 5; anything else -> 500 with a generic description (details only in the log).
response map_common_errors(std::exception_ptr error, const request& req);

class server {
public:
    server(server_settings settings, const router& routes, core::thread_pool& handlers,
           core::metrics_registry& metrics, error_mapper mapper = map_common_errors);
    ~server();
    server(const server&) = delete;
    server& operator=(const server&) = delete;

    // Binds and listens (throws std::system_error on failure), then starts the I/O threads.
    void start();
    // The bound port (useful with port 0).
    std::uint16_t port() const;
    void stop(std::chrono::milliseconds grace);

    std::size_t in_flight() const;

    struct impl;  // defined in server.cpp (sessions need it)

private:
    std::unique_ptr<impl> impl_;
};

}  // namespace robotoff::http
