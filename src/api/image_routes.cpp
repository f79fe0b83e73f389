#include "robotoff/api/image_routes.hpp"

#include "insights_params.hpp"
#include "robotoff/core/errors.hpp"
#include "robotoff/core/json.hpp"
#include "robotoff/core/product_ref.hpp"

#include <algorithm>
#include <set>

namespace robotoff::api {

namespace {

// Images that have no prediction with their source image are "not processed yet" (§4.7).
constexpr const char* list_images_sql =
    "SELECT i.id, i.barcode, i.uploaded_at, i.image_id, i.source_image, i.width, i.height, i.deleted, "
    "i.server_type, count(*) OVER () "
    "FROM image i "
    "WHERE i.server_type = $1 AND ($2::text IS NULL OR i.barcode = $2) "
    "AND ($3::bool OR NOT EXISTS (SELECT 1 FROM prediction p WHERE p.server_type = i.server_type "
    "AND p.barcode = i.barcode AND p.source_image = i.source_image)) "
    "ORDER BY i.id DESC LIMIT $4 OFFSET $5";

constexpr const char* image_lang_sql =
    "SELECT source_image, data FROM prediction "
    "WHERE server_type = $1 AND barcode = $2 AND type = 'image_lang' ORDER BY id";

std::string timestamp_text(std::string_view db_value) {
    // PostgreSQL prints "2024-05-02 14:03:11.482913"; the API uses the ISO form with a 'T'.
    std::string out(db_value);
    if (out.size() > 10 && out[10] == ' ') {
        out[10] = 'T';
    }
    return out;
}

http::response list_images(insight_services& s, const http::request& req) {
    const auto server = detail::server_type_param(req);
    const auto barcode = detail::barcode_param(req);
    const bool with_predictions = req.params.get_bool("with_predictions").value_or(false);
    const int count = detail::count_param(req, 25);
    const long long page = detail::page_param(req);

    auto conn = s.pool.acquire(req.deadline);
    const auto rows = conn->exec(list_images_sql, {std::string(core::to_string(server)), barcode, with_predictions,
                                                   count, (page - 1) * count});
    const long long total = rows.rows() > 0 ? rows.get_int(0, 9) : 0;
    if (rows.rows() == 0 && page > 1) {
        // An empty page beyond the end still reports the exact total.
        const auto n = conn->exec(
            "SELECT count(*) FROM image i WHERE i.server_type = $1 AND ($2::text IS NULL OR i.barcode = $2) "
            "AND ($3::bool OR NOT EXISTS (SELECT 1 FROM prediction p WHERE p.server_type = i.server_type "
            "AND p.barcode = i.barcode AND p.source_image = i.source_image))",
            {std::string(core::to_string(server)), barcode, with_predictions});
        return http::response::json("{\"count\":" + n.get_string(0, 0) + ",\"images\":[],\"status\":\"no_images\"}");
    }
    std::string body = "{\"count\":" + std::to_string(total) + ",\"images\":[";
    for (int i = 0; i < rows.rows(); ++i) {
        if (i > 0) {
            body += ',';
        }
        body += "{\"id\":" + rows.get_string(i, 0) + ",\"barcode\":";
        core::append_json_string(body, rows.get_view(i, 1));
        body += ",\"uploaded_at\":";
        if (rows.is_null(i, 2)) {
            body += "null";
        } else {
            core::append_json_string(body, timestamp_text(rows.get_view(i, 2)));
        }
        body += ",\"image_id\":";
        core::append_json_string(body, rows.get_view(i, 3));
        body += ",\"source_image\":";
        core::append_json_string(body, rows.get_view(i, 4));
        body += ",\"width\":" + rows.get_string(i, 5) + ",\"height\":" + rows.get_string(i, 6);
        body += ",\"deleted\":";
        body += rows.get_bool(i, 7) ? "true" : "false";
        body += ",\"server_type\":";
        core::append_json_string(body, rows.get_view(i, 8));
        body += '}';
    }
    body += "],\"status\":\"";
    body += rows.rows() == 0 ? "no_images" : "found";
    body += "\"}";
    return http::response::json(std::move(body));
}

http::response lang_product(insight_services& s, const http::request& req) {
    const auto server = detail::server_type_param(req);
    const auto barcode = detail::barcode_param(req);
    if (!barcode) {
        throw core::missing_parameter("barcode");
    }
    auto conn = s.pool.acquire(req.deadline);
    const auto rows = conn->exec(image_lang_sql, {std::string(core::to_string(server)), *barcode});
    std::vector<std::pair<std::string, std::string>> predictions;
    for (int i = 0; i < rows.rows(); ++i) {
        predictions.emplace_back(rows.get_string(i, 0), rows.get_string(i, 1));
    }
    return http::response::json(language_shares_json(predictions));
}

}  // namespace

std::string language_shares_json(const std::vector<std::pair<std::string, std::string>>& image_lang_predictions) {
    std::map<std::string, long long> counts;
    long long words = 0;
    std::set<long long> image_ids;
    for (const auto& [source_image, data] : image_lang_predictions) {
        const auto doc = core::try_parse_json(data);
        if (!doc || !doc->IsObject()) {
            continue;
        }
        const auto* count = core::get_member(*doc, "count");
        if (!count || !count->IsObject()) {
            continue;
        }
        for (auto it = count->MemberBegin(); it != count->MemberEnd(); ++it) {
            if (!it->value.IsNumber()) {
                continue;
            }
            const std::string lang(it->name.GetString(), it->name.GetStringLength());
            const auto n = static_cast<long long>(it->value.GetDouble());
            if (lang == "words") {
                words += n;
            } else {
                counts[lang] += n;
            }
        }
        const auto stem = core::source_image_stem(source_image);
        if (core::is_all_digits(stem)) {
            image_ids.insert(std::stoll(std::string(stem)));
        }
    }
    std::vector<std::pair<std::string, long long>> sorted(counts.begin(), counts.end());
    std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
        return a.second != b.second ? a.second > b.second : a.first < b.first;
    });
    rapidjson::Document doc(rapidjson::kObjectType);
    auto& a = doc.GetAllocator();
    rapidjson::Value count_list(rapidjson::kArrayType);
    rapidjson::Value percent_list(rapidjson::kArrayType);
    for (const auto& [lang, n] : sorted) {
        rapidjson::Value c(rapidjson::kObjectType);
        c.AddMember("count", static_cast<int64_t>(n), a);
        c.AddMember("lang", rapidjson::Value(lang.c_str(), a), a);
        count_list.PushBack(c, a);
        rapidjson::Value p(rapidjson::kObjectType);
        p.AddMember("percent", words > 0 ? static_cast<double>(n) * 100.0 / static_cast<double>(words) : 0.0, a);
        p.AddMember("lang", rapidjson::Value(lang.c_str(), a), a);
        percent_list.PushBack(p, a);
    }
    rapidjson::Value ids(rapidjson::kArrayType);
    for (long long id : image_ids) {
        ids.PushBack(static_cast<int64_t>(id), a);
    }
    doc.AddMember("counts", count_list, a);
    doc.AddMember("percent", percent_list, a);
    doc.AddMember("image_ids", ids, a);
    return core::to_json(doc);
}

void add_image_routes(http::router& router, insight_services& services) {
    router.add({"GET", "/api/v1/images",
                [&services](const http::request& r) { return list_images(services, r); },
                "Images known to robotoffd (with_predictions=false: not processed yet)",
                {{"count", "query", "integer", false, "page size (default 25, clamped to 1000)"},
                 {"page", "query", "integer", false, "page number (default 1)"},
                 {"with_predictions", "query", "boolean", false, "false: only images without predictions"},
                 {"barcode", "query", "string", false, "product barcode"},
                 {"server_type", "query", "string", false, "off, obf, opff, opf or off_pro"}},
                "images"});
    router.add({"GET", "/api/v1/predict/lang/product",
                [&services](const http::request& r) { return lang_product(services, r); },
                "Share of languages over the OCR words of a product's images",
                {{"barcode", "query", "string", true, "product barcode"},
                 {"server_type", "query", "string", false, "off, obf, opff, opf or off_pro"}},
                "predict"});
}

}  // namespace robotoff::api
