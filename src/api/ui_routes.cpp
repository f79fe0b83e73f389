// The annotation page (GET /, GET /ui/{asset}) and its two JSON helpers. Assets are embedded in the binary
// (questions/ui_assets.hpp); responses are small and cached briefly so a reload is instant.
#include "robotoff/api/question_routes.hpp"
#include "robotoff/core/errors.hpp"
#include "robotoff/core/json.hpp"
#include "robotoff/questions/store.hpp"
#include "robotoff/questions/ui_assets.hpp"

namespace robotoff::api {
namespace {

// The msgids the page translates (data-i18n attributes and app.js t() calls).
constexpr const char* ui_strings[] = {
    "Robotoff questions", "Yes", "No", "Skip", "Language", "Country", "Question type", "All countries",
    "All types", "Loading...", "No more questions for these filters.", "Barcode", "Unknown product",
    "Reference picture", "No picture", "Answered", "Could not save the answer; try again.",
    "Keyboard: y = yes, n = no, s = skip", "Category", "Label", "Product weight", "Brand", "Packaging",
    "Nutrition image", "Image orientation",
};

http::response asset(std::string_view name) {
    auto a = questions::find_ui_asset(name);
    if (!a) {
        throw core::not_found();
    }
    auto r = http::response::text(std::string(a->body), std::string(a->content_type));
    r.headers.emplace_back("Cache-Control", "max-age=300");
    r.headers.emplace_back("X-Content-Type-Options", "nosniff");
    return r;
}

http::response strings(const question_services& s, const http::request& req) {
    auto messages = s.messages();
    const std::string& lang = req.path_param("lang");
    std::string body = "{";
    bool first = true;
    for (const char* key : ui_strings) {
        body += first ? "" : ",";
        first = false;
        core::append_json_string(body, key);
        body += ':';
        core::append_json_string(body, messages->translate(lang, key));
    }
    body += '}';
    return http::response::json(std::move(body));
}

http::response product(const question_services& s, const http::request& req) {
    auto type = core::server_type::off;
    if (auto value = req.params.get("server_type")) {
        auto parsed = core::parse_server_type(*value);
        if (!parsed) {
            throw core::client_error(400, "Invalid parameter", "invalid server_type: " + *value);
        }
        type = *parsed;
    }
    const std::string barcode = core::normalize_barcode(req.path_param("barcode"));
    auto conn = s.pool().acquire(req.deadline);
    auto products = questions::load_products(*conn, type, {barcode});
    auto it = products.find(barcode);
    if (it == products.end()) {
        throw core::not_found("unknown product: " + barcode);
    }
    std::string body = "{\"barcode\":";
    core::append_json_string(body, barcode);
    body += ",\"product_name\":";
    if (it->second.product_name) {
        core::append_json_string(body, *it->second.product_name);
    } else {
        body += "null";
    }
    body += '}';
    return http::response::json(std::move(body));
}

}  // namespace

void add_ui_routes(http::router& router, question_services& services) {
    auto& s = services;
    router.add({"GET", "/", [](const http::request&) { return asset("index.html"); }, "The annotation page", {},
                "ui"});
    router.add({"GET", "/ui/{asset}", [](const http::request& r) { return asset(r.path_param("asset")); },
                "Static assets of the annotation page", {{"asset", "path", "string", true, "file name"}}, "ui"});
    router.add({"GET", "/ui/i18n/{lang}", [&s](const http::request& r) { return strings(s, r); },
                "UI strings of the annotation page in a language (fallback rules of questions.md §5)",
                {{"lang", "path", "string", true, "language code"}}, "ui"});
    router.add({"GET", "/ui/product/{barcode}", [&s](const http::request& r) { return product(s, r); },
                "Product name from the product table (annotation page)",
                {{"barcode", "path", "string", true, "product barcode"},
                 {"server_type", "query", "string", false, "off, obf, opff, opf, off_pro"}},
                "ui"});
}

}  // namespace robotoff::api
