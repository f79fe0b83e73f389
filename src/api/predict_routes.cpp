// POST /api/v1/predict/category (api.md §7.3) and POST /api/v1/predict/ingredients/spellcheck (§7.4).
#include "robotoff/api/predict_routes.hpp"

#include "insights_params.hpp"
#include "robotoff/core/errors.hpp"
#include "robotoff/core/json.hpp"
#include "robotoff/core/product_ref.hpp"
#include "robotoff/products/repository.hpp"
#include "robotoff/text/normalize.hpp"

#include <algorithm>
#include <cmath>

namespace robotoff::api {

namespace {

constexpr const char* category_help =
    "expected {\"barcode\": \"...\"} or {\"product\": {\"product_name\": \"...\"}, \"lang\": \"fr\"}";

std::string category_json(const std::vector<matcher::category_prediction>& predictions) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
    w.StartObject();
    w.Key("matcher");
    w.StartObject();
    w.Key("predictions");
    w.StartArray();
    for (const auto& p : predictions) {
        w.StartObject();
        w.Key("value_tag");
        w.String(p.value_tag);
        w.Key("confidence");
        w.Double(p.confidence);
        w.Key("lang");
        w.String(p.lang);
        w.Key("product_name");
        w.String(p.product_name);
        w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    w.EndObject();
    return std::string(buffer.GetString(), buffer.GetSize());
}

// server_type from the JSON body (when given there) or the query string; only off has a matcher.
void require_off(const rapidjson::Value& body, const http::request& req) {
    core::server_type type = core::server_type::off;
    if (const auto* v = core::get_member(body, "server_type"); v != nullptr && !v->IsNull()) {
        const auto parsed = v->IsString() ? core::parse_server_type(v->GetString()) : std::nullopt;
        if (!parsed) {
            throw core::client_error(400, "Invalid parameter",
                                     "invalid server_type: " + (v->IsString() ? std::string(v->GetString())
                                                                               : core::to_json(*v)));
        }
        type = *parsed;
    } else {
        type = detail::server_type_param(req);
    }
    if (type != core::server_type::off) {
        throw core::bad_request("category predictor is only available for 'off' server type");
    }
}

}  // namespace

http::response predict_category(const predict_services& services, const http::request& req) {
    auto parsed = core::try_parse_json(req.body);
    if (!parsed) {
        throw core::bad_request("the request body is not valid JSON: " + std::string(category_help));
    }
    const rapidjson::Value& body = *parsed;
    if (!body.IsObject()) {
        throw core::bad_request("the request body must be a JSON object: " + std::string(category_help));
    }
    require_off(body, req);
    const auto model = services.matcher.get();
    if (!model) {
        auto r = http::response::error(503, "503 Service Unavailable",
                                       "the category matcher is not ready (categories taxonomy not loaded)");
        r.headers.emplace_back("Retry-After", "5");
        return r;
    }

    const auto* barcode = core::get_member(body, "barcode");
    const auto* product = core::get_member(body, "product");
    if ((barcode != nullptr) == (product != nullptr)) {
        throw core::bad_request("give exactly one of \"barcode\" and \"product\": " + std::string(category_help));
    }
    if (barcode != nullptr) {
        if (!barcode->IsString() || barcode->GetStringLength() == 0) {
            throw core::bad_request("\"barcode\" must be a non-empty string");
        }
        const std::string code = core::normalize_barcode(barcode->GetString());
        if (!services.find_product) {
            throw std::runtime_error("predict_services.find_product is not set");
        }
        const auto names = services.find_product(code, req.deadline);
        if (!names) {
            throw core::not_found("product " + code + " not found");
        }
        return http::response::json(category_json(model->predict_each_language(*names)));
    }

    if (!product->IsObject()) {
        throw core::bad_request("\"product\" must be a JSON object: " + std::string(category_help));
    }
    for (const auto& m : product->GetObject()) {
        if (std::string_view(m.name.GetString(), m.name.GetStringLength()) != "product_name") {
            throw core::bad_request("unexpected key \"" + std::string(m.name.GetString()) +
                                    "\" in \"product\": only \"product_name\" is allowed");
        }
    }
    const auto name = core::get_string(*product, "product_name");
    if (!name) {
        throw core::bad_request("\"product.product_name\" must be a string: " + std::string(category_help));
    }
    std::string lang = "en";
    if (const auto* l = core::get_member(body, "lang"); l != nullptr && !l->IsNull()) {
        if (!l->IsString()) {
            throw core::bad_request("\"lang\" must be a string");
        }
        lang = l->GetString();
    }
    return http::response::json(category_json(model->predict_each_language({{lang, std::string(*name)}})));
}

http::response predict_spellcheck(const predict_services& services, const http::request& req) {
    std::optional<std::string> text = req.params.get("text");
    std::optional<std::string> lang = req.params.get("lang");
    std::optional<double> confidence = req.params.get_double("confidence");
    // Ours: a JSON body is accepted too (Robotoff clients have sent both).
    if (req.header("content-type").starts_with("application/json")) {
        const auto doc = core::try_parse_json(req.body);
        if (!doc || !doc->IsObject()) {
            throw core::bad_request("the request body is not a valid JSON object");
        }
        if (const auto* t = core::get_member(*doc, "text"); t != nullptr && !t->IsNull()) {
            if (!t->IsString()) {
                throw core::invalid_parameter("text", "must be a string.");
            }
            text = std::string(t->GetString(), t->GetStringLength());
        }
        if (const auto l = core::get_string(*doc, "lang")) {
            lang = std::string(*l);
        }
        if (const auto* c = core::get_member(*doc, "confidence"); c != nullptr && !c->IsNull()) {
            if (!c->IsNumber()) {
                throw core::invalid_parameter("confidence", "must be a number greater than 0.");
            }
            confidence = c->GetDouble();
        }
    }
    if (!text || text->empty()) {
        throw core::missing_parameter("text");
    }
    if (text::code_point_count(*text) > services.max_text_chars) {
        throw core::client_error(413, "413 Payload Too Large",
                                 "The \"text\" parameter is longer than " + std::to_string(services.max_text_chars) +
                                     " characters.");
    }
    const std::string language = lang.value_or("fr");
    if (std::find(services.spellcheck_langs.begin(), services.spellcheck_langs.end(), language) ==
        services.spellcheck_langs.end()) {
        std::string allowed;
        for (const auto& l : services.spellcheck_langs) {
            allowed += (allowed.empty() ? "" : ", ") + l;
        }
        throw core::invalid_parameter("lang", "must be one of: " + allowed + ".");
    }
    const double threshold = confidence.value_or(1.0);
    if (!(threshold > 0) || !std::isfinite(threshold)) {
        throw core::invalid_parameter("confidence", "must be a number greater than 0.");
    }
    const auto model = services.spellchecker->get();
    if (!model || !model->supports(language)) {
        auto r = http::response::error(503, "503 Service Unavailable",
                                       "the spellcheck corpus for '" + language + "' is not built yet");
        r.headers.emplace_back("Retry-After", "60");
        return r;
    }
    return http::response::json(spellcheck::to_json(model->check(*text, language, threshold)));
}

product_names_finder product_names_from_pool(db::pool& pool) {
    return [&pool](const std::string& barcode,
                   std::chrono::steady_clock::time_point deadline) -> std::optional<product_names> {
        auto conn = pool.acquire(deadline);
        const auto p = products::find_product(*conn, core::server_type::off, barcode);
        if (!p) {
            return std::nullopt;
        }
        product_names names;
        for (const auto& lang : p->languages_codes) {
            const auto it = p->texts.find("product_name_" + lang);
            if (it != p->texts.end()) {
                names.emplace_back(lang, it->second);
            }
        }
        return names;
    };
}

void add_predict_routes(http::router& router, predict_services& services) {
    router.add(http::route{"POST", "/api/v1/predict/category",
                           [&services](const http::request& r) { return predict_category(services, r); },
                           "Category of a product from its name (in-process matcher)",
                           {{"server_type", "query", "string", false, "only off"}},
                           "predict"});
    router.add(http::route{"POST", "/api/v1/predict/ingredients/spellcheck",
                           [&services](const http::request& r) { return predict_spellcheck(services, r); },
                           "Spelling corrections for an ingredient list",
                           {{"text", "formData", "string", true, "ingredient list"},
                            {"lang", "formData", "string", false, "language (spellcheck.langs), default fr"},
                            {"confidence", "formData", "number", false, "acceptance factor > 0, default 1"}},
                           "predict"});
}

}  // namespace robotoff::api
