#include "multipart.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace robotoff::api {
namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

// name="value" or name=value inside a header value.
std::optional<std::string> header_param(std::string_view header, std::string_view name) {
    std::string lowered = lower(header);
    std::string key = std::string(name) + "=";
    std::size_t pos = 0;
    while ((pos = lowered.find(key, pos)) != std::string::npos) {
        bool boundary_ok = pos == 0 || lowered[pos - 1] == ';' || lowered[pos - 1] == ' ';
        if (!boundary_ok) {
            pos += key.size();
            continue;
        }
        std::size_t start = pos + key.size();
        if (start < header.size() && header[start] == '"') {
            std::size_t end = header.find('"', start + 1);
            if (end == std::string_view::npos) {
                return std::nullopt;
            }
            return std::string(header.substr(start + 1, end - start - 1));
        }
        std::size_t end = header.find(';', start);
        std::string value(header.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
        while (!value.empty() && value.back() == ' ') {
            value.pop_back();
        }
        return value;
    }
    return std::nullopt;
}

}  // namespace

std::optional<std::string> multipart_boundary(std::string_view content_type) {
    if (!lower(content_type).starts_with("multipart/form-data")) {
        return std::nullopt;
    }
    return header_param(content_type, "boundary");
}

std::vector<multipart_part> parse_multipart(std::string_view body, std::string_view boundary) {
    std::vector<multipart_part> parts;
    const std::string delimiter = "--" + std::string(boundary);
    std::size_t pos = body.find(delimiter);
    if (pos == std::string_view::npos) {
        throw std::invalid_argument("multipart boundary not found");
    }
    pos += delimiter.size();
    while (true) {
        if (body.substr(pos, 2) == "--") {
            return parts;  // closing delimiter
        }
        if (body.substr(pos, 2) != "\r\n") {
            throw std::invalid_argument("malformed multipart delimiter");
        }
        pos += 2;
        std::size_t headers_end = body.find("\r\n\r\n", pos);
        if (headers_end == std::string_view::npos) {
            throw std::invalid_argument("malformed multipart headers");
        }
        multipart_part part;
        std::string_view headers = body.substr(pos, headers_end - pos);
        std::size_t line_start = 0;
        while (line_start <= headers.size()) {
            std::size_t line_end = headers.find("\r\n", line_start);
            if (line_end == std::string_view::npos) {
                line_end = headers.size();
            }
            std::string_view line = headers.substr(line_start, line_end - line_start);
            std::size_t colon = line.find(':');
            if (colon != std::string_view::npos) {
                std::string name = lower(line.substr(0, colon));
                std::string_view value = line.substr(colon + 1);
                while (!value.empty() && value.front() == ' ') {
                    value.remove_prefix(1);
                }
                if (name == "content-disposition") {
                    part.name = header_param(value, "name").value_or("");
                    part.filename = header_param(value, "filename");
                } else if (name == "content-type") {
                    part.content_type = std::string(value);
                }
            }
            line_start = line_end + 2;
        }
        std::size_t content_start = headers_end + 4;
        std::size_t next = body.find("\r\n" + delimiter, content_start);
        if (next == std::string_view::npos) {
            throw std::invalid_argument("multipart part not terminated");
        }
        part.body = std::string(body.substr(content_start, next - content_start));
        parts.push_back(std::move(part));
        pos = next + 2 + delimiter.size();
    }
}

}  // namespace robotoff::api
