#include "robotoff/core/json.hpp"
#include "robotoff/questions/questions.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace robotoff::questions {

label_logos label_logos::from_json(std::string_view json) {
    label_logos out;
    auto doc = core::parse_json(json);
    if (!doc.IsObject()) {
        throw core::json_error("label_logos.json: expected an object");
    }
    for (auto it = doc.MemberBegin(); it != doc.MemberEnd(); ++it) {
        if (it->value.IsString()) {
            out.urls_.emplace(std::string(it->name.GetString(), it->name.GetStringLength()),
                              std::string(it->value.GetString(), it->value.GetStringLength()));
        }
    }
    return out;
}

label_logos label_logos::load_file(const std::string& path) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) {
        return {};
    }
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return from_json(text.str());
}

const std::string* label_logos::find(std::string_view tag) const {
    auto it = urls_.find(tag);
    return it == urls_.end() ? nullptr : &it->second;
}

}  // namespace robotoff::questions
