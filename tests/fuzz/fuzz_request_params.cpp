// libFuzzer target: the request parsers that run on every call — query/form parameters (and the typed
// getters handlers use), the multipart parser of insights/import, URL decoding, the UTF-8 gate and the error
// body. Acceptable failures: core::client_error from a getter and std::invalid_argument from the multipart
// parser; anything else (another exception, a crash, a sanitizer report, an invalid error body) is a finding.

#include "../../src/api/multipart.hpp"
#include "robotoff/core/errors.hpp"
#include "robotoff/core/json.hpp"
#include "robotoff/core/utf8.hpp"
#include "robotoff/http/request.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace {

void check(bool ok) {
    if (!ok) {
        __builtin_trap();
    }
}

void exercise_parameters(std::string_view text) {
    robotoff::http::request req;
    req.path = "/api/v1/insights";
    req.params.add_urlencoded(text);
    for (const auto& [name, value] : req.params.all()) {
        check(req.params.has(name) || value.empty());
        try {
            (void)req.params.get_int(name, -1000, 1000);
        } catch (const robotoff::core::client_error& e) {
            check(e.status() == 400);
        }
        try {
            (void)req.params.get_uuid(name);
        } catch (const robotoff::core::client_error& e) {
            check(e.status() == 400);
        }
        try {
            (void)req.params.get_bool(name);
            (void)req.params.get_double(name);
        } catch (const robotoff::core::client_error& e) {
            check(e.status() == 400);
        }
        for (const auto& item : req.params.get_list(name, 10)) {
            check(!item.empty());
        }
    }
    const auto bad = robotoff::http::first_unstorable_text(req);
    // Whatever was sent, the error naming it is valid UTF-8 JSON.
    const auto r = robotoff::http::response::error(400, "Invalid parameter", bad ? *bad : std::string(text));
    check(robotoff::core::is_valid_utf8(r.body));
    check(robotoff::core::try_parse_json(r.body).has_value());
}

void exercise_multipart(std::string_view text) {
    // First line: the Content-Type header; the rest: the body.
    const auto newline = text.find('\n');
    const std::string_view header = text.substr(0, newline);
    const std::string_view body = newline == std::string_view::npos ? std::string_view() : text.substr(newline + 1);
    const auto boundary = robotoff::api::multipart_boundary(header);
    if (!boundary) {
        return;
    }
    try {
        for (const auto& part : robotoff::api::parse_multipart(body, *boundary)) {
            check(part.body.size() <= body.size());
        }
    } catch (const std::invalid_argument&) {
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) {
        return 0;
    }
    const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
    switch (data[0] % 3) {
    case 0: exercise_parameters(text); break;
    case 1: exercise_multipart(text); break;
    default: {
        const std::string decoded = robotoff::http::url_decode(text, true);
        check(decoded.size() <= text.size());
        check(robotoff::core::is_valid_utf8(robotoff::core::to_valid_utf8(decoded)));
    }
    }
    return 0;
}
