#include "robotoff/questions/ui_assets.hpp"

#include "embedded.hpp"

namespace robotoff::questions {
namespace {

std::string_view content_type_of(std::string_view name) {
    if (name.ends_with(".html")) {
        return "text/html; charset=utf-8";
    }
    if (name.ends_with(".js")) {
        return "text/javascript; charset=utf-8";
    }
    if (name.ends_with(".css")) {
        return "text/css; charset=utf-8";
    }
    if (name.ends_with(".svg")) {
        return "image/svg+xml";
    }
    return "application/octet-stream";
}

}  // namespace

std::optional<ui_asset> find_ui_asset(std::string_view name) {
    for (const auto* f = detail::ui_files; f->name != nullptr; ++f) {
        if (name == f->name) {
            return ui_asset{f->name, content_type_of(name),
                            std::string_view(reinterpret_cast<const char*>(f->data), f->size)};
        }
    }
    return std::nullopt;
}

}  // namespace robotoff::questions
