// POST /api/v1/insights/annotate (api.md §5) and POST /api/v1/insights/import (api.md §4.10).
#include "insights_params.hpp"
#include "multipart.hpp"
#include "robotoff/api/caller.hpp"
#include "robotoff/api/webhook_routes.hpp"
#include "robotoff/core/errors.hpp"
#include "robotoff/core/file_io.hpp"
#include "robotoff/core/json.hpp"
#include "robotoff/insights/store.hpp"
#include "robotoff/insights/types.hpp"

namespace robotoff::api::detail {
namespace {

// The status codes of an annotation that closed the insight (api.md §5.3).
bool decided(int status_code) {
    return status_code == 1 || status_code == 2 || status_code == 3 || status_code == 4 || status_code == 8 ||
           status_code == 12;
}

http::response annotate(insight_services& s, const http::request& req) {
    insights::annotate_request a;
    auto id = req.params.get_uuid("insight_id");
    if (!id) {
        throw core::missing_parameter("insight_id");
    }
    a.insight_id = *id;
    auto annotation = req.params.get_int("annotation", -1, 2);
    if (!annotation) {
        throw core::missing_parameter("annotation");
    }
    a.annotation = static_cast<int>(*annotation);
    a.update = req.params.get_bool("update").value_or(true);
    auto data = req.params.get("data");
    if (data) {
        auto doc = core::try_parse_json(*data);
        if (!doc || !doc->IsObject()) {
            throw core::invalid_parameter("data", "must be a JSON object.");
        }
        a.data = core::to_json(*doc);
    }
    a.user = caller_credentials(req);
    a.device_id = caller_device_id(req);
    if (a.annotation == 2 && !a.data) {
        throw core::bad_request("data must be provided when annotation is 2");
    }
    if (a.annotation == 2 && !a.update) {
        throw core::bad_request("update must be true when annotation is 2");
    }
    if (a.data && a.annotation != 2) {
        throw core::bad_request("annotation must be 2 when data is provided");
    }
    if (a.annotation == 2 && !a.user.authenticated()) {
        throw core::bad_request("data cannot be provided when the user is not authenticated");
    }
    auto conn = s.pool.acquire(req.deadline);
    auto result = insights::annotate(*conn, a, s.writer);
    if (decided(result.status_code)) {
        s.listings_changed();
    }
    std::string body = "{\"status_code\":" + std::to_string(result.status_code) + ",\"status\":";
    core::append_json_string(body, result.status);
    body += ",\"description\":";
    core::append_json_string(body, result.description);
    body += '}';
    return http::response::json(std::move(body));
}

std::string job_payload(core::server_type type, const std::string& insight_type,
                        const std::vector<std::string_view>& lines) {
    std::string out = "{\"server_type\":";
    core::append_json_string(out, core::to_string(type));
    out += ",\"type\":";
    core::append_json_string(out, insight_type);
    out += ",\"lines\":[";
    for (std::size_t i = 0; i < lines.size(); ++i) {
        if (i > 0) {
            out += ',';
        }
        core::append_json_string(out, lines[i]);
    }
    out += "]}";
    return out;
}

http::response import_file(insight_services& s, const http::request& req) {
    // A Product Opener hook: the webhook guard, with import.token accepted as well.
    check_product_opener_access(req, webhook_settings::from_config(s.cfg), {s.cfg.get_string("import.token")});
    // Fields from the multipart body, else from the query/form parameters with the body as the file.
    std::optional<std::string> type = req.params.get("type");
    std::optional<std::string> server_type = req.params.get("server_type");
    std::optional<std::string> file;
    auto boundary = multipart_boundary(req.header("content-type"));
    if (boundary) {
        std::vector<multipart_part> parts;
        try {
            parts = parse_multipart(req.body, *boundary);
        } catch (const std::invalid_argument& e) {
            throw core::bad_request(std::string("invalid multipart body: ") + e.what());
        }
        for (auto& p : parts) {
            if (p.name == "type" && !p.body.empty()) {
                type = p.body;
            } else if (p.name == "server_type" && !p.body.empty()) {
                server_type = p.body;
            } else if (p.name == "file") {
                file = std::move(p.body);
            }
        }
    } else if (!req.body.empty() && req.header("content-type").find("x-www-form-urlencoded") == std::string::npos) {
        file = req.body;
    }
    if (!type) {
        throw core::missing_parameter("type");
    }
    if (!insights::is_insight_type(*type)) {
        throw core::client_error(400, "Invalid parameter", "unknown insight type: '" + *type + "'");
    }
    core::server_type st = core::server_type::off;
    if (server_type) {
        auto parsed = core::parse_server_type(*server_type);
        if (!parsed) {
            throw core::client_error(400, "Invalid parameter", "invalid server_type: " + *server_type);
        }
        st = *parsed;
    }
    if (!file) {
        throw core::missing_parameter("file");
    }
    if (core::looks_gzipped(*file)) {
        try {
            file = core::gzip_decompress(*file,
                                         static_cast<std::size_t>(s.cfg.get_int("import.max_inflated_bytes")));
        } catch (const core::inflate_limit_error&) {
            throw core::client_error(413, "413 Payload Too Large",
                                     "The \"file\" parameter inflates past import.max_inflated_bytes.");
        } catch (const core::io_error&) {
            throw core::invalid_parameter("file", "is not a valid gzip stream.");
        }
    }
    std::vector<std::string_view> lines;
    std::string_view text = *file;
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string_view::npos) {
            end = text.size();
        }
        std::string_view line = text.substr(pos, end - pos);
        if (!line.empty() && line.back() == '\r') {
            line.remove_suffix(1);
        }
        if (line.find_first_not_of(" \t") != std::string_view::npos) {
            lines.push_back(line);
        }
        pos = end + 1;
    }
    auto conn = s.pool.acquire(req.deadline);
    db::transaction tx(*conn);
    for (std::size_t start = 0; start < lines.size(); start += 500) {
        std::vector<std::string_view> chunk(lines.begin() + static_cast<long>(start),
                                            lines.begin() + static_cast<long>(std::min(lines.size(), start + 500)));
        insights::enqueue_job(*conn, "import_predictions_file", job_payload(st, *type, chunk));
    }
    tx.commit();
    return http::response::json(R"({"status":"scheduled"})");
}

}  // namespace

http::handler annotate_handler(insight_services& s) {
    return [&s](const http::request& r) { return annotate(s, r); };
}

http::handler import_handler(insight_services& s) {
    return [&s](const http::request& r) { return import_file(s, r); };
}

}  // namespace robotoff::api::detail
