#include "robotoff/questions/questions.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace robotoff::questions {
namespace {

// questions.md §1: type -> English question text (also the PO msgid).
constexpr std::array<std::pair<std::string_view, const char*>, 7> question_texts{{
    {"category", "Does the product belong to this category?"},
    {"label", "Does the product have this label?"},
    {"product_weight", "Does this weight match the weight displayed on the product?"},
    {"brand", "Does the product belong to this brand?"},
    {"packaging", "Does the product have this packaging element?"},
    {"nutrition_image", "Is this image a nutrition image for this language?"},
    {"image_orientation", "Is this image rotated with the following orientation?"},
}};

}  // namespace

const char* question_key(std::string_view insight_type) {
    for (const auto& [type, text] : question_texts) {
        if (type == insight_type) {
            return text;
        }
    }
    return nullptr;
}

const std::vector<std::string>& default_question_types() {
    static const std::vector<std::string> types = {"category", "label", "product_weight", "brand", "packaging"};
    return types;
}

std::vector<std::string> requested_question_types(const std::vector<std::string>& requested, bool present) {
    if (!present) {
        return default_question_types();
    }
    std::vector<std::string> out;
    for (const auto& t : requested) {
        if (question_key(t) != nullptr && std::find(out.begin(), out.end(), t) == out.end()) {
            out.push_back(t);
        }
    }
    return out;
}

int type_priority(std::string_view insight_type) {
    if (insight_type == "category") {
        return 0;
    }
    if (insight_type == "label") {
        return 1;
    }
    if (insight_type == "brand") {
        return 2;
    }
    return 3;
}

}  // namespace robotoff::questions
