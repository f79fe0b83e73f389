#pragma once
// Minimal multipart/form-data parser (RFC 7578) for POST /api/v1/insights/import: fields and file parts
// by name. Pure; thread-safe.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace robotoff::api {

struct multipart_part {
    std::string name;
    std::optional<std::string> filename;
    std::string content_type;
    std::string body;
};

// The boundary parameter of a Content-Type header, or nullopt when it is not multipart/form-data.
std::optional<std::string> multipart_boundary(std::string_view content_type);

// Splits a body; throws std::invalid_argument when it is malformed.
std::vector<multipart_part> parse_multipart(std::string_view body, std::string_view boundary);

}  // namespace robotoff::api
