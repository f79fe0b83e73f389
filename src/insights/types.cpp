#include "robotoff/insights/types.hpp"

#include <algorithm>
#include <map>

namespace robotoff::insights {
namespace {

const std::vector<std::string> all_insight_types = {
    "packager_code", "label", "category", "product_weight", "expiration_date", "brand", "store", "packaging",
    "nutrition_image", "image_orientation", "ingredient_spellcheck"};

const std::vector<std::string> prediction_only_types = {"nutrient", "nutrient_mention", "image_lang",
                                                        "image_flag", "trace", "location"};

}  // namespace

const std::vector<std::string>& insight_types() { return all_insight_types; }

bool is_insight_type(std::string_view type) {
    return std::find(all_insight_types.begin(), all_insight_types.end(), type) != all_insight_types.end();
}

bool is_prediction_type(std::string_view type) {
    return is_insight_type(type) ||
           std::find(prediction_only_types.begin(), prediction_only_types.end(), type) != prediction_only_types.end();
}

const std::vector<std::string>& required_prediction_types(std::string_view insight_type) {
    static const std::map<std::string, std::vector<std::string>, std::less<>> table = [] {
        std::map<std::string, std::vector<std::string>, std::less<>> m;
        for (const auto& t : all_insight_types) {
            m[t] = {t};
        }
        m["nutrition_image"] = {"nutrient_mention", "image_orientation"};
        return m;
    }();
    static const std::vector<std::string> none;
    auto it = table.find(insight_type);
    return it == table.end() ? none : it->second;
}

const std::vector<std::string>& input_prediction_types(std::string_view insight_type) {
    static const std::vector<std::string> nutrition = {"nutrient_mention", "image_orientation", "nutrient"};
    if (insight_type == "nutrition_image") {
        return nutrition;
    }
    return required_prediction_types(insight_type);
}

std::vector<std::string> importers_for(const std::vector<std::string>& changed) {
    std::vector<std::string> out;
    for (const auto& type : all_insight_types) {
        const auto& inputs = input_prediction_types(type);
        bool hit = std::any_of(inputs.begin(), inputs.end(), [&](const std::string& t) {
            return std::find(changed.begin(), changed.end(), t) != changed.end();
        });
        if (hit) {
            out.push_back(type);
        }
    }
    return out;
}

bool is_reserved_barcode(std::string_view barcode) {
    if (!barcode.empty() && barcode.front() == '0') {
        barcode.remove_prefix(1);
    }
    return !barcode.empty() && barcode.front() == '2';
}

}  // namespace robotoff::insights
