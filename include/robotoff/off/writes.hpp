#pragma once
// The Product Opener write requests of pipeline.md §7 as plain data, built by pure functions (no I/O):
// which endpoint, which form fields, which comment action. client::write() adds the code, the comment
// suffix and the credentials and sends it. Thread-safe (no state).

#include "robotoff/core/product_ref.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace robotoff::off {

// Who decided the edit: selects the comment suffix (§7.1) and, with the credentials, who writes.
enum class decision_origin {
    user,       // a logged-in user's own decision: no suffix
    vote,       // decided by votes: robot credentials, " (applied after 3 anonymous votes)"
    automatic,  // automatic processing: robot credentials, " (automated edit)"
};

enum class write_endpoint {
    field_edit,       // POST /cgi/product_jqm2.pl (form), off.write_timeout_s
    image_select,     // POST /cgi/product_image_crop.pl (form), off.image_write_timeout_s
    packaging_patch,  // PATCH /api/v3/product/{barcode} (JSON), off.write_timeout_s
};

struct write_request {
    write_endpoint endpoint = write_endpoint::field_edit;
    core::server_type server = core::server_type::off;
    std::string barcode;
    std::vector<std::pair<std::string, std::string>> fields;  // form fields besides code/comment/credentials
    std::string action;                                       // the `{action}` of the comment
    // packaging_patch only: the tags of the one element to add (empty = property absent).
    std::string shape, material, recycling;
};

// `[robotoff] {action}, ID: {insight_id}` + the suffix of `origin` (§7.1).
std::string comment_text(std::string_view action, std::string_view insight_id, decision_origin origin);

// §7.2 field edits.
write_request set_packager_codes(core::server_type s, std::string barcode, std::string full_list);
write_request add_label(core::server_type s, std::string barcode, std::string tag);
write_request add_category(core::server_type s, std::string barcode, std::string tag);
write_request set_quantity(core::server_type s, std::string barcode, std::string value);
write_request set_expiration_date(core::server_type s, std::string barcode, std::string value);
write_request add_brand(core::server_type s, std::string barcode, std::string value);
write_request add_store(core::server_type s, std::string barcode, std::string value);
write_request set_ingredients_text(core::server_type s, std::string barcode, std::string lang, std::string text);

// An absolute box (y_min, x_min, y_max, x_max) in pixels (spec README §5).
struct box {
    double y_min = 0, x_min = 0, y_max = 0, x_max = 0;
    bool operator==(const box&) const = default;
};

// §7.3 table: the box on the raw image (width W, height H) expressed in the image rotated clockwise by
// `angle` (0, 90, 180, 270; other values are treated as 0).
box rotate_box(const box& raw, int angle, double width, double height);

// §7.3 image selection. `angle` 0 sends no angle field; `crop` (already rotated) adds x1..y2.
write_request select_image(core::server_type s, std::string barcode, std::string image_id, std::string key,
                           int angle, const std::optional<box>& crop);

// nutrition_image crop: relative box × (H, W, H, W), then rotated by `rotation`.
box nutrition_crop(const box& relative, int rotation, double width, double height);

// image_orientation crop (§7.3): the selected key's existing crop, or nullopt when it has none (absent or
// all -1) or when its current angle is not 0. `full_coordinates` is coordinates_image_size == "full";
// otherwise the coordinates are scaled from the 400-px display size (factor max(W, H) / 400 when > 1).
// The result is rotated by `rotation`.
std::optional<box> orientation_crop(std::optional<double> x1, std::optional<double> y1, std::optional<double> x2,
                                    std::optional<double> y2, bool full_coordinates, int current_angle,
                                    int rotation, double width, double height);

// §7.4 packaging element (shape required; material/recycling optional).
write_request add_packaging(core::server_type s, std::string barcode, std::string shape, std::string material,
                            std::string recycling);

// Form encoding of (name, value) pairs (application/x-www-form-urlencoded, spaces as '+').
std::string form_encode(const std::vector<std::pair<std::string, std::string>>& fields);

}  // namespace robotoff::off
