#include "robotoff/core/file_io.hpp"

#include <atomic>
#include <limits>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

namespace robotoff::core {

namespace {

std::string errno_text() { return std::strerror(errno); }

}  // namespace

bool looks_gzipped(std::string_view data) {
    return data.size() >= 2 && static_cast<unsigned char>(data[0]) == 0x1f &&
           static_cast<unsigned char>(data[1]) == 0x8b;
}

std::string gzip_decompress(std::string_view data, std::size_t max_bytes) {
    z_stream zs{};
    // 16 + MAX_WBITS: gzip header; members are handled by resetting below.
    if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) {
        throw io_error("gzip: cannot initialise zlib");
    }
    std::string out;
    char buffer[65536];
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    zs.avail_in = static_cast<uInt>(data.size());
    int rc = Z_OK;
    while (true) {
        zs.next_out = reinterpret_cast<Bytef*>(buffer);
        zs.avail_out = sizeof buffer;
        rc = inflate(&zs, Z_NO_FLUSH);
        const std::size_t produced = sizeof buffer - zs.avail_out;
        if (out.size() + produced > max_bytes) {
            inflateEnd(&zs);
            throw inflate_limit_error("gzip: inflates to more than " + std::to_string(max_bytes) + " bytes");
        }
        out.append(buffer, produced);
        if (rc == Z_STREAM_END) {
            if (zs.avail_in == 0) {
                break;
            }
            inflateReset(&zs);  // concatenated gzip members
            continue;
        }
        if (rc != Z_OK) {
            break;
        }
        if (zs.avail_in == 0 && zs.avail_out != 0) {
            rc = Z_BUF_ERROR;
            break;
        }
    }
    const std::string message = zs.msg ? zs.msg : "";
    inflateEnd(&zs);
    if (rc != Z_STREAM_END) {
        throw io_error("gzip: corrupt or truncated data" + (message.empty() ? "" : " (" + message + ")"));
    }
    return out;
}

std::string gzip_compress(std::string_view data) {
    z_stream zs{};
    if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        throw io_error("gzip: cannot initialise zlib");
    }
    std::string out;
    out.resize(deflateBound(&zs, static_cast<uLong>(data.size())) + 32);
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    zs.avail_in = static_cast<uInt>(data.size());
    zs.next_out = reinterpret_cast<Bytef*>(out.data());
    zs.avail_out = static_cast<uInt>(out.size());
    const int rc = deflate(&zs, Z_FINISH);
    out.resize(zs.total_out);
    deflateEnd(&zs);
    if (rc != Z_STREAM_END) {
        throw io_error("gzip: compression failed");
    }
    return out;
}

std::string read_file(const std::string& path) {
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) {
        throw io_error(path + ": " + errno_text());
    }
    std::string data;
    char buffer[65536];
    std::size_t n;
    while ((n = std::fread(buffer, 1, sizeof buffer, f)) > 0) {
        data.append(buffer, n);
    }
    const bool failed = std::ferror(f) != 0;
    std::fclose(f);
    if (failed) {
        throw io_error(path + ": read error");
    }
    if (looks_gzipped(data)) {
        try {
            return gzip_decompress(data, std::numeric_limits<std::size_t>::max());  // our own files
        } catch (const io_error& e) {
            throw io_error(path + ": " + e.what());
        }
    }
    return data;
}

void write_file_atomic(const std::string& path, std::string_view content) {
    // PID and a per-process counter: two threads writing the same path never share a temporary file.
    static std::atomic<unsigned long long> sequence{0};
    const std::string tmp = path + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(++sequence);
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        throw io_error(tmp + ": " + errno_text());
    }
    std::size_t written = 0;
    while (written < content.size()) {
        const auto n = ::write(fd, content.data() + written, content.size() - written);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            const std::string reason = errno_text();
            ::close(fd);
            ::unlink(tmp.c_str());
            throw io_error(tmp + ": " + reason);
        }
        written += static_cast<std::size_t>(n);
    }
    if (::fsync(fd) != 0 || ::close(fd) != 0) {
        ::unlink(tmp.c_str());
        throw io_error(tmp + ": " + errno_text());
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        const std::string reason = errno_text();
        ::unlink(tmp.c_str());
        throw io_error(path + ": " + reason);
    }
}

struct line_reader::impl {
    gzFile file = nullptr;
    int fd = -1;
    std::string buffer;
    std::size_t pos = 0;
    bool eof = false;
    std::uint64_t released_up_to = 0;  // file bytes dropped from the page cache (release_read_pages)
};

namespace {

// A dump is read once: the pages already read are dropped from the page cache every 64 MB, so a 20 GB
// import neither evicts PostgreSQL's cached pages nor keeps the kernel busy reclaiming memory.
void release_read_pages(int fd, std::uint64_t offset, std::uint64_t& released_up_to) {
    constexpr std::uint64_t step = 64ull << 20;
    if (offset >= released_up_to + step) {
        ::posix_fadvise(fd, 0, static_cast<off_t>(offset), POSIX_FADV_DONTNEED);
        released_up_to = offset;
    }
}

}  // namespace

line_reader::line_reader(const std::string& path) : impl_(std::make_unique<impl>()), path_(path) {
    impl_->fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (impl_->fd < 0) {
        throw io_error(path + ": " + errno_text());
    }
    struct stat st {};
    if (::fstat(impl_->fd, &st) == 0) {
        raw_size_ = static_cast<std::uint64_t>(st.st_size);
    }
    // gzdopen reads plain files transparently; it owns the descriptor from here on.
    impl_->file = gzdopen(impl_->fd, "rb");
    if (!impl_->file) {
        ::close(impl_->fd);
        throw io_error(path + ": cannot open");
    }
    gzbuffer(impl_->file, 1 << 17);
    ::posix_fadvise(impl_->fd, 0, 0, POSIX_FADV_SEQUENTIAL);  // larger read-ahead
}

line_reader::~line_reader() {
    if (impl_ && impl_->file) {
        gzclose(impl_->file);
    }
}

std::uint64_t line_reader::raw_offset() const {
    const auto off = gzoffset(impl_->file);
    return off < 0 ? 0 : static_cast<std::uint64_t>(off);
}

bool line_reader::next(std::string& line) {
    line.clear();
    while (true) {
        const auto nl = impl_->buffer.find('\n', impl_->pos);
        if (nl != std::string::npos) {
            line.append(impl_->buffer, impl_->pos, nl - impl_->pos);
            impl_->pos = nl + 1;
            ++line_number_;
            return true;
        }
        line.append(impl_->buffer, impl_->pos, std::string::npos);
        impl_->buffer.clear();
        impl_->pos = 0;
        if (impl_->eof) {
            if (line.empty()) {
                return false;
            }
            ++line_number_;
            return true;
        }
        release_read_pages(impl_->fd, raw_offset(), impl_->released_up_to);
        impl_->buffer.resize(1 << 20);
        const int n = gzread(impl_->file, impl_->buffer.data(), static_cast<unsigned>(impl_->buffer.size()));
        if (n < 0) {
            int code = 0;
            const char* message = gzerror(impl_->file, &code);
            throw io_error(path_ + ": read error after line " + std::to_string(line_number_) + " (byte " +
                           std::to_string(raw_offset()) + "): " + (message ? message : "unknown"));
        }
        impl_->buffer.resize(static_cast<std::size_t>(n));
        if (n == 0) {
            int code = 0;
            const char* message = gzerror(impl_->file, &code);
            if (code != Z_OK && code != Z_STREAM_END) {
                throw io_error(path_ + ": stream truncated or corrupt after line " + std::to_string(line_number_) +
                               " (byte " + std::to_string(raw_offset()) + "): " + (message ? message : "unknown"));
            }
            impl_->eof = true;
        }
    }
}

}  // namespace robotoff::core
