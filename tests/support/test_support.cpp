#include "test_support.hpp"

#include "robotoff/db/migrations.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <stdexcept>
#include <vector>

#ifndef ROBOTOFF_BINARY
#define ROBOTOFF_BINARY "build/robotoffd"
#endif
#ifndef ROBOTOFF_SHARED_DIR
#define ROBOTOFF_SHARED_DIR "../shared"
#endif

namespace robotoff::testing {

namespace {

std::string random_suffix() {
    static std::mt19937_64 rng{std::random_device{}()};
    static std::mutex m;
    std::lock_guard lock(m);
    const char* alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
    std::string s;
    for (int i = 0; i < 10; ++i) {
        s += alphabet[rng() % 36];
    }
    return s;
}

std::string read_whole(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

}  // namespace

std::string admin_database_url() {
    const char* url = std::getenv("ROBOTOFF_TEST_DATABASE_URL");
    if (!url || !*url) {
        throw std::runtime_error("ROBOTOFF_TEST_DATABASE_URL is not set: run the tests through scripts/test.sh");
    }
    return url;
}

std::string with_database(const std::string& url, const std::string& dbname) {
    // postgresql://user@host:port/dbname?params
    const auto scheme = url.find("://");
    if (scheme == std::string::npos) {
        return url + " dbname=" + dbname;
    }
    const auto slash = url.find('/', scheme + 3);
    const auto query = url.find('?', scheme + 3);
    const std::string base = url.substr(0, slash == std::string::npos ? (query == std::string::npos ? url.size() : query) : slash);
    const std::string params = query == std::string::npos ? "" : url.substr(query);
    return base + "/" + dbname + params;
}

std::pair<std::string, std::uint16_t> url_host_port(const std::string& url) {
    const auto scheme = url.find("://");
    auto rest = url.substr(scheme == std::string::npos ? 0 : scheme + 3);
    if (const auto at = rest.find('@'); at != std::string::npos) {
        rest = rest.substr(at + 1);
    }
    rest = rest.substr(0, rest.find_first_of("/?"));
    const auto colon = rest.rfind(':');
    if (colon == std::string::npos) {
        return {rest.empty() ? "127.0.0.1" : rest, 5432};
    }
    return {rest.substr(0, colon), static_cast<std::uint16_t>(std::stoi(rest.substr(colon + 1)))};
}

temp_database::temp_database(bool migrate) {
    name_ = "robotoff_test_" + random_suffix();
    db::connection admin(admin_database_url(), 0, 10, "robotoffd-tests");
    admin.exec("CREATE DATABASE " + name_);  // name is generated here, not user input
    url_ = with_database(admin_database_url(), name_);
    if (migrate) {
        auto conn = connect();
        db::migrate(*conn);
    }
}

temp_database::~temp_database() {
    try {
        db::connection admin(admin_database_url(), 0, 10, "robotoffd-tests");
        admin.exec("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
    } catch (...) {
        // Leaving a test database behind is harmless: the cluster is thrown away after the run.
    }
}

std::unique_ptr<db::connection> temp_database::connect() const {
    return std::make_unique<db::connection>(url_, 0, 10, "robotoffd-tests");
}

std::string shared_path(const std::string& relative) { return std::string(ROBOTOFF_SHARED_DIR) + "/" + relative; }

namespace {

// The folders make_temp_dir created, removed when the test program ends (failures have been reported by then);
// ROBOTOFF_KEEP_TEST_TMP=1 keeps them for a look.
class created_temp_dirs {
public:
    void add(const std::string& path) {
        std::lock_guard lock(mutex_);
        paths_.push_back(path);
    }
    ~created_temp_dirs() {
        if (std::getenv("ROBOTOFF_KEEP_TEST_TMP")) {
            return;
        }
        for (const auto& path : paths_) {
            std::error_code ignored;
            std::filesystem::remove_all(path, ignored);
        }
    }

private:
    std::mutex mutex_;
    std::vector<std::string> paths_;
};

created_temp_dirs& temp_dirs() {
    static created_temp_dirs dirs;
    return dirs;
}

}  // namespace

std::string make_temp_dir() {
    const char* base = std::getenv("ROBOTOFF_TEST_TMPDIR");
    std::string pattern = std::string(base && *base ? base : "/tmp") + "/robotoffd-t-XXXXXX";
    if (!::mkdtemp(pattern.data())) {
        throw std::runtime_error("mkdtemp failed");
    }
    temp_dirs().add(pattern);
    return pattern;
}

daemon_process::daemon_process(std::vector<std::string> args, std::map<std::string, std::string> env) {
    const std::string dir = make_temp_dir();
    out_path_ = dir + "/stdout.log";
    err_path_ = dir + "/stderr.log";
    pid_ = ::fork();
    if (pid_ < 0) {
        throw std::runtime_error("fork failed");
    }
    if (pid_ == 0) {
        const int out = ::open(out_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        const int err = ::open(err_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        ::dup2(out, 1);
        ::dup2(err, 2);
        const int devnull = ::open("/dev/null", O_RDONLY);
        ::dup2(devnull, 0);
        for (const auto& [k, v] : env) {
            ::setenv(k.c_str(), v.c_str(), 1);
        }
        // Tests must not pick up a developer's config file or ROBOTOFF_* variables by accident.
        std::vector<std::string> full = {ROBOTOFF_BINARY, "--config=/dev/null"};
        full.insert(full.end(), args.begin(), args.end());
        std::vector<char*> argv;
        for (auto& a : full) {
            argv.push_back(a.data());
        }
        argv.push_back(nullptr);
        ::execv(ROBOTOFF_BINARY, argv.data());
        ::_exit(127);
    }
}

daemon_process::~daemon_process() {
    if (running()) {
        ::kill(pid_, SIGKILL);
        wait_exit(std::chrono::seconds(10));
    }
}

bool daemon_process::running() {
    if (exit_code_ >= 0 || pid_ <= 0) {
        return false;
    }
    int status = 0;
    const int r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
        exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        return false;
    }
    return true;
}

int daemon_process::wait_exit(std::chrono::milliseconds timeout) {
    eventually([this] { return !running(); }, timeout);
    return exit_code_;
}

void daemon_process::signal(int sig) {
    if (running()) {
        ::kill(pid_, sig);
    }
}

std::string daemon_process::stderr_text() const { return read_whole(err_path_); }
std::string daemon_process::stdout_text() const { return read_whole(out_path_); }

bool daemon_process::wait_for_log(const std::string& needle, std::chrono::milliseconds timeout) {
    eventually([&] { return stderr_text().find(needle) != std::string::npos || !running(); }, timeout);
    return stderr_text().find(needle) != std::string::npos;
}

std::uint16_t daemon_process::port(std::chrono::milliseconds timeout) {
    if (port_) {
        return port_;
    }
    if (!wait_for_log("event=http.listening", timeout)) {
        throw std::runtime_error("daemon did not start listening; stderr:\n" + stderr_text());
    }
    const auto text = stderr_text();
    const auto at = text.find("event=http.listening");
    const auto p = text.find("port=", at);
    port_ = static_cast<std::uint16_t>(std::stoi(text.substr(p + 5)));
    return port_;
}

command_result run_robotoffd(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
                             const std::string& stdin_text) {
    const std::string dir = make_temp_dir();
    const std::string in_path = dir + "/stdin";
    {
        std::ofstream in(in_path, std::ios::binary);
        in << stdin_text;
    }
    const std::string out_path = dir + "/stdout";
    const std::string err_path = dir + "/stderr";
    const pid_t pid = ::fork();
    if (pid == 0) {
        const int in = ::open(in_path.c_str(), O_RDONLY);
        const int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        const int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        ::dup2(in, 0);
        ::dup2(out, 1);
        ::dup2(err, 2);
        for (const auto& [k, v] : env) {
            ::setenv(k.c_str(), v.c_str(), 1);
        }
        std::vector<std::string> full = {ROBOTOFF_BINARY};
        full.insert(full.end(), args.begin(), args.end());
        std::vector<char*> argv;
        for (auto& a : full) {
            argv.push_back(a.data());
        }
        argv.push_back(nullptr);
        ::execv(ROBOTOFF_BINARY, argv.data());
        ::_exit(127);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    command_result r;
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    r.out = read_whole(out_path);
    r.err = read_whole(err_path);
    return r;
}

std::unique_ptr<daemon_process> start_daemon(const std::string& database_url,
                                             const std::vector<std::string>& extra_flags) {
    std::vector<std::string> args = {"serve", "--http.listen=127.0.0.1:0", "--database.url=" + database_url,
                                     "--data.dir=" + shared_path("data"), "--jobs.workers=0",
                                     // Starting Tesseract engines takes seconds: only tests of local OCR ask for it.
                                     "--ocr.backend=gcv"};
    // Later flags win: callers may override any of the defaults above (e.g. --jobs.workers=2).
    args.insert(args.end(), extra_flags.begin(), extra_flags.end());
    auto d = std::make_unique<daemon_process>(args);
    d->port(std::chrono::seconds(90));
    if (!d->wait_for_log("event=startup.ready", std::chrono::seconds(60))) {
        throw std::runtime_error("daemon not ready; stderr:\n" + d->stderr_text());
    }
    return d;
}

std::string http_reply::header(const std::string& name) const {
    for (const auto& [k, v] : headers) {
        if (k == name) {
            return v;
        }
    }
    return {};
}

http_reply http_request(std::uint16_t port, const std::string& method, const std::string& target,
                        const std::string& body, const std::vector<std::pair<std::string, std::string>>& headers,
                        std::chrono::milliseconds timeout) {
    namespace beast = boost::beast;
    namespace bhttp = beast::http;
    boost::asio::io_context ioc;
    beast::tcp_stream stream(ioc);
    stream.expires_after(timeout);
    stream.connect(boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
    bhttp::request<bhttp::string_body> req{bhttp::string_to_verb(method), target, 11};
    req.set(bhttp::field::host, "127.0.0.1");
    for (const auto& [k, v] : headers) {
        req.set(k, v);
    }
    req.body() = body;
    if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
        req.prepare_payload();
    }
    bhttp::write(stream, req);
    beast::flat_buffer buffer;
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(1ULL << 31);
    bhttp::read(stream, buffer, parser);
    const auto& res = parser.get();
    http_reply reply;
    reply.status = static_cast<int>(res.result_int());
    reply.body = res.body();
    for (const auto& f : res) {
        std::string name(f.name_string());
        for (auto& c : name) {
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
        reply.headers.emplace_back(name, std::string(f.value()));
    }
    beast::error_code ec;
    stream.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
    return reply;
}

http_reply http_post_form(std::uint16_t port, const std::string& target, const std::string& form_body,
                          const std::vector<std::pair<std::string, std::string>>& headers) {
    auto h = headers;
    h.emplace_back("Content-Type", "application/x-www-form-urlencoded");
    return http_request(port, "POST", target, form_body, h);
}

http_reply http_post_json(std::uint16_t port, const std::string& target, const std::string& json_body,
                          const std::vector<std::pair<std::string, std::string>>& headers) {
    auto h = headers;
    h.emplace_back("Content-Type", "application/json");
    return http_request(port, "POST", target, json_body, h);
}

// ---- tcp_proxy ----

struct tcp_proxy::impl {
    std::string host;
    std::uint16_t target_port;
    int listen_fd = -1;
    std::atomic<bool> open{true};
    std::atomic<bool> stopping{false};
    std::mutex mutex;
    std::set<int> fds;
    std::vector<std::thread> threads;
    std::thread acceptor;

    void close_all() {
        std::lock_guard lock(mutex);
        for (int fd : fds) {
            ::shutdown(fd, SHUT_RDWR);
        }
    }

    void pump(int client) {
        const int upstream = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(target_port);
        ::inet_pton(AF_INET, host == "localhost" ? "127.0.0.1" : host.c_str(), &addr.sin_addr);
        if (::connect(upstream, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
            ::close(upstream);
            ::close(client);
            return;
        }
        {
            std::lock_guard lock(mutex);
            fds.insert(client);
            fds.insert(upstream);
        }
        char buffer[16384];
        pollfd p[2] = {{client, POLLIN, 0}, {upstream, POLLIN, 0}};
        while (!stopping.load() && open.load()) {
            if (::poll(p, 2, 100) < 0) {
                break;
            }
            bool done = false;
            for (int i = 0; i < 2 && !done; ++i) {
                if (p[i].revents & (POLLIN | POLLHUP | POLLERR)) {
                    const auto n = ::read(p[i].fd, buffer, sizeof buffer);
                    if (n <= 0) {
                        done = true;
                        break;
                    }
                    const int to = i == 0 ? upstream : client;
                    ssize_t sent = 0;
                    while (sent < n) {
                        const auto w = ::write(to, buffer + sent, static_cast<std::size_t>(n - sent));
                        if (w <= 0) {
                            done = true;
                            break;
                        }
                        sent += w;
                    }
                }
            }
            if (done) {
                break;
            }
        }
        {
            std::lock_guard lock(mutex);
            fds.erase(client);
            fds.erase(upstream);
        }
        ::close(client);
        ::close(upstream);
    }
};

tcp_proxy::tcp_proxy(std::string target_host, std::uint16_t target_port) : impl_(std::make_unique<impl>()) {
    impl_->host = std::move(target_host);
    impl_->target_port = target_port;
    impl_->listen_fd = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(impl_->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = 0;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(impl_->listen_fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(impl_->listen_fd, 64) != 0) {
        throw std::runtime_error("tcp_proxy: bind/listen failed");
    }
    socklen_t len = sizeof addr;
    ::getsockname(impl_->listen_fd, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    impl_->acceptor = std::thread([i = impl_.get()] {
        while (!i->stopping.load()) {
            pollfd p{i->listen_fd, POLLIN, 0};
            if (::poll(&p, 1, 100) <= 0) {
                continue;
            }
            const int client = ::accept(i->listen_fd, nullptr, nullptr);
            if (client < 0) {
                continue;
            }
            if (!i->open.load()) {
                ::close(client);  // the database is "down": refuse
                continue;
            }
            std::lock_guard lock(i->mutex);
            i->threads.emplace_back([i, client] { i->pump(client); });
        }
    });
}

tcp_proxy::~tcp_proxy() {
    impl_->stopping.store(true);
    impl_->close_all();
    if (impl_->acceptor.joinable()) {
        impl_->acceptor.join();
    }
    std::vector<std::thread> threads;
    {
        std::lock_guard lock(impl_->mutex);
        threads.swap(impl_->threads);
    }
    for (auto& t : threads) {
        t.join();
    }
    ::close(impl_->listen_fd);
}

void tcp_proxy::set_open(bool open) {
    impl_->open.store(open);
    if (!open) {
        impl_->close_all();
    }
}

}  // namespace robotoff::testing
