#include "robotoff/api/caller.hpp"

#include "robotoff/core/errors.hpp"

#include <openssl/sha.h>

#include <cctype>

namespace robotoff::api {
namespace {

core::client_error bad_auth() {
    return core::client_error(401, "401 Unauthorized", "Invalid authentication, Basic auth expected.");
}

int base64_value(char c) {
    if (c >= 'A' && c <= 'Z') {
        return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
        return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
        return c - '0' + 52;
    }
    if (c == '+' || c == '-') {
        return 62;
    }
    if (c == '/' || c == '_') {
        return 63;
    }
    return -1;
}

std::optional<std::string> base64_decode(std::string_view in) {
    std::string out;
    int bits = 0;
    unsigned buffer = 0;
    for (char c : in) {
        if (c == '=') {
            break;
        }
        int v = base64_value(c);
        if (v < 0) {
            return std::nullopt;
        }
        buffer = (buffer << 6) | static_cast<unsigned>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((buffer >> bits) & 0xFF);
        }
    }
    return out;
}

std::string trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) {
        s.remove_prefix(1);
    }
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) {
        s.remove_suffix(1);
    }
    return std::string(s);
}

std::string session_cookie(std::string_view cookie_header) {
    std::size_t pos = 0;
    while (pos < cookie_header.size()) {
        std::size_t end = cookie_header.find(';', pos);
        if (end == std::string_view::npos) {
            end = cookie_header.size();
        }
        std::string item = trim(cookie_header.substr(pos, end - pos));
        if (item.starts_with("session=")) {
            return item.substr(8);
        }
        pos = end + 1;
    }
    return {};
}

std::optional<std::string> session_user(const std::string& value) {
    std::string decoded = http::url_decode(value, false);
    std::vector<std::string> tokens;
    std::size_t pos = 0;
    while (pos <= decoded.size()) {
        std::size_t end = decoded.find('&', pos);
        if (end == std::string::npos) {
            end = decoded.size();
        }
        tokens.push_back(decoded.substr(pos, end - pos));
        pos = end + 1;
    }
    for (std::size_t i = 0; i + 1 < tokens.size(); ++i) {
        if (tokens[i] == "user_id") {
            return tokens[i + 1];
        }
    }
    return std::nullopt;
}

}  // namespace

insights::credentials caller_credentials(const http::request& req, bool bearer_allowed) {
    insights::credentials c;
    std::string cookie = session_cookie(req.header("cookie"));
    if (!cookie.empty()) {
        c.session_cookie = cookie;
        c.username = session_user(cookie);
    }
    std::string auth = trim(req.header("authorization"));
    if (!auth.empty()) {
        std::string_view value = auth;
        if (value.size() > 7 && (value.substr(0, 7) == "Bearer " || value.substr(0, 7) == "bearer ")) {
            if (!bearer_allowed) {
                throw bad_auth();
            }
            return c;
        }
        if (value.size() > 6 && (value.substr(0, 6) == "Basic " || value.substr(0, 6) == "basic ")) {
            value.remove_prefix(6);
        }
        auto decoded = base64_decode(trim(value));
        if (!decoded) {
            throw bad_auth();
        }
        auto colon = decoded->find(':');
        if (colon == std::string::npos) {
            throw bad_auth();
        }
        c.basic_user = http::url_decode(decoded->substr(0, colon), false);
        c.basic_password = http::url_decode(decoded->substr(colon + 1), false);
        c.username = c.basic_user;
    }
    // Some apps send the literal user name "null" for anonymous users.
    if (c.username && (c.username->empty() || *c.username == "null")) {
        c.username.reset();
    }
    return c;
}

std::string sha1_hex(std::string_view text) {
    unsigned char digest[SHA_DIGEST_LENGTH];
    SHA1(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
    static const char* hex = "0123456789abcdef";
    std::string out;
    for (unsigned char b : digest) {
        out += hex[b >> 4];
        out += hex[b & 15];
    }
    return out;
}

std::string caller_device_id(const http::request& req) {
    auto given = req.params.get("device_id");
    if (given) {
        return *given;
    }
    // The client address, X-Forwarded-For believed only from http.trusted_proxies: a header anyone can
    // write must not turn one client into many voters.
    return sha1_hex(req.client_address.empty() ? req.peer_address : req.client_address);
}

}  // namespace robotoff::api
