// SSRF (issue 13): a "canary" HTTP server on loopback must receive NO connection whatever URL the daemon is
// asked to fetch (other hosts and ports, numeric IPv4 spellings, IPv4-mapped IPv6, `localhost#.evil`,
// redirects from the allowed image server), while fetches from the configured image server still work.
// The transport limits (redirect count, body size, gzip inflation, address refusal) are checked in process
// on the off::fetcher against the same loopback servers.

#include "robotoff/core/file_io.hpp"
#include "robotoff/core/json.hpp"
#include "robotoff/http/request.hpp"
#include "robotoff/off/fetch_policy.hpp"
#include "support/test_support.hpp"

#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <thread>

using namespace robotoff;
using namespace robotoff::testing;
using namespace std::chrono;

namespace {

// A tiny HTTP/1.0-style server on loopback: one thread, one request per connection, answers built by
// `respond(target)` (raw HTTP response text). Without `respond` it is a canary: it only counts connections.
class loopback_server {
public:
    using responder = std::function<std::string(const std::string& target)>;

    explicit loopback_server(responder respond = {}) : respond_(std::move(respond)) {
        listen_on("127.0.0.1", 0);
        // The canary also listens on 127.0.0.2 and ::1 at the same port (if it can): a URL naming those must
        // not reach it either.
        if (!respond_) {
            listen_on("127.0.0.2", port_);
            listen_on("::1", port_);
        }
        thread_ = std::jthread([this](std::stop_token stop) { run(stop); });
    }
    ~loopback_server() {
        thread_.request_stop();
        thread_.join();
        for (int fd : fds_) {
            ::close(fd);
        }
    }
    loopback_server(const loopback_server&) = delete;
    loopback_server& operator=(const loopback_server&) = delete;

    std::uint16_t port() const { return port_; }
    std::string origin() const { return "http://127.0.0.1:" + std::to_string(port_); }
    int connections() const { return connections_.load(); }
    std::vector<std::string> targets() const {
        std::lock_guard lock(mutex_);
        return targets_;
    }

private:
    void listen_on(const char* address, std::uint16_t port) {
        const bool v6 = std::string(address).find(':') != std::string::npos;
        const int fd = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw std::runtime_error("socket failed");
        }
        const int one = 1;
        ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        int rc = -1;
        if (v6) {
            sockaddr_in6 sa{};
            sa.sin6_family = AF_INET6;
            sa.sin6_port = htons(port);
            ::inet_pton(AF_INET6, address, &sa.sin6_addr);
            ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
            rc = ::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
        } else {
            sockaddr_in sa{};
            sa.sin_family = AF_INET;
            sa.sin_port = htons(port);
            ::inet_pton(AF_INET, address, &sa.sin_addr);
            rc = ::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
        }
        if (rc != 0 || ::listen(fd, 64) != 0) {
            ::close(fd);
            if (port == 0) {
                throw std::runtime_error("cannot listen on loopback");
            }
            return;  // the extra canary addresses are best effort
        }
        if (port == 0) {
            sockaddr_in sa{};
            socklen_t len = sizeof sa;
            ::getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len);
            port_ = ntohs(sa.sin_port);
        }
        fds_.push_back(fd);
    }

    void run(const std::stop_token& stop) {
        std::vector<pollfd> polls;
        for (int fd : fds_) {
            polls.push_back({fd, POLLIN, 0});
        }
        while (!stop.stop_requested()) {
            if (::poll(polls.data(), polls.size(), 50) <= 0) {
                continue;
            }
            for (auto& p : polls) {
                if (!(p.revents & POLLIN)) {
                    continue;
                }
                const int client = ::accept4(p.fd, nullptr, nullptr, SOCK_CLOEXEC);
                if (client < 0) {
                    continue;
                }
                ++connections_;
                if (respond_) {
                    serve(client);
                }
                ::close(client);
            }
        }
    }

    void serve(int client) {
        timeval tv{2, 0};
        ::setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        std::string request;
        char buffer[4096];
        while (request.find("\r\n\r\n") == std::string::npos) {
            const auto n = ::recv(client, buffer, sizeof buffer, 0);
            if (n <= 0) {
                return;
            }
            request.append(buffer, static_cast<std::size_t>(n));
        }
        const auto first_space = request.find(' ');
        const auto second_space = request.find(' ', first_space + 1);
        const std::string target = request.substr(first_space + 1, second_space - first_space - 1);
        {
            std::lock_guard lock(mutex_);
            targets_.push_back(target);
        }
        const std::string answer = respond_(target);
        std::size_t sent = 0;
        while (sent < answer.size()) {
            const auto n = ::send(client, answer.data() + sent, answer.size() - sent, MSG_NOSIGNAL);
            if (n <= 0) {
                return;
            }
            sent += static_cast<std::size_t>(n);
        }
    }

    responder respond_;
    std::vector<int> fds_;
    std::uint16_t port_ = 0;
    std::atomic<int> connections_{0};
    mutable std::mutex mutex_;
    std::vector<std::string> targets_;
    std::jthread thread_;
};

std::string reply(int status, const std::string& body, const std::string& extra_headers = "") {
    return "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Length: " + std::to_string(body.size()) +
           "\r\nConnection: close\r\n" + extra_headers + "\r\n" + body;
}

std::string redirect(const std::string& location) {
    return reply(302, "", "Location: " + location + "\r\n");
}

const std::string product_path = "/images/products/001/111/070/2081/";

using robotoff::http::url_encode;

// The image server: the real OCR JSON and photo at 2.json / 2.jpg; 5.* redirect to the canary, 6.json
// redirects (one allowed hop) to 2.json, /loop redirects forever, /big and /bomb are over the limits.
struct servers {
    loopback_server canary;
    std::string ocr_json = core::read_file(shared_path("samples/ocr/0011110702081_2.json"));
    std::string jpeg = core::read_file(shared_path("samples/images/0011110702081_2.jpg"));
    std::string bomb = core::gzip_compress(std::string(8 << 20, '0'));
    loopback_server images{[this](const std::string& target) {
        if (target == product_path + "2.json") {
            return reply(200, ocr_json, "Content-Type: application/json\r\n");
        }
        if (target == product_path + "2.jpg") {
            return reply(200, jpeg, "Content-Type: image/jpeg\r\n");
        }
        if (target == product_path + "5.json" || target == product_path + "5.jpg") {
            return redirect(canary.origin() + product_path + "2.json");
        }
        if (target == product_path + "7.json") {
            return redirect("http://127.0.0.2:" + std::to_string(canary.port()) + product_path + "2.json");
        }
        if (target == product_path + "8.json") {
            return redirect("//localhost:" + std::to_string(canary.port()) + product_path + "2.json");
        }
        if (target == product_path + "6.json") {
            return redirect(product_path + "2.json");
        }
        if (target == "/loop") {
            return redirect("/loop");
        }
        if (target == "/big") {
            return reply(200, std::string(2 << 20, 'x'));
        }
        if (target == "/eof") {  // no Content-Length: read until the connection closes
            return "HTTP/1.1 200 X\r\nConnection: close\r\n\r\n" + std::string(2 << 20, 'x');
        }
        if (target == "/bomb") {
            return reply(200, bomb, "Content-Encoding: gzip\r\n");
        }
        return reply(404, "not found");
    }};
};

// The URLs no fetch may reach the canary with (its port is C, the image server's I).
std::vector<std::string> hostile_urls(const servers& s) {
    const std::string c = std::to_string(s.canary.port());
    const std::string i = std::to_string(s.images.port());
    const std::string tail = product_path + "2.json";
    return {
        "http://127.0.0.1:" + c + tail,                      // the image server's host, another port
        "http://127.0.0.2:" + c + tail,
        "http://localhost:" + c + tail,
        "http://localhost#.evil:" + c + tail,
        "http://127.0.0.1#@127.0.0.1:" + c + tail,
        "http://2130706433:" + c + tail,
        "http://0x7f000001:" + c + tail,
        "http://127.1:" + c + tail,
        "http://0177.0.0.1:" + c + tail,
        "http://[::ffff:127.0.0.1]:" + c + tail,
        "http://[::1]:" + c + tail,
        "http://[::ffff:169.254.169.254]" + tail,
        "http://169.254.169.254" + tail,
        "http://10.0.0.1" + tail,
        "http://0.0.0.0:" + c + tail,
        "http://127.0.0.1:" + i + "@127.0.0.1:" + c + tail,
        "http://127.0.0.1:" + i + "\\@127.0.0.1:" + c + tail,
        "gopher://127.0.0.1:" + c + tail,
        "http://127.0.0.1:" + i + product_path + "5.json",   // redirects to the canary
        "http://127.0.0.1:" + i + product_path + "7.json",   // redirects to 127.0.0.2
        "http://127.0.0.1:" + i + product_path + "8.json",   // redirects to //localhost
    };
}

bool refused_body(const http_reply& r, const std::string& name) {
    return r.status == 400 && r.body.find("could not fetch " + name + ": refused by policy") != std::string::npos;
}

}  // namespace

TEST_CASE("SSRF: disallowed URLs never reach the canary; the image server still serves", "[integration]") {
    servers s;
    temp_database db;
    auto daemon = start_daemon(db.url(), {"--off.images_url=" + s.images.origin(),
                                          "--fetch.allowed_networks=127.0.0.0/8",
                                          "--crop.allowed_domains=127.0.0.1:" + std::to_string(s.images.port())});
    const auto port = daemon->port();

    for (const auto& url : hostile_urls(s)) {
        INFO(url);
        const auto ocr = http_get(port, "/api/v1/predict/ocr_prediction?ocr_url=" + url_encode(url));
        INFO(ocr.status << " " << ocr.body);
        CHECK(refused_body(ocr, "ocr_url"));
        const auto image = http_get(port, "/api/v1/predict/ocr_prediction?image_url=" + url_encode(url));
        CHECK(refused_body(image, "image_url"));
        const auto crop = http_get(port, "/api/v1/images/crop?image_url=" + url_encode(url) +
                                             "&y_min=0&x_min=0&y_max=1&x_max=1");
        INFO(crop.status << " " << crop.body);
        CHECK(refused_body(crop, "image_url"));
        const auto local = http_request(port, "POST", "/api/v1/images/ocr?image_url=" + url_encode(url));
        CHECK(refused_body(local, "image_url"));
        // Error texts never tell ports apart nor carry source paths.
        for (const auto* r : {&ocr, &image, &crop, &local}) {
            CHECK(r->body.find("Connection refused") == std::string::npos);
            CHECK(r->body.find(".hpp") == std::string::npos);
        }
    }
    // The fragment trick with the allowed host: what is fetched is the checked host, path "/".
    const auto fragment = http_get(port, "/api/v1/predict/ocr_prediction?ocr_url=" +
                                             url_encode(s.images.origin() + "#.evil:" +
                                                        std::to_string(s.canary.port()) + product_path + "2.json"));
    CHECK(fragment.status == 400);
    CHECK(s.canary.connections() == 0);

    // Allowed: the image server, directly and through one redirect on itself.
    const auto ok = http_get(port, "/api/v1/predict/ocr_prediction?ocr_url=" +
                                       url_encode(s.images.origin() + product_path + "2.json") +
                                       "&prediction_types=nutrient_mention");
    INFO(ok.body);
    REQUIRE(ok.status == 200);
    CHECK(core::parse_json(ok.body)["predictions"].Size() == 1);
    const auto hop = http_get(port, "/api/v1/predict/ocr_prediction?ocr_url=" +
                                        url_encode(s.images.origin() + product_path + "6.json") +
                                        "&prediction_types=nutrient_mention");
    CHECK(hop.status == 200);
    CHECK(core::parse_json(hop.body)["predictions"].Size() == 1);
    const auto crop = http_get(port, "/api/v1/images/crop?image_url=" +
                                         url_encode(s.images.origin() + product_path + "2.jpg") +
                                         "&y_min=0&x_min=0&y_max=0.5&x_max=0.5");
    CHECK(crop.status == 200);
    CHECK(crop.header("content-type") == "image/jpeg");
    // A missing document: generic text, no status or port detail.
    const auto missing = http_get(port, "/api/v1/predict/ocr_prediction?ocr_url=" +
                                            url_encode(s.images.origin() + product_path + "9.json"));
    CHECK(missing.body.find("could not fetch ocr_url: fetch failed") != std::string::npos);

    // images/import: only Product Opener's own layout for this barcode and image id.
    const std::string base = s.images.origin() + "/images/products/490/301/513/0266/2";
    const auto evil = http_post_form(port, "/api/v1/images/import",
                                     "barcode=4903015130266&image_url=" +
                                         url_encode(s.canary.origin() + "/images/products/490/301/513/0266/2.jpg") +
                                         "&ocr_url=" + url_encode(base + ".json"));
    CHECK(evil.status == 400);
    CHECK(evil.body.find("image_url") != std::string::npos);
    const auto evil_ocr = http_post_form(port, "/api/v1/images/import",
                                         "barcode=4903015130266&image_url=" + url_encode(base + ".jpg") +
                                             "&ocr_url=" + url_encode(s.canary.origin() + "/x/2.json"));
    CHECK(evil_ocr.status == 400);
    CHECK(evil_ocr.body.find("ocr_url") != std::string::npos);
    const auto fine = http_post_form(port, "/api/v1/images/import",
                                     "barcode=4903015130266&image_url=" + url_encode(base + ".jpg") +
                                         "&ocr_url=" + url_encode(base + ".json"));
    CHECK(fine.status == 200);

    CHECK(s.canary.connections() == 0);
    daemon->signal(SIGTERM);
    CHECK(daemon->wait_exit() == 0);
}

TEST_CASE("SSRF: the configured image server on loopback is refused without fetch.allowed_networks",
          "[integration]") {
    servers s;
    temp_database db;
    // The image server IS the canary: its host passes, its address (loopback) does not.
    auto daemon = start_daemon(db.url(), {"--off.images_url=" + s.canary.origin()});
    const auto r = http_get(daemon->port(), "/api/v1/predict/ocr_prediction?ocr_url=" +
                                                url_encode(s.canary.origin() + product_path + "2.json"));
    INFO(r.status << " " << r.body);
    CHECK(refused_body(r, "ocr_url"));
    CHECK(s.canary.connections() == 0);
    daemon->signal(SIGTERM);
    CHECK(daemon->wait_exit() == 0);
}

TEST_CASE("off::fetcher: redirect limit, body and gzip caps, refused addresses", "[integration]") {
    servers s;
    off::http_client client("robotoffd-test");
    off::fetch_settings settings;
    settings.allowed_networks = {off::parse_network("127.0.0.0/8")};
    settings.max_bytes = 1 << 20;
    const off::fetcher fetcher(client, settings);
    const off::host_allow_list hosts = {off::parse_allowed_host(s.images.origin())};

    const auto ok = fetcher.get(s.images.origin() + product_path + "6.json", hosts, seconds(5));
    CHECK(ok.status == 200);
    CHECK(ok.body == s.ocr_json);
    CHECK(ok.final_url == s.images.origin() + product_path + "2.json");

    CHECK_THROWS_AS(fetcher.get(s.images.origin() + "/loop", hosts, seconds(5)), off::fetch_refused);
    const auto loops = s.images.targets();
    CHECK(std::count(loops.begin(), loops.end(), "/loop") == 4);  // the first hop and 3 redirects
    CHECK_THROWS_AS(fetcher.get(s.images.origin() + product_path + "5.json", hosts, seconds(5)), off::fetch_refused);
    CHECK_THROWS_AS(fetcher.get(s.canary.origin() + "/", hosts, seconds(5)), off::fetch_refused);

    try {
        fetcher.get(s.images.origin() + "/big", hosts, seconds(5));
        FAIL("expected the body limit");
    } catch (const off::po_error& e) {
        CHECK(e.kind() == off::error_kind::transport);
    }
    try {
        fetcher.get(s.images.origin() + "/eof", hosts, seconds(5));
        FAIL("expected the body limit without Content-Length");
    } catch (const off::po_error& e) {
        CHECK(e.kind() == off::error_kind::transport);
    }
    try {
        fetcher.get(s.images.origin() + "/bomb", hosts, seconds(5));
        FAIL("expected the inflation limit");
    } catch (const off::po_error& e) {
        CHECK(std::string(e.what()).find("inflates beyond") != std::string::npos);
    }

    // Without the loopback network: refused after resolution, before any connection.
    const off::fetcher strict(client, off::fetch_settings{});
    const off::host_allow_list canary_host = {off::parse_allowed_host(s.canary.origin()),
                                              off::parse_allowed_host("localhost:" + std::to_string(s.canary.port()))};
    CHECK_THROWS_AS(strict.get(s.canary.origin() + "/", canary_host, seconds(5)), off::fetch_refused);
    CHECK_THROWS_AS(strict.get("http://localhost:" + std::to_string(s.canary.port()) + "/", canary_host, seconds(5)),
                    off::fetch_refused);
    CHECK(s.canary.connections() == 0);
}

TEST_CASE("SSRF: an import_image job fetches Product Opener's URLs, never the ones in its payload",
          "[integration]") {
    servers s;
    temp_database db;
    {
        // A row as an old build's images/import (or anyone with database access) could have left it.
        auto conn = db.connect();
        const std::string canary = s.canary.origin() + product_path;
        conn->exec("INSERT INTO job (kind, payload) VALUES ('import_image', $1::jsonb)",
                   {"{\"server_type\":\"off\",\"barcode\":\"0011110702081\",\"image_id\":\"2\",\"image_url\":\"" +
                    canary + "2.jpg\",\"ocr_url\":\"" + canary + "2.json\",\"ocr_checks\":0}"});
    }
    const std::string origin = s.images.origin();
    auto daemon = start_daemon(db.url(), {"--off.images_url=" + origin, "--off.world_url=" + origin,
                                          "--off.static_url=" + origin, "--fetch.allowed_networks=127.0.0.0/8",
                                          "--insights.product_check=false", "--jobs.workers=1",
                                          "--jobs.poll_interval_ms=100"});
    auto conn = db.connect();
    REQUIRE(eventually(
        [&] {
            return conn->exec("SELECT count(*) FROM job WHERE kind = 'import_image' AND state = 'done'")
                       .get_int(0, 0) == 1;
        },
        seconds(60)));
    const auto targets = s.images.targets();
    CHECK(std::count(targets.begin(), targets.end(), product_path + "2.json") == 1);
    CHECK(conn->exec("SELECT count(*) FROM prediction WHERE barcode = '0011110702081'").get_int(0, 0) > 0);
    CHECK(s.canary.connections() == 0);
    daemon->signal(SIGTERM);
    CHECK(daemon->wait_exit() == 0);
}
