#pragma once
// A real redis-server as a child process for the intake tests (Product Opener's Redis Streams), and redis-cli to
// drive it. The binary comes from ROBOTOFF_TEST_REDIS_SERVER, else `redis-server` on PATH; redis-cli from
// ROBOTOFF_TEST_REDIS_CLI, else next to redis-server, else PATH. Missing binaries throw: no test is skipped.
// The server listens on a free loopback port, keeps its data in a temporary folder with the append-only file on
// (so restart() comes back with every entry), saves no RDB snapshots, and is SIGKILLed on destruction.
// Not thread-safe: one test thread drives it.

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace robotoff::testing {

class redis_server {
public:
    // Starts the server and waits until it answers PING. Throws when it does not within 20 s.
    redis_server();
    ~redis_server();
    redis_server(const redis_server&) = delete;
    redis_server& operator=(const redis_server&) = delete;

    std::uint16_t port() const { return port_; }
    std::string url() const { return "redis://127.0.0.1:" + std::to_string(port_); }
    const std::string& dir() const { return dir_; }
    bool running();

    // SIGTERM and wait for the exit (Redis flushes the append-only file first). No-op when stopped.
    void stop();
    // SIGKILL, no flush (entries of the last second may be lost, as on a crash).
    void kill();
    // Starts again on the same port with the same folder (stop() first if running); waits for PING.
    void restart();

    // Runs `redis-cli -p PORT args...` (no shell: arguments are passed as they are) and returns its stdout with
    // the trailing newline removed. Stdout is not a terminal, so replies are printed raw: one line per element
    // of a (nested) array, integers as digits, nil as an empty line. Throws on a non-zero exit or when the reply
    // is an error ("ERR ...", "WRONGTYPE ...", "NOGROUP ..." first line), unless allow_error.
    std::string cli(const std::vector<std::string>& args, bool allow_error = false) const;
    // Same, split into lines (an empty reply gives no line).
    std::vector<std::string> cli_lines(const std::vector<std::string>& args) const;

    // XADD stream * field value ...; returns the entry ID.
    std::string xadd(const std::string& stream, const std::vector<std::pair<std::string, std::string>>& fields) const;
    // Sends many commands at once (RESP over `redis-cli --pipe`); throws unless every reply is a success.
    void pipe(const std::vector<std::vector<std::string>>& commands) const;

    // XLEN; the pending count of a group (XPENDING summary; 0 when the group or stream does not exist); the
    // pending count of one consumer of the group.
    long long xlen(const std::string& stream) const;
    long long pending(const std::string& stream, const std::string& group) const;
    long long pending_of(const std::string& stream, const std::string& group, const std::string& consumer) const;

    std::string log_text() const;

private:
    void spawn();
    bool answers_ping(std::chrono::milliseconds timeout);

    std::string server_path_;
    std::string cli_path_;
    std::string dir_;
    std::uint16_t port_ = 0;
    int pid_ = -1;
};

}  // namespace robotoff::testing
