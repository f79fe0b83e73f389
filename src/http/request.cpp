#include "robotoff/http/request.hpp"

#include "robotoff/core/config.hpp"
#include "robotoff/core/errors.hpp"
#include "robotoff/core/json.hpp"
#include "robotoff/core/utf8.hpp"

#include <algorithm>
#include <cctype>

namespace robotoff::http {

namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

}  // namespace

std::string url_decode(std::string_view text, bool form) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '+' && form) {
            out += ' ';
        } else if (c == '%' && i + 2 < text.size() &&
                   hex_value(text[i + 1]) >= 0 && hex_value(text[i + 2]) >= 0) {
            out += static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2]));
            i += 2;
        } else {
            out += c;
        }
    }
    return out;
}

std::string url_encode(std::string_view text) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : text) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

void parameters::add(std::string name, std::string value) { items_.emplace_back(std::move(name), std::move(value)); }

void parameters::add_urlencoded(std::string_view text) {
    while (!text.empty()) {
        const auto amp = text.find('&');
        const auto pair = text.substr(0, amp);
        if (!pair.empty()) {
            const auto eq = pair.find('=');
            if (eq == std::string_view::npos) {
                add(url_decode(pair, true), "");
            } else {
                add(url_decode(pair.substr(0, eq), true), url_decode(pair.substr(eq + 1), true));
            }
        }
        if (amp == std::string_view::npos) {
            break;
        }
        text.remove_prefix(amp + 1);
    }
}

bool parameters::has(std::string_view name) const { return get(name).has_value(); }

std::optional<std::string> parameters::get(std::string_view name) const {
    for (auto it = items_.rbegin(); it != items_.rend(); ++it) {
        if (it->first == name && !it->second.empty()) {
            return it->second;
        }
    }
    return std::nullopt;
}

std::string parameters::get_or(std::string_view name, std::string fallback) const {
    auto v = get(name);
    return v ? *v : std::move(fallback);
}

std::string parameters::required(std::string_view name) const {
    auto v = get(name);
    if (!v) {
        throw core::missing_parameter(std::string(name));
    }
    return *v;
}

std::optional<long long> parameters::get_int(std::string_view name, long long min, long long max) const {
    const auto v = get(name);
    if (!v) {
        return std::nullopt;
    }
    const auto n = core::parse_int(*v);
    if (!n || *n < min || *n > max) {
        std::string rule = "must be an integer";
        if (min > -(1LL << 62) && max < (1LL << 62)) {
            rule += " between " + std::to_string(min) + " and " + std::to_string(max);
        } else if (min > -(1LL << 62)) {
            rule += " greater than or equal to " + std::to_string(min);
        } else if (max < (1LL << 62)) {
            rule += " lower than or equal to " + std::to_string(max);
        }
        throw core::invalid_parameter(std::string(name), rule + ".");
    }
    return n;
}

std::optional<double> parameters::get_double(std::string_view name) const {
    const auto v = get(name);
    if (!v) {
        return std::nullopt;
    }
    const auto d = core::parse_double(*v);
    if (!d) {
        throw core::invalid_parameter(std::string(name), "must be a number.");
    }
    return d;
}

std::optional<bool> parameters::get_bool(std::string_view name) const {
    const auto v = get(name);
    if (!v) {
        return std::nullopt;
    }
    const auto b = core::parse_bool(*v);
    if (!b) {
        throw core::invalid_parameter(std::string(name), "must be a boolean (true or false).");
    }
    return b;
}

std::optional<std::string> parameters::get_uuid(std::string_view name) const {
    const auto v = get(name);
    if (!v) {
        return std::nullopt;
    }
    static constexpr int group_lengths[] = {8, 4, 4, 4, 12};
    std::string lower;
    std::size_t pos = 0;
    bool ok = v->size() == 36;
    for (int g = 0; ok && g < 5; ++g) {
        for (int i = 0; i < group_lengths[g]; ++i, ++pos) {
            if (hex_value((*v)[pos]) < 0) {
                ok = false;
                break;
            }
            lower += static_cast<char>(std::tolower(static_cast<unsigned char>((*v)[pos])));
        }
        if (ok && g < 4) {
            if ((*v)[pos] != '-') {
                ok = false;
            }
            lower += '-';
            ++pos;
        }
    }
    if (!ok) {
        throw core::invalid_parameter(std::string(name), "must be a UUID.");
    }
    return lower;
}

std::vector<std::string> parameters::get_list(std::string_view name, std::size_t max_items) const {
    std::vector<std::string> out;
    for (const auto& [key, value] : items_) {
        if (key != name) {
            continue;
        }
        std::string_view rest = value;
        while (true) {
            const auto comma = rest.find(',');
            const auto item = rest.substr(0, comma);
            if (!item.empty()) {
                out.emplace_back(item);
            }
            if (comma == std::string_view::npos) {
                break;
            }
            rest.remove_prefix(comma + 1);
        }
    }
    if (max_items > 0 && out.size() > max_items) {
        out.resize(max_items);
    }
    return out;
}

std::string_view request::header(std::string_view name) const {
    for (const auto& [k, v] : headers) {
        if (iequals(k, name)) {
            return v;
        }
    }
    return {};
}

const std::string& request::path_param(const std::string& name) const {
    static const std::string empty;
    const auto it = path_params.find(name);
    return it == path_params.end() ? empty : it->second;
}

response response::json(std::string body, unsigned status) {
    response r;
    r.status = status;
    r.body = std::move(body);
    return r;
}

response response::text(std::string body, std::string content_type, unsigned status) {
    response r;
    r.status = status;
    r.content_type = std::move(content_type);
    r.body = std::move(body);
    return r;
}

response response::empty(unsigned status) {
    response r;
    r.status = status;
    r.content_type.clear();
    return r;
}

std::optional<std::string> first_unstorable_text(const request& req) {
    if (!core::is_storable_text(req.path)) {
        return std::string("path");
    }
    for (const auto& [name, value] : req.path_params) {
        if (!core::is_storable_text(value)) {
            return name;
        }
    }
    for (const auto& [name, value] : req.params.all()) {
        if (!core::is_storable_text(name) || !core::is_storable_text(value)) {
            return core::to_valid_utf8(name);
        }
    }
    return std::nullopt;
}

response response::error(unsigned status, std::string_view title, std::string_view description) {
    // Descriptions may quote what the client sent: the body stays valid UTF-8 whatever that was.
    std::string body = "{\"title\":";
    core::append_json_string(body, core::to_valid_utf8(title));
    body += ",\"description\":";
    core::append_json_string(body, core::to_valid_utf8(description));
    body += '}';
    return json(std::move(body), status);
}

}  // namespace robotoff::http
