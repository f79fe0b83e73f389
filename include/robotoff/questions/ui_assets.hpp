#pragma once
// The annotation page (HTML, JS, CSS) embedded in the binary at build time from src/questions/ui/. No build
// step, no external requests. Read-only static data; thread-safe.

#include <optional>
#include <string_view>

namespace robotoff::questions {

struct ui_asset {
    std::string_view name;          // "index.html", "app.js", "style.css"
    std::string_view content_type;  // from the extension
    std::string_view body;
};

// The asset with this file name, or nullopt.
std::optional<ui_asset> find_ui_asset(std::string_view name);

}  // namespace robotoff::questions
