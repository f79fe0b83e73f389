#pragma once
// Helpers for pg and integration tests: a throwaway database per test, the real daemon as a child process,
// a blocking HTTP client, and a TCP proxy that can cut the daemon off from PostgreSQL.
// Everything fails loudly (throws) when the environment is missing: no test is silently skipped.

#include "robotoff/db/connection.hpp"

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace robotoff::testing {

// ROBOTOFF_TEST_DATABASE_URL (an admin URL to the test cluster, set by scripts/test.sh). Throws if unset.
std::string admin_database_url();

// Replaces the database name of a postgresql:// URL.
std::string with_database(const std::string& url, const std::string& dbname);

// CREATE DATABASE robotoff_test_<random> (migrated unless told otherwise); DROP on destruction.
class temp_database {
public:
    explicit temp_database(bool migrate = true);
    ~temp_database();
    temp_database(const temp_database&) = delete;
    temp_database& operator=(const temp_database&) = delete;

    const std::string& url() const { return url_; }
    const std::string& name() const { return name_; }
    std::unique_ptr<db::connection> connect() const;

private:
    std::string name_;
    std::string url_;
};

// The real build/robotoffd binary run as a child process with the given arguments (e.g. {"serve",
// "--http.listen=127.0.0.1:0", "--database.url=..."}); stdout/stderr captured to files.
class daemon_process {
public:
    daemon_process(std::vector<std::string> args, std::map<std::string, std::string> env = {});
    ~daemon_process();  // SIGKILL if still running
    daemon_process(const daemon_process&) = delete;
    daemon_process& operator=(const daemon_process&) = delete;

    // Polls stderr until a line contains `needle` (or the process exits / timeout). Returns whether found.
    bool wait_for_log(const std::string& needle, std::chrono::milliseconds timeout = std::chrono::seconds(60));
    // The port from the "http.listening ... port=N" log line (waits for it). Throws on timeout.
    std::uint16_t port(std::chrono::milliseconds timeout = std::chrono::seconds(60));
    void signal(int sig);
    // Waits for exit; returns the exit code (128+signal when killed), or -1 on timeout.
    int wait_exit(std::chrono::milliseconds timeout = std::chrono::seconds(60));
    bool running();
    std::string stderr_text() const;
    std::string stdout_text() const;
    int pid() const { return pid_; }

private:
    int pid_ = -1;
    int exit_code_ = -1;
    std::string out_path_;
    std::string err_path_;
    std::uint16_t port_ = 0;
};

// Runs robotoffd with arguments to completion; returns (exit code, stdout, stderr).
struct command_result {
    int exit_code;
    std::string out;
    std::string err;
};
command_result run_robotoffd(const std::vector<std::string>& args, const std::map<std::string, std::string>& env = {},
                             const std::string& stdin_text = "");

// Starts a serving daemon on port 0 against `database_url` with extra flags; waits for READY.
std::unique_ptr<daemon_process> start_daemon(const std::string& database_url,
                                             const std::vector<std::string>& extra_flags = {});

struct http_reply {
    int status = 0;
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
    std::string header(const std::string& name) const;
};

// One request over a fresh loopback connection. Throws on connection failure.
http_reply http_request(std::uint16_t port, const std::string& method, const std::string& target,
                        const std::string& body = "", const std::vector<std::pair<std::string, std::string>>& headers = {},
                        std::chrono::milliseconds timeout = std::chrono::seconds(30));
inline http_reply http_get(std::uint16_t port, const std::string& target,
                           const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    return http_request(port, "GET", target, "", headers);
}
http_reply http_post_form(std::uint16_t port, const std::string& target, const std::string& form_body,
                          const std::vector<std::pair<std::string, std::string>>& headers = {});
http_reply http_post_json(std::uint16_t port, const std::string& target, const std::string& json_body,
                          const std::vector<std::pair<std::string, std::string>>& headers = {});

// A TCP proxy on 127.0.0.1:<port()> forwarding to target_host:target_port. set_open(false) closes every
// connection and refuses new ones (the database "goes away"); set_open(true) brings it back.
class tcp_proxy {
public:
    tcp_proxy(std::string target_host, std::uint16_t target_port);
    ~tcp_proxy();
    std::uint16_t port() const { return port_; }
    void set_open(bool open);

private:
    struct impl;
    std::unique_ptr<impl> impl_;
    std::uint16_t port_ = 0;
};

// Host and port of a postgresql://user@host:port/db URL.
std::pair<std::string, std::uint16_t> url_host_port(const std::string& url);

// Polls `condition` every 20 ms until true or timeout; returns the last value.
template <typename F>
bool eventually(F condition, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    const auto end = std::chrono::steady_clock::now() + timeout;
    while (true) {
        if (condition()) {
            return true;
        }
        if (std::chrono::steady_clock::now() > end) {
            return false;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

// Path of a file under ../shared (ROBOTOFF_SHARED_DIR).
std::string shared_path(const std::string& relative);
// A fresh temporary directory (removed by the OS's tmp cleaning; tests may remove it).
std::string make_temp_dir();

}  // namespace robotoff::testing
