#pragma once
// Picture URLs of questions (questions.md §4). Pure functions, thread-safe.

#include "robotoff/core/product_ref.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace robotoff::questions {

// "{images_base}/images/products" for a server type: off.images_url with {base}/{tld} expanded.
std::string products_images_base(std::string_view images_url_pattern, core::server_type type, std::string_view tld);

// Display image of a source image path: "/301/762/042/5035/6.jpg" -> "/301/762/042/5035/6.400.jpg" when the
// file stem is all digits, else unchanged.
std::string display_image_path(std::string_view source_image);

// The generic product image file name ("front_fr.12.400.jpg", or "7.400.jpg" for the highest raw image id)
// from the flat `images` JSON of the product record, trying `types` in order; nullopt if none.
std::optional<std::string> generic_image_file(std::string_view images_json, std::string_view product_lang,
                                              const std::vector<std::string>& types);

}  // namespace robotoff::questions
