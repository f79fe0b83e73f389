#pragma once
// A blocking Redis client over hiredis: one connection, one command at a time, replies copied into plain
// values (so no hiredis type escapes this header). Not thread-safe, except interrupt(), which another
// thread may call to make a blocked command fail at once (shutdown).

#include <chrono>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

struct redisContext;

namespace robotoff::intake {

// redis://[user:password@]host:port[/db] (intake.md §4.1).
struct redis_address {
    std::string host = "127.0.0.1";
    int port = 6379;
    std::string user;
    std::string password;
    int db = 0;

    std::string display() const;  // host:port/db, without credentials (for logs)
};
// Throws core::usage_error naming the problem (rediss:// is refused: TLS is not built in).
redis_address parse_redis_url(std::string_view url);

// The connection broke or could not be made: the caller reconnects.
class redis_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};
// Redis answered with an error reply (the connection stays usable).
class redis_reply_error : public redis_error {
public:
    using redis_error::redis_error;
};

struct redis_reply {
    enum class kind { nil, string, integer, array, status };
    kind type = kind::nil;
    std::string str;          // string and status replies
    long long integer = 0;
    std::vector<redis_reply> elements;

    bool is_nil() const { return type == kind::nil; }
};

class redis_connection {
public:
    // Connects (TCP, then AUTH and SELECT when the address asks). `read_timeout` bounds every command,
    // blocking reads included. Throws redis_error.
    redis_connection(const redis_address& address, std::chrono::milliseconds connect_timeout,
                     std::chrono::milliseconds read_timeout);
    ~redis_connection();
    redis_connection(const redis_connection&) = delete;
    redis_connection& operator=(const redis_connection&) = delete;

    // Sends one command (binary-safe arguments) and returns its reply. Throws redis_reply_error for an error
    // reply, redis_error when the connection failed (it is then unusable).
    redis_reply command(const std::vector<std::string>& args);

    // Shuts the socket down so that a command blocked in another thread fails now.
    void interrupt();

private:
    std::mutex fd_mutex_;  // guards context_ against interrupt() during destruction
    redisContext* context_ = nullptr;
};

}  // namespace robotoff::intake
