#include "redis_server.hpp"

#include "test_support.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace robotoff::testing {

namespace {

// An absolute path for `name`: itself when it contains a '/', else the first executable match on PATH.
std::string find_executable(const std::string& name) {
    if (name.find('/') != std::string::npos) {
        return ::access(name.c_str(), X_OK) == 0 ? name : std::string();
    }
    const char* path = std::getenv("PATH");
    std::stringstream dirs(path ? path : "/usr/local/bin:/usr/bin:/bin");
    std::string dir;
    while (std::getline(dirs, dir, ':')) {
        const std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
        if (::access(candidate.c_str(), X_OK) == 0) {
            return candidate;
        }
    }
    return {};
}

std::string env_or(const char* name, const std::string& fallback) {
    const char* v = std::getenv(name);
    return v && *v ? std::string(v) : fallback;
}

std::uint16_t free_loopback_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        if (fd >= 0) {
            ::close(fd);
        }
        throw std::runtime_error("redis_server: no free loopback port");
    }
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(fd);
    return ntohs(addr.sin_port);
}

struct run_result {
    int exit_code = -1;
    std::string out;
};

// fork/exec argv (no shell), stdin from `stdin_path` (or /dev/null), stdout and stderr captured together.
run_result run_capture(const std::vector<std::string>& argv, const std::string& stdin_path = "/dev/null") {
    int out[2];
    if (::pipe(out) != 0) {
        throw std::runtime_error("redis_server: pipe failed");
    }
    const pid_t pid = ::fork();
    if (pid < 0) {
        ::close(out[0]);
        ::close(out[1]);
        throw std::runtime_error("redis_server: fork failed");
    }
    if (pid == 0) {
        const int in = ::open(stdin_path.c_str(), O_RDONLY);
        ::dup2(in, 0);
        ::dup2(out[1], 1);
        ::dup2(out[1], 2);
        ::close(out[0]);
        ::close(out[1]);
        std::vector<char*> args;
        std::vector<std::string> copy = argv;
        for (auto& a : copy) {
            args.push_back(a.data());
        }
        args.push_back(nullptr);
        ::execv(copy[0].c_str(), args.data());
        ::_exit(127);
    }
    ::close(out[1]);
    run_result r;
    char buffer[65536];
    while (true) {
        const auto n = ::read(out[0], buffer, sizeof buffer);
        if (n > 0) {
            r.out.append(buffer, static_cast<std::size_t>(n));
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else {
            break;
        }
    }
    ::close(out[0]);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return r;
}

bool looks_like_error(const std::string& reply) {
    const std::string first = reply.substr(0, reply.find('\n'));
    for (const char* prefix : {"ERR ", "ERR\n", "WRONGTYPE ", "NOGROUP ", "BUSYGROUP ", "LOADING ", "NOPROTO ",
                               "NOAUTH ", "Could not connect", "(error)"}) {
        if (first.rfind(prefix, 0) == 0) {
            return true;
        }
    }
    return false;
}

void append_resp(std::string& out, const std::vector<std::string>& command) {
    out += "*" + std::to_string(command.size()) + "\r\n";
    for (const auto& arg : command) {
        out += "$" + std::to_string(arg.size()) + "\r\n";
        out += arg;
        out += "\r\n";
    }
}

}  // namespace

redis_server::redis_server() {
    server_path_ = find_executable(env_or("ROBOTOFF_TEST_REDIS_SERVER", "redis-server"));
    if (server_path_.empty()) {
        throw std::runtime_error("redis-server not found (set ROBOTOFF_TEST_REDIS_SERVER or install redis-server; "
                                 "scripts/install-deps.sh does)");
    }
    std::string cli = env_or("ROBOTOFF_TEST_REDIS_CLI", "");
    if (cli.empty()) {
        const auto sibling = std::filesystem::path(server_path_).parent_path() / "redis-cli";
        cli = ::access(sibling.c_str(), X_OK) == 0 ? sibling.string() : "redis-cli";
    }
    cli_path_ = find_executable(cli);
    if (cli_path_.empty()) {
        throw std::runtime_error("redis-cli not found (install redis-tools or set ROBOTOFF_TEST_REDIS_CLI)");
    }
    dir_ = make_temp_dir();
    // The port is free when chosen but may be taken before redis binds it: a few tries with fresh ports.
    for (int attempt = 0; attempt < 5; ++attempt) {
        port_ = free_loopback_port();
        spawn();
        if (answers_ping(std::chrono::seconds(20))) {
            return;
        }
        kill();
    }
    throw std::runtime_error("redis-server did not answer PING; log:\n" + log_text());
}

redis_server::~redis_server() { kill(); }

void redis_server::spawn() {
    const std::string log = dir_ + "/redis.log";
    pid_ = ::fork();
    if (pid_ < 0) {
        throw std::runtime_error("redis_server: fork failed");
    }
    if (pid_ == 0) {
        // Never outlive a crashed test program.
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        const int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
        const int devnull = ::open("/dev/null", O_RDONLY);
        ::dup2(devnull, 0);
        ::dup2(out, 1);
        ::dup2(out, 2);
        std::vector<std::string> args = {server_path_, "--port", std::to_string(port_), "--bind", "127.0.0.1",
                                         "--dir", dir_, "--save", "", "--appendonly", "yes", "--daemonize", "no"};
        std::vector<char*> argv;
        for (auto& a : args) {
            argv.push_back(a.data());
        }
        argv.push_back(nullptr);
        ::execv(server_path_.c_str(), argv.data());
        ::_exit(127);
    }
}

bool redis_server::running() {
    if (pid_ <= 0) {
        return false;
    }
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return false;
    }
    return true;
}

bool redis_server::answers_ping(std::chrono::milliseconds timeout) {
    return eventually(
        [this] {
            if (!running()) {
                return true;  // ends the wait; the caller sees pid_ <= 0 below
            }
            const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
            sockaddr_in addr{};
            addr.sin_family = AF_INET;
            addr.sin_port = htons(port_);
            addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
            bool pong = false;
            if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
                ::write(fd, "PING\r\n", 6) == 6) {
                pollfd p{fd, POLLIN, 0};
                char reply[64] = {};
                if (::poll(&p, 1, 1000) == 1 && ::read(fd, reply, sizeof reply - 1) > 0) {
                    pong = std::string(reply).rfind("+PONG", 0) == 0;  // "-LOADING ..." while reading the AOF
                }
            }
            ::close(fd);
            return pong;
        },
        timeout) &&
           running();
}

void redis_server::stop() {
    if (!running()) {
        return;
    }
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
}

void redis_server::kill() {
    if (!running()) {
        return;
    }
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
}

void redis_server::restart() {
    stop();
    spawn();
    if (!answers_ping(std::chrono::seconds(20))) {
        kill();
        throw std::runtime_error("redis-server did not come back on port " + std::to_string(port_) + "; log:\n" +
                                 log_text());
    }
}

std::string redis_server::cli(const std::vector<std::string>& args, bool allow_error) const {
    std::vector<std::string> argv = {cli_path_, "-p", std::to_string(port_)};
    argv.insert(argv.end(), args.begin(), args.end());
    auto r = run_capture(argv);
    while (!r.out.empty() && r.out.back() == '\n') {
        r.out.pop_back();
    }
    if (!allow_error && (r.exit_code != 0 || looks_like_error(r.out))) {
        std::string command;
        for (const auto& a : args) {
            command += " " + a;
        }
        throw std::runtime_error("redis-cli" + command + " failed (exit " + std::to_string(r.exit_code) +
                                 "): " + r.out);
    }
    return r.out;
}

std::vector<std::string> redis_server::cli_lines(const std::vector<std::string>& args) const {
    std::vector<std::string> lines;
    std::stringstream in(cli(args));
    std::string line;
    while (std::getline(in, line)) {
        lines.push_back(line);
    }
    return lines;
}

std::string redis_server::xadd(const std::string& stream,
                               const std::vector<std::pair<std::string, std::string>>& fields) const {
    std::vector<std::string> args = {"XADD", stream, "*"};
    for (const auto& [k, v] : fields) {
        args.push_back(k);
        args.push_back(v);
    }
    return cli(args);
}

void redis_server::pipe(const std::vector<std::vector<std::string>>& commands) const {
    if (commands.empty()) {
        return;
    }
    std::string payload;
    for (const auto& c : commands) {
        append_resp(payload, c);
    }
    const std::string path = make_temp_dir() + "/commands.resp";
    {
        std::ofstream f(path, std::ios::binary);
        f << payload;
    }
    auto r = run_capture({cli_path_, "-p", std::to_string(port_), "--pipe"}, path);
    std::filesystem::remove(path);
    const std::string expected = "errors: 0, replies: " + std::to_string(commands.size());
    if (r.exit_code != 0 || r.out.find(expected) == std::string::npos) {
        throw std::runtime_error("redis-cli --pipe failed (exit " + std::to_string(r.exit_code) + "): " + r.out);
    }
}

long long redis_server::xlen(const std::string& stream) const { return std::stoll(cli({"XLEN", stream})); }

long long redis_server::pending(const std::string& stream, const std::string& group) const {
    auto out = cli({"XPENDING", stream, group}, true);
    if (looks_like_error(out) || out.empty()) {
        return 0;  // NOGROUP: nothing can be pending
    }
    return std::stoll(out.substr(0, out.find('\n')));
}

long long redis_server::pending_of(const std::string& stream, const std::string& group,
                                   const std::string& consumer) const {
    // Extended form: 4 lines per entry (id, consumer, idle ms, deliveries).
    auto out = cli({"XPENDING", stream, group, "-", "+", "1000000", consumer}, true);
    if (looks_like_error(out) || out.empty()) {
        return 0;
    }
    long long lines = 1;
    for (char c : out) {
        lines += c == '\n' ? 1 : 0;
    }
    return lines / 4;
}

std::string redis_server::log_text() const {
    std::ifstream in(dir_ + "/redis.log", std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

}  // namespace robotoff::testing
