#include "robotoff/questions/catalog.hpp"

#include "embedded.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace robotoff::questions {

std::string base_language(std::string_view lang) {
    std::string out;
    for (char c : lang) {
        if (c == '_' || c == '-') {
            break;
        }
        out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
}

void catalog::set_language(const std::string& lang, message_map messages) {
    by_lang_[lang] = std::move(messages);
}

const message_map* catalog::find(std::string_view lang) const {
    auto it = by_lang_.find(lang);
    return it == by_lang_.end() ? nullptr : &it->second;
}

std::string catalog::resolve_language(std::string_view lang) const {
    if (!lang.empty() && find(lang) != nullptr) {
        return std::string(lang);
    }
    std::string base = base_language(lang);
    if (!base.empty() && find(base) != nullptr) {
        return base;
    }
    return "en";
}

std::string catalog::translate(std::string_view lang, std::string_view msgid) const {
    // Each step falls through on a missing (or empty, dropped by the parser) msgstr.
    const std::string base = base_language(lang);
    for (std::string_view candidate : {lang, std::string_view(base), std::string_view("en")}) {
        if (candidate.empty()) {
            continue;
        }
        if (const auto* messages = find(candidate)) {
            auto it = messages->find(std::string(msgid));
            if (it != messages->end()) {
                return it->second;
            }
        }
    }
    return std::string(msgid);
}

std::vector<std::string> catalog::languages() const {
    std::vector<std::string> out;
    for (const auto& [lang, messages] : by_lang_) {
        out.push_back(lang);
    }
    return out;
}

std::size_t catalog::size(const std::string& lang) const {
    const auto* messages = find(lang);
    return messages == nullptr ? 0 : messages->size();
}

namespace {

void add_builtin(catalog& c) {
    for (const auto* f = detail::po_files; f->name != nullptr; ++f) {
        std::string_view text(reinterpret_cast<const char*>(f->data), f->size);
        c.set_language(f->name, parse_po(text, std::string("embedded i18n/") + f->name + "/robotoff.po"));
    }
}

}  // namespace

std::shared_ptr<const catalog> catalog::builtin() {
    auto c = std::make_shared<catalog>();
    add_builtin(*c);
    return c;
}

std::shared_ptr<const catalog> catalog::load(const std::string& dir) {
    auto c = std::make_shared<catalog>();
    add_builtin(*c);
    if (dir.empty()) {
        return c;
    }
    namespace fs = std::filesystem;
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
        throw po_error("i18n.dir is not a directory: " + dir);
    }
    for (const auto& entry : fs::directory_iterator(dir)) {
        const fs::path po = entry.path() / "LC_MESSAGES" / "robotoff.po";
        if (!entry.is_directory() || !fs::is_regular_file(po, ec)) {
            continue;
        }
        std::ifstream in(po, std::ios::binary);
        std::ostringstream text;
        text << in.rdbuf();
        if (!in.good() && !in.eof()) {
            throw po_error("cannot read " + po.string());
        }
        c->set_language(entry.path().filename().string(), parse_po(text.str(), po.string()));
    }
    return c;
}

}  // namespace robotoff::questions
