#include "insights_params.hpp"

#include "robotoff/core/errors.hpp"

namespace robotoff::api::detail {

core::server_type server_type_param(const http::request& req) {
    auto value = req.params.get("server_type");
    if (!value) {
        return core::server_type::off;
    }
    auto parsed = core::parse_server_type(*value);
    if (!parsed) {
        throw core::client_error(400, "Invalid parameter", "invalid server_type: " + *value);
    }
    return *parsed;
}

std::vector<std::string> countries_param(const http::request& req, const insight_services& services) {
    auto codes = req.params.get_list("countries");
    std::vector<std::string> tags;
    if (codes.empty()) {
        return tags;
    }
    auto countries = services.taxonomies ? services.taxonomies->get("countries") : nullptr;
    std::vector<std::string> unknown;
    for (const auto& code : codes) {
        std::optional<std::string> tag;
        if (countries) {
            tag = taxonomy::country_tag_for_code(*countries, code);
        }
        if (!tag) {
            unknown.push_back(code);
        } else {
            tags.push_back(*tag);
        }
    }
    if (!unknown.empty()) {
        std::string list;
        for (const auto& u : unknown) {
            list += (list.empty() ? "" : ",") + u;
        }
        throw core::client_error(400, "Invalid parameter", "invalid countries value: " + list);
    }
    return tags;
}

int count_param(const http::request& req, int fallback, int cap) {
    auto v = req.params.get_int("count", 1, std::numeric_limits<long long>::max());
    if (!v) {
        return fallback;
    }
    return static_cast<int>(std::min<long long>(*v, cap));
}

long long page_param(const http::request& req) {
    return req.params.get_int("page", 1, 1000000000LL).value_or(1);
}

std::optional<std::string> barcode_param(const http::request& req, const char* name) {
    auto v = req.params.get(name);
    if (!v) {
        return std::nullopt;
    }
    return core::normalize_barcode(*v);
}

}  // namespace robotoff::api::detail
