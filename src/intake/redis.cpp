// hiredis behind RAII: the context is freed in one place, replies are copied into redis_reply and freed
// at once, so no caller handles hiredis memory.

#include "robotoff/intake/redis.hpp"

#include "robotoff/core/errors.hpp"

#include <hiredis/hiredis.h>
#include <sys/socket.h>

#include <charconv>

namespace robotoff::intake {

namespace {

timeval to_timeval(std::chrono::milliseconds d) {
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(d.count() / 1000);
    tv.tv_usec = static_cast<suseconds_t>((d.count() % 1000) * 1000);
    return tv;
}

redis_reply copy_reply(const redisReply* r) {
    redis_reply out;
    switch (r->type) {
    case REDIS_REPLY_STRING:
        out.type = redis_reply::kind::string;
        out.str.assign(r->str, r->len);
        break;
    case REDIS_REPLY_STATUS:
        out.type = redis_reply::kind::status;
        out.str.assign(r->str, r->len);
        break;
    case REDIS_REPLY_INTEGER:
        out.type = redis_reply::kind::integer;
        out.integer = r->integer;
        break;
    case REDIS_REPLY_ARRAY:  // Debian 12's hiredis speaks RESP2 only: maps and sets come as arrays
        out.type = redis_reply::kind::array;
        out.elements.reserve(r->elements);
        for (std::size_t i = 0; i < r->elements; ++i) {
            out.elements.push_back(copy_reply(r->element[i]));
        }
        break;
    default:
        out.type = redis_reply::kind::nil;
        break;
    }
    return out;
}

int parse_number(std::string_view text, std::string_view what) {
    int value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || value < 0) {
        throw core::usage_error("redis.url: invalid " + std::string(what) + " '" + std::string(text) + "'");
    }
    return value;
}

}  // namespace

std::string redis_address::display() const {
    return host + ":" + std::to_string(port) + "/" + std::to_string(db);
}

redis_address parse_redis_url(std::string_view url) {
    constexpr std::string_view scheme = "redis://";
    if (url.starts_with("rediss://")) {
        throw core::usage_error("redis.url: rediss:// (TLS) is not supported; use a TLS tunnel or redis://");
    }
    if (!url.starts_with(scheme)) {
        throw core::usage_error("redis.url: must start with redis://");
    }
    std::string_view rest = url.substr(scheme.size());
    redis_address a;
    if (const auto at = rest.rfind('@'); at != std::string_view::npos) {
        std::string_view credentials = rest.substr(0, at);
        rest.remove_prefix(at + 1);
        const auto colon = credentials.find(':');
        if (colon == std::string_view::npos) {
            a.password = std::string(credentials);  // redis://password@host, as redis-cli -u reads it
        } else {
            a.user = std::string(credentials.substr(0, colon));
            a.password = std::string(credentials.substr(colon + 1));
        }
    }
    if (const auto slash = rest.find('/'); slash != std::string_view::npos) {
        const auto db = rest.substr(slash + 1);
        if (!db.empty()) {
            a.db = parse_number(db, "database number");
        }
        rest = rest.substr(0, slash);
    }
    // host:port, [ipv6]:port or a bare host.
    std::string_view host = rest;
    std::string_view port;
    if (rest.starts_with('[')) {
        const auto close = rest.find(']');
        if (close == std::string_view::npos) {
            throw core::usage_error("redis.url: unterminated [ipv6] host");
        }
        host = rest.substr(1, close - 1);
        if (close + 1 < rest.size() && rest[close + 1] == ':') {
            port = rest.substr(close + 2);
        }
    } else if (const auto colon = rest.rfind(':'); colon != std::string_view::npos) {
        host = rest.substr(0, colon);
        port = rest.substr(colon + 1);
    }
    if (!port.empty()) {
        a.port = parse_number(port, "port");
    }
    rest = host;
    if (rest.empty()) {
        throw core::usage_error("redis.url: no host");
    }
    if (a.port == 0 || a.port > 65535) {
        throw core::usage_error("redis.url: port out of range");
    }
    a.host = std::string(rest);
    return a;
}

redis_connection::redis_connection(const redis_address& address, std::chrono::milliseconds connect_timeout,
                                   std::chrono::milliseconds read_timeout) {
    const timeval tv = to_timeval(connect_timeout);
    context_ = redisConnectWithTimeout(address.host.c_str(), address.port, tv);
    if (!context_) {
        throw redis_error("cannot allocate a Redis context");
    }
    if (context_->err) {
        std::string message = "cannot connect to Redis at " + address.display() + ": " + context_->errstr;
        redisFree(context_);
        context_ = nullptr;
        throw redis_error(message);
    }
    const timeval read_tv = to_timeval(read_timeout);
    redisSetTimeout(context_, read_tv);
    try {
        if (!address.password.empty()) {
            if (address.user.empty()) {
                command({"AUTH", address.password});
            } else {
                command({"AUTH", address.user, address.password});
            }
        }
        if (address.db != 0) {
            command({"SELECT", std::to_string(address.db)});
        }
    } catch (...) {
        redisFree(context_);
        context_ = nullptr;
        throw;
    }
}

redis_connection::~redis_connection() {
    std::lock_guard lock(fd_mutex_);
    if (context_) {
        redisFree(context_);
        context_ = nullptr;
    }
}

redis_reply redis_connection::command(const std::vector<std::string>& args) {
    if (!context_ || context_->err) {
        throw redis_error("Redis connection is closed");
    }
    std::vector<const char*> argv;
    std::vector<std::size_t> lengths;
    argv.reserve(args.size());
    lengths.reserve(args.size());
    for (const auto& a : args) {
        argv.push_back(a.data());
        lengths.push_back(a.size());
    }
    auto* raw = static_cast<redisReply*>(
        redisCommandArgv(context_, static_cast<int>(args.size()), argv.data(), lengths.data()));
    if (!raw) {
        throw redis_error(std::string("Redis connection failed: ") +
                          (context_->err ? context_->errstr : "no reply"));
    }
    std::unique_ptr<redisReply, decltype(&freeReplyObject)> reply(raw, freeReplyObject);
    if (reply->type == REDIS_REPLY_ERROR) {
        throw redis_reply_error(std::string(reply->str, reply->len));
    }
    return copy_reply(reply.get());
}

void redis_connection::interrupt() {
    std::lock_guard lock(fd_mutex_);
    if (context_ && context_->fd >= 0) {
        ::shutdown(context_->fd, SHUT_RDWR);
    }
}

}  // namespace robotoff::intake
