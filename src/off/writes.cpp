#include "robotoff/off/writes.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>

namespace robotoff::off {

namespace {

write_request field_edit(core::server_type s, std::string barcode, std::string field, std::string value,
                         std::string action) {
    write_request r;
    r.endpoint = write_endpoint::field_edit;
    r.server = s;
    r.barcode = std::move(barcode);
    r.fields.emplace_back(std::move(field), std::move(value));
    r.action = std::move(action);
    return r;
}

std::string quoted(std::string_view text) {
    return "'" + std::string(text) + "'";
}

std::string pixel(double v) {
    // Integral pixel values are sent without decimals, as PO expects ("120", not "120.000000").
    double r = std::round(v);
    if (std::fabs(v - r) < 1e-6) {
        return std::to_string(static_cast<long long>(r));
    }
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.2f", v);
    return buf;
}

}  // namespace

std::string comment_text(std::string_view action, std::string_view insight_id, decision_origin origin) {
    std::string out = "[robotoff] ";
    out += action;
    out += ", ID: ";
    out += insight_id;
    if (origin == decision_origin::vote) {
        out += " (applied after 3 anonymous votes)";
    } else if (origin == decision_origin::automatic) {
        out += " (automated edit)";
    }
    return out;
}

write_request set_packager_codes(core::server_type s, std::string barcode, std::string full_list) {
    std::string action = "Adding packager codes " + quoted(full_list);
    return field_edit(s, std::move(barcode), "emb_codes", std::move(full_list), std::move(action));
}

write_request add_label(core::server_type s, std::string barcode, std::string tag) {
    std::string action = "Adding label tag " + quoted(tag);
    return field_edit(s, std::move(barcode), "add_labels", std::move(tag), std::move(action));
}

write_request add_category(core::server_type s, std::string barcode, std::string tag) {
    std::string action = "Adding category " + quoted(tag);
    return field_edit(s, std::move(barcode), "add_categories", std::move(tag), std::move(action));
}

write_request set_quantity(core::server_type s, std::string barcode, std::string value) {
    std::string action = "Updating quantity to " + quoted(value);
    return field_edit(s, std::move(barcode), "quantity", std::move(value), std::move(action));
}

write_request set_expiration_date(core::server_type s, std::string barcode, std::string value) {
    std::string action = "Adding expiration date " + quoted(value);
    return field_edit(s, std::move(barcode), "expiration_date", std::move(value), std::move(action));
}

write_request add_brand(core::server_type s, std::string barcode, std::string value) {
    std::string action = "Adding brand " + quoted(value);
    return field_edit(s, std::move(barcode), "add_brands", std::move(value), std::move(action));
}

write_request add_store(core::server_type s, std::string barcode, std::string value) {
    std::string action = "Adding store " + quoted(value);
    return field_edit(s, std::move(barcode), "add_stores", std::move(value), std::move(action));
}

write_request set_ingredients_text(core::server_type s, std::string barcode, std::string lang, std::string text) {
    return field_edit(s, std::move(barcode), "ingredients_text_" + lang, std::move(text),
                      "Ingredient spellcheck correction");
}

box rotate_box(const box& b, int angle, double width, double height) {
    double w = width;
    double h = height;
    switch (angle) {
    case 90:
        return {b.x_min, h - b.y_max, b.x_max, h - b.y_min};
    case 180:
        return {h - b.y_max, w - b.x_max, h - b.y_min, w - b.x_min};
    case 270:
        return {w - b.x_max, b.y_min, w - b.x_min, b.y_max};
    default:
        return b;
    }
}

write_request select_image(core::server_type s, std::string barcode, std::string image_id, std::string key,
                           int angle, const std::optional<box>& crop) {
    write_request r;
    r.endpoint = write_endpoint::image_select;
    r.server = s;
    r.barcode = std::move(barcode);
    r.action = "Selecting image " + image_id + " as " + key;
    r.fields.emplace_back("imgid", std::move(image_id));
    r.fields.emplace_back("id", std::move(key));
    r.fields.emplace_back("coordinates_image_size", "full");
    if (angle == 90 || angle == 180 || angle == 270) {
        r.fields.emplace_back("angle", std::to_string(angle));
    }
    if (crop) {
        r.fields.emplace_back("x1", pixel(crop->x_min));
        r.fields.emplace_back("y1", pixel(crop->y_min));
        r.fields.emplace_back("x2", pixel(crop->x_max));
        r.fields.emplace_back("y2", pixel(crop->y_max));
    }
    return r;
}

box nutrition_crop(const box& rel, int rotation, double width, double height) {
    box raw{rel.y_min * height, rel.x_min * width, rel.y_max * height, rel.x_max * width};
    return rotate_box(raw, rotation, width, height);
}

std::optional<box> orientation_crop(std::optional<double> x1, std::optional<double> y1, std::optional<double> x2,
                                    std::optional<double> y2, bool full_coordinates, int current_angle,
                                    int rotation, double width, double height) {
    if (!x1 || !y1 || !x2 || !y2) {
        return std::nullopt;
    }
    if (*x1 == -1 && *y1 == -1 && *x2 == -1 && *y2 == -1) {
        return std::nullopt;
    }
    if (current_angle != 0) {
        return std::nullopt;
    }
    box raw{*y1, *x1, *y2, *x2};
    if (!full_coordinates) {
        double factor = std::max(width, height) / 400.0;
        if (factor > 1) {
            raw = {raw.y_min * factor, raw.x_min * factor, raw.y_max * factor, raw.x_max * factor};
        }
    }
    return rotate_box(raw, rotation, width, height);
}

write_request add_packaging(core::server_type s, std::string barcode, std::string shape, std::string material,
                            std::string recycling) {
    write_request r;
    r.endpoint = write_endpoint::packaging_patch;
    r.server = s;
    r.barcode = std::move(barcode);
    r.action = "Updating/adding packaging elements " + quoted(shape);
    r.shape = std::move(shape);
    r.material = std::move(material);
    r.recycling = std::move(recycling);
    return r;
}

std::string form_encode(const std::vector<std::pair<std::string, std::string>>& fields) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    auto encode = [&](std::string_view text) {
        for (unsigned char c : text) {
            if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
                out += static_cast<char>(c);
            } else if (c == ' ') {
                out += '+';
            } else {
                out += '%';
                out += hex[c >> 4];
                out += hex[c & 15];
            }
        }
    };
    for (const auto& [name, value] : fields) {
        if (!out.empty()) {
            out += '&';
        }
        encode(name);
        out += '=';
        encode(value);
    }
    return out;
}

}  // namespace robotoff::off
