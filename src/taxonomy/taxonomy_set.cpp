#include "robotoff/core/log.hpp"
#include "robotoff/taxonomy/taxonomy.hpp"

#include <algorithm>
#include <filesystem>

namespace robotoff::taxonomy {

const std::vector<std::string>& known_taxonomy_names() {
    static const std::vector<std::string> names = {
        "categories", "labels",           "brands",              "ingredients",
        "countries",  "packaging_shapes", "packaging_materials", "packaging_recycling"};
    return names;
}

std::shared_ptr<const taxonomy> taxonomy_set::get(std::string_view name) const {
    std::lock_guard lock(mutex_);
    const auto it = by_name_.find(std::string(name));
    return it == by_name_.end() ? nullptr : it->second;
}

void taxonomy_set::set(const std::string& name, std::shared_ptr<const taxonomy> t) {
    // The old snapshot is released outside the lock: its destructor may be long for a big taxonomy.
    std::shared_ptr<const taxonomy> old;
    {
        std::lock_guard lock(mutex_);
        auto& slot = by_name_[name];
        old = std::move(slot);
        slot = std::move(t);
    }
}

std::vector<std::string> taxonomy_set::loaded_names() const {
    std::vector<std::string> out;
    {
        std::lock_guard lock(mutex_);
        for (const auto& [name, t] : by_name_) {
            if (t) {
                out.push_back(name);
            }
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

namespace {

std::optional<std::string> existing_file(const std::filesystem::path& dir, const std::string& name) {
    for (const char* suffix : {".full.json", ".full.json.gz"}) {
        const auto path = dir / (name + suffix);
        std::error_code ec;
        if (std::filesystem::is_regular_file(path, ec)) {
            return path.string();
        }
    }
    return std::nullopt;
}

}  // namespace

std::vector<std::string> taxonomy_set::load_from_dirs(const std::string& data_dir) {
    const std::filesystem::path bundled = std::filesystem::path(data_dir) / "taxonomies";
    const std::filesystem::path cache = bundled / "cache";
    std::vector<std::string> missing;
    for (const auto& name : known_taxonomy_names()) {
        std::shared_ptr<const taxonomy> loaded;
        for (const auto& dir : {cache, bundled}) {
            const auto path = existing_file(dir, name);
            if (!path) {
                continue;
            }
            try {
                loaded = taxonomy::load_file(name, *path);
                break;
            } catch (const taxonomy_error& e) {
                core::log::warning("taxonomy.load_failed", {{"taxonomy", name}, {"error", e.what()}});
            }
        }
        if (loaded) {
            set(name, std::move(loaded));
        } else {
            core::log::warning("taxonomy.missing", {{"taxonomy", name}, {"dir", bundled.string()}});
            missing.push_back(name);
        }
    }
    return missing;
}

namespace {

std::string ascii_lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out) {
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
    }
    return out;
}

}  // namespace

std::optional<std::string> country_tag_for_code(const taxonomy& countries, std::string_view code) {
    std::string wanted = ascii_lower(code);
    if (wanted.empty()) {
        return std::nullopt;
    }
    // OFF uses "uk" where ISO 3166 says "gb"; accept both whichever the export stores.
    std::string alias = wanted == "uk" ? "gb" : wanted == "gb" ? "uk" : "";
    std::optional<std::string> via_alias;
    for (const auto& n : countries.nodes()) {
        for (const auto& [key, value] : n.properties) {
            if (key != "country_code_2") {
                continue;
            }
            const std::string have = ascii_lower(value);
            if (have == wanted) {
                return n.id;
            }
            if (!alias.empty() && have == alias && !via_alias) {
                via_alias = n.id;
            }
        }
    }
    return via_alias;
}

}  // namespace robotoff::taxonomy
