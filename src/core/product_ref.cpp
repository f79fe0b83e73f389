#include "robotoff/core/product_ref.hpp"

#include <vector>

namespace robotoff::core {

std::optional<server_type> parse_server_type(std::string_view text) {
    if (text == "off") return server_type::off;
    if (text == "obf") return server_type::obf;
    if (text == "opff") return server_type::opff;
    if (text == "opf") return server_type::opf;
    if (text == "off_pro" || text == "off-pro") return server_type::off_pro;
    return std::nullopt;
}

std::string_view to_string(server_type t) {
    switch (t) {
    case server_type::off: return "off";
    case server_type::obf: return "obf";
    case server_type::opff: return "opff";
    case server_type::opf: return "opf";
    case server_type::off_pro: return "off_pro";
    }
    return "off";
}

std::string_view base_domain(server_type t) {
    switch (t) {
    case server_type::off: return "openfoodfacts";
    case server_type::obf: return "openbeautyfacts";
    case server_type::opff: return "openpetfoodfacts";
    case server_type::opf: return "openproductsfacts";
    case server_type::off_pro: return "pro.openfoodfacts";
    }
    return "openfoodfacts";
}

bool is_food(server_type t) { return t == server_type::off || t == server_type::off_pro; }

bool is_all_digits(std::string_view text) {
    if (text.empty()) {
        return false;
    }
    for (char c : text) {
        if (c < '0' || c > '9') {
            return false;
        }
    }
    return true;
}

std::string normalize_barcode(std::string_view barcode) {
    if (!is_all_digits(barcode)) {
        return std::string(barcode);
    }
    const auto first = barcode.find_first_not_of('0');
    std::string digits = first == std::string_view::npos ? std::string() : std::string(barcode.substr(first));
    if (digits.size() <= 8) {
        return std::string(8 - digits.size(), '0') + digits;
    }
    if (digits.size() < 13) {
        return std::string(13 - digits.size(), '0') + digits;
    }
    return digits;
}

std::string split_barcode(std::string_view barcode) {
    std::string prefix;
    std::string_view code = barcode;
    if (const auto slash = barcode.rfind('/'); slash != std::string_view::npos) {
        prefix = "/" + std::string(barcode.substr(0, slash));
        code = barcode.substr(slash + 1);
    }
    std::string padded(code);
    if (padded.size() < 13) {
        padded.insert(0, 13 - padded.size(), '0');
    }
    return prefix + "/" + padded.substr(0, 3) + "/" + padded.substr(3, 3) + "/" + padded.substr(6, 3) + "/" +
           padded.substr(9);
}

std::string source_image_path(std::string_view barcode, std::string_view image_id) {
    return split_barcode(barcode) + "/" + std::string(image_id) + ".jpg";
}

std::string_view source_image_stem(std::string_view source_image) {
    const auto slash = source_image.rfind('/');
    std::string_view name = slash == std::string_view::npos ? source_image : source_image.substr(slash + 1);
    const auto dot = name.find('.');
    return dot == std::string_view::npos ? name : name.substr(0, dot);
}

std::string product_key(server_type t, std::string_view barcode) {
    return std::string(to_string(t)) + ":" + std::string(barcode);
}

namespace {

// The path part of a URL (everything from the first '/' after "scheme://host"), without query/fragment.
std::string_view url_path(std::string_view url) {
    if (const auto scheme = url.find("://"); scheme != std::string_view::npos) {
        const auto slash = url.find('/', scheme + 3);
        url = slash == std::string_view::npos ? std::string_view() : url.substr(slash);
    }
    if (const auto q = url.find_first_of("?#"); q != std::string_view::npos) {
        url = url.substr(0, q);
    }
    return url;
}

std::vector<std::string_view> split_path(std::string_view path) {
    std::vector<std::string_view> parts;
    std::size_t start = 0;
    while (start <= path.size()) {
        const auto slash = path.find('/', start);
        const auto end = slash == std::string_view::npos ? path.size() : slash;
        if (end > start) {
            parts.push_back(path.substr(start, end - start));
        }
        if (slash == std::string_view::npos) {
            break;
        }
        start = slash + 1;
    }
    return parts;
}

}  // namespace

std::optional<url_product> product_from_image_url(std::string_view url_or_path) {
    const auto parts = split_path(url_path(url_or_path));
    if (parts.size() < 2) {
        return std::nullopt;
    }
    // parts.back() is the file name; walk back over all-digit segments.
    std::size_t first = parts.size() - 1;
    while (first > 0 && is_all_digits(parts[first - 1])) {
        --first;
    }
    if (first == parts.size() - 1) {
        return std::nullopt;
    }
    std::string digits;
    for (std::size_t i = first; i < parts.size() - 1; ++i) {
        digits += parts[i];
    }
    url_product result;
    if (first > 0 && parts[first - 1] != "products") {
        result.barcode = std::string(parts[first - 1]) + "/" + digits;
        result.type = server_type::off_pro;
    } else {
        result.barcode = normalize_barcode(digits);
    }
    return result;
}

std::optional<std::string> source_image_from_url(std::string_view url) {
    std::string path(url_path(url));
    constexpr std::string_view prefix = "/images/products";
    if (const auto at = path.find(prefix); at != std::string::npos) {
        path = path.substr(at + prefix.size());
    }
    if (path.empty() || path.front() != '/') {
        return std::nullopt;
    }
    constexpr std::string_view json_ext = ".json";
    if (path.size() > json_ext.size() && path.compare(path.size() - json_ext.size(), json_ext.size(), json_ext) == 0) {
        path.replace(path.size() - json_ext.size(), json_ext.size(), ".jpg");
    }
    return path;
}

std::string expand_base_url(std::string_view pattern, server_type t, std::string_view tld) {
    std::string out(pattern);
    const auto replace_all = [&out](std::string_view from, std::string_view to) {
        for (auto at = out.find(from); at != std::string::npos; at = out.find(from, at + to.size())) {
            out.replace(at, from.size(), to);
        }
    };
    replace_all("{base}", base_domain(t));
    replace_all("{tld}", tld);
    while (!out.empty() && out.back() == '/') {
        out.pop_back();
    }
    return out;
}

}  // namespace robotoff::core
