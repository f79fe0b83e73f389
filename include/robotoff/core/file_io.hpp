#pragma once
// Reading files that may be gzip-compressed (detected by content, not by name). Blocking; thread-safe
// (no shared state). Errors are core::io_error with the path and the reason.

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

namespace robotoff::core {

class io_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Whole file, decompressed when it starts with the gzip magic. Throws io_error (missing, unreadable,
// corrupt or truncated gzip).
std::string read_file(const std::string& path);

// The decompressed data would exceed the caller's cap (a "zip bomb"): HTTP 413 on routes.
class inflate_limit_error : public io_error {
public:
    using io_error::io_error;
};

// gzip-compress/decompress a buffer (used for HTTP bodies and caches). decompress throws io_error, and
// inflate_limit_error as soon as the output would pass `max_bytes`.
std::string gzip_compress(std::string_view data);
std::string gzip_decompress(std::string_view data, std::size_t max_bytes);
bool looks_gzipped(std::string_view data);

// Writes a file atomically: a temporary file in the same folder, fsync, rename. Throws io_error.
void write_file_atomic(const std::string& path, std::string_view content);

// Streams the lines of a plain or gzip file with bounded memory. A truncated or corrupt gzip stream makes
// next() throw io_error naming the line number and byte offset where reading stopped.
class line_reader {
public:
    explicit line_reader(const std::string& path);
    ~line_reader();
    line_reader(const line_reader&) = delete;
    line_reader& operator=(const line_reader&) = delete;

    // Reads the next line (without its '\n') into `line`; false at the end of the file.
    bool next(std::string& line);
    std::uint64_t line_number() const { return line_number_; }
    // Compressed bytes consumed so far (the file offset), for progress bars.
    std::uint64_t raw_offset() const;
    std::uint64_t raw_size() const { return raw_size_; }

private:
    struct impl;
    std::unique_ptr<impl> impl_;
    std::string path_;
    std::uint64_t line_number_ = 0;
    std::uint64_t raw_size_ = 0;
};

}  // namespace robotoff::core
