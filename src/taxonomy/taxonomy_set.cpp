#include "robotoff/core/file_io.hpp"
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
    std::vector<listener> to_call;
    {
        std::lock_guard lock(mutex_);
        auto& slot = by_name_[name];
        old = std::move(slot);
        slot = t;
        to_call = listeners_;
    }
    for (const auto& fn : to_call) {
        fn(name, t);
    }
}

void taxonomy_set::add_listener(listener fn) {
    std::lock_guard lock(mutex_);
    listeners_.push_back(std::move(fn));
}

namespace {

// The largest taxonomy (categories) is about 40 MB of JSON; a download inflating past this is refused.
constexpr std::size_t max_taxonomy_bytes = std::size_t{1} << 30;

}  // namespace

bool taxonomy_set::install_download(const std::string& name, std::string_view body, std::string_view etag,
                                    const std::string& data_dir) {
    std::shared_ptr<const taxonomy> fresh;
    std::string plain;
    try {
        plain = core::looks_gzipped(body) ? core::gzip_decompress(body, max_taxonomy_bytes) : std::string(body);
        fresh = taxonomy::load_json(name, plain);
    } catch (const std::exception& e) {
        core::log::warning("taxonomy.download_rejected", {{"taxonomy", name}, {"error", e.what()}});
        return false;
    }
    const auto current = get(name);
    if (fresh->size() == 0 || (current && fresh->size() * 2 < current->size())) {
        core::log::warning("taxonomy.download_rejected",
                           {{"taxonomy", name},
                            {"nodes", fresh->size()},
                            {"current_nodes", current ? current->size() : 0},
                            {"error", "too few nodes"}});
        return false;
    }
    const auto cache = std::filesystem::path(data_dir) / "taxonomies" / "cache";
    try {
        std::filesystem::create_directories(cache);
        core::write_file_atomic((cache / (name + ".full.json")).string(), plain);
        core::write_file_atomic((cache / (name + ".etag")).string(), etag);
        // A stale gzip copy would shadow nothing (plain is looked up first) but would confuse a reader.
        std::error_code ec;
        std::filesystem::remove(cache / (name + ".full.json.gz"), ec);
    } catch (const std::exception& e) {
        // Serving the new version matters more than caching it; the next start falls back to the bundle.
        core::log::warning("taxonomy.cache_write_failed", {{"taxonomy", name}, {"error", e.what()}});
    }
    set(name, std::move(fresh));
    core::log::info("taxonomy.swapped", {{"taxonomy", name}, {"etag", etag}});
    return true;
}

std::optional<std::string> taxonomy_set::cached_etag(const std::string& name, const std::string& data_dir) {
    const auto path = std::filesystem::path(data_dir) / "taxonomies" / "cache" / (name + ".etag");
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) {
        return std::nullopt;
    }
    try {
        std::string etag = core::read_file(path.string());
        if (etag.empty()) {
            return std::nullopt;
        }
        return etag;
    } catch (const core::io_error&) {
        return std::nullopt;
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
