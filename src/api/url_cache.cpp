#include "robotoff/api/url_cache.hpp"

#include "robotoff/core/file_io.hpp"
#include "robotoff/core/log.hpp"

#include <openssl/sha.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace robotoff::api {

namespace {

std::string sha1_hex(const std::string& text) {
    unsigned char digest[SHA_DIGEST_LENGTH];
    SHA1(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
    static const char* hex = "0123456789abcdef";
    std::string out;
    for (unsigned char c : digest) {
        out += hex[c >> 4];
        out += hex[c & 15];
    }
    return out;
}

}  // namespace

url_fetcher cached_fetcher(url_fetcher inner, std::string directory, std::chrono::seconds max_age) {
    return [inner = std::move(inner), directory = std::move(directory), max_age](
               const std::string& url, std::chrono::steady_clock::time_point deadline) {
        namespace fs = std::filesystem;
        const fs::path path = fs::path(directory) / sha1_hex(url);
        std::error_code ec;
        const auto written = fs::last_write_time(path, ec);
        if (!ec && fs::file_time_type::clock::now() - written < max_age) {
            std::ifstream in(path, std::ios::binary);
            std::ostringstream bytes;
            bytes << in.rdbuf();
            if (in) {
                return bytes.str();
            }
        }
        std::string bytes = inner(url, deadline);
        try {
            fs::create_directories(directory);
            core::write_file_atomic(path.string(), bytes);
        } catch (const std::exception& e) {
            // A cache that cannot be written only costs a download next time.
            core::log::warning("api.url_cache_write_failed", {{"directory", directory}, {"error", e.what()}});
        }
        return bytes;
    };
}

}  // namespace robotoff::api
