// Loading the rule data from data.dir (spec README §7): keyword lists, logo maps, store patterns, cities and
// packaging vocabularies. Missing files disable what needs them; malformed lines are skipped; both warn.

#include "internal.hpp"

#include "robotoff/core/file_io.hpp"
#include "robotoff/core/json.hpp"
#include "robotoff/core/log.hpp"
#include "robotoff/core/product_ref.hpp"
#include "robotoff/text/normalize.hpp"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

namespace robotoff::extract {

namespace {

std::string trim(std::string_view s) {
    std::size_t b = 0;
    std::size_t e = s.size();
    while (b < e && (s[b] == ' ' || s[b] == '\t' || s[b] == '\r' || s[b] == '\n')) {
        ++b;
    }
    while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\r' || s[e - 1] == '\n')) {
        --e;
    }
    return std::string(s.substr(b, e - b));
}

std::vector<std::string> split_fields(std::string_view line) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (true) {
        const std::size_t pos = line.find("||", start);
        if (pos == std::string_view::npos) {
            out.push_back(trim(line.substr(start)));
            break;
        }
        out.push_back(trim(line.substr(start, pos - start)));
        start = pos + 2;
    }
    return out;
}

class loader {
public:
    loader(std::string data_dir, rule_data& r, const std::vector<std::string>& only)
        : dir_(std::move(data_dir)), r_(r), only_(only) {}

    // Whether the lists of `type` are to be loaded; a skipped type is reported disabled (no warning).
    bool wanted(const std::string& type) {
        if (only_.empty() || std::find(only_.begin(), only_.end(), type) != only_.end()) {
            return true;
        }
        disable(type);
        return false;
    }

    std::string path(const std::string& rel) const { return (std::filesystem::path(dir_) / rel).string(); }

    void warn_missing(const std::string& rel, const std::string& effect) {
        const std::string message = "missing data file " + path(rel) + ": " + effect;
        core::log::warning("extract.rules_missing", {{"file", path(rel)}, {"effect", effect}});
        r_.warnings.push_back(message);
    }

    void warn_line(const std::string& rel, std::uint64_t line, const std::string& why) {
        const std::string message = path(rel) + ":" + std::to_string(line) + ": " + why + " (line skipped)";
        core::log::warning("extract.rules_malformed_line", {{"file", path(rel)}, {"line", line}, {"reason", why}});
        r_.warnings.push_back(message);
    }

    void warn(const std::string& rel, const std::string& why) {
        core::log::warning("extract.rules_unusable", {{"file", path(rel)}, {"reason", why}});
        r_.warnings.push_back(path(rel) + ": " + why);
    }

    void disable(const std::string& type) {
        if (std::find(r_.disabled.begin(), r_.disabled.end(), type) == r_.disabled.end()) {
            r_.disabled.push_back(type);
        }
    }

    // Calls fn(fields, line_number) for each non-comment line; false if the file is missing/unreadable.
    template <typename Fn>
    bool for_each_line(const std::string& rel, const std::string& effect, Fn&& fn) {
        const std::string p = path(rel);
        if (!std::filesystem::exists(p)) {
            warn_missing(rel, effect);
            return false;
        }
        try {
            core::line_reader reader(p);
            std::string line;
            while (reader.next(line)) {
                const std::string t = trim(line);
                if (t.empty() || t.rfind("//", 0) == 0) {
                    continue;
                }
                fn(split_fields(t), reader.line_number());
            }
        } catch (const std::exception& e) {
            warn(rel, std::string("unreadable: ") + e.what() + "; " + effect);
            return false;
        }
        return true;
    }

    // `single`: one-field lines (the field is key, name and keyword). Otherwise key||name[||pattern].
    void keyword_file(const std::string& rel, keyword_list& list, bool single, const std::string& effect,
                      const std::function<bool(const std::string&, const std::string&)>& skip = {}) {
        const bool ok = for_each_line(rel, effect, [&](const std::vector<std::string>& f, std::uint64_t n) {
            std::string key;
            std::string name;
            std::string keyword;
            if (single) {
                if (f.size() != 1) {
                    warn_line(rel, n, "expected one field");
                    return;
                }
                key = name = keyword = f[0];
            } else {
                if (f.size() < 2 || f.size() > 3) {
                    warn_line(rel, n, "expected key||name or key||name||pattern");
                    return;
                }
                key = f[0];
                name = f[1];
                keyword = f.size() == 3 ? f[2] : f[1];
            }
            if (key.empty() || name.empty() || keyword.empty()) {
                warn_line(rel, n, "empty field");
                return;
            }
            if (skip && skip(key, name)) {
                return;
            }
            list.matcher.add(std::string_view(keyword), static_cast<std::uint32_t>(list.entries.size()));
            list.entries.emplace_back(std::move(key), std::move(name));
        });
        list.matcher.freeze();
        list.loaded = ok;
    }

    bool map_file(const std::string& rel, std::unordered_map<std::string, std::string>& out,
                  const std::string& effect) {
        return for_each_line(rel, effect, [&](const std::vector<std::string>& f, std::uint64_t n) {
            if (f.size() != 2 || f[0].empty() || f[1].empty()) {
                warn_line(rel, n, "expected description||value");
                return;
            }
            out[f[0]] = f[1];
        });
    }

    void load_store() {
        struct pattern_line {
            std::string name;
            std::string pattern;
            std::size_t order;
        };
        std::vector<pattern_line> lines;
        const std::string rel = "ocr/store_regex.txt";
        const bool ok = for_each_line(rel, "store disabled", [&](const std::vector<std::string>& f, std::uint64_t n) {
            if (f.empty() || f.size() > 2 || f[0].empty() || (f.size() == 2 && f[1].empty())) {
                warn_line(rel, n, "expected Name or Name||pattern");
                return;
            }
            std::string pattern;
            if (f.size() == 1) {
                // The name lower-cased, taken literally.
                for (char32_t c : text::lower(text::to_u32(f[0]))) {
                    if (c < 0x80 && !((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == ' ')) {
                        pattern.push_back('\\');
                    }
                    pattern += text::to_utf8(c);
                }
            } else {
                pattern = f[1];
            }
            try {
                text::regex check(pattern, text::regex::caseless);
            } catch (const std::exception& e) {
                warn_line(rel, n, e.what());
                return;
            }
            lines.push_back({f[0], pattern, lines.size()});
        });
        if (!ok) {
            disable("store");
            return;
        }
        std::stable_sort(lines.begin(), lines.end(), [](const pattern_line& a, const pattern_line& b) {
            const auto la = text::code_point_count(a.name);
            const auto lb = text::code_point_count(b.name);
            if (la != lb) {
                return la > lb;
            }
            if (a.name != b.name) {
                return a.name < b.name;
            }
            return a.order < b.order;
        });
        if (lines.empty()) {
            disable("store");
            return;
        }
        std::string combined = "(?<!\\w)(?:";
        for (std::size_t i = 0; i < lines.size(); ++i) {
            if (i > 0) {
                combined += '|';
            }
            combined += "(?:" + lines[i].pattern + ")(*MARK:" + std::to_string(i) + ")";
            r_.store.names.push_back(lines[i].name);
            r_.store.tags.push_back(text::to_tag(lines[i].name));
        }
        combined += ")(?!\\w)";
        r_.store.combined.emplace(combined, text::regex::caseless);
        r_.store.loaded = true;
    }

    void load_cities() {
        const std::string rel = "ocr/cities_laposte_hexasmal.json.gz";
        const std::string p = path(rel);
        if (!std::filesystem::exists(p)) {
            warn_missing(rel, "location disabled");
            disable("location");
            return;
        }
        try {
            const std::string content = core::read_file(p);
            const rapidjson::Document doc = core::parse_json(content);
            if (!doc.IsArray()) {
                throw std::runtime_error("not a JSON array");
            }
            std::map<std::string, std::size_t> by_name;
            std::size_t index = 0;
            for (const auto& rec : doc.GetArray()) {
                const rapidjson::Value* fields = core::get_member(rec, "fields");
                const auto name = fields ? core::get_string(*fields, "nom_de_la_commune") : std::nullopt;
                const auto code = fields ? core::get_string(*fields, "code_postal") : std::nullopt;
                if (!name || !code) {
                    throw std::runtime_error("record " + std::to_string(index) +
                                             " lacks fields.nom_de_la_commune or fields.code_postal");
                }
                const std::string lname = text::lower(*name);
                if (code->size() != 5 || !core::is_all_digits(*code)) {
                    throw std::runtime_error("'" + std::string(*code) + "', invalid FR postal code for city '" +
                                             lname + "'");
                }
                auto [it, inserted] = by_name.emplace(lname, r_.cities.size());
                if (inserted) {
                    r_.cities.push_back({lname, {}});
                }
                auto& codes = r_.cities[it->second].postal_codes;
                if (std::find(codes.begin(), codes.end(), *code) == codes.end()) {
                    codes.emplace_back(*code);
                }
                ++index;
            }
        } catch (const std::exception& e) {
            r_.cities.clear();
            warn(rel, std::string("unusable: ") + e.what() + "; location disabled");
            disable("location");
            return;
        }
        for (std::size_t i = 0; i < r_.cities.size(); ++i) {
            r_.city_matcher.add(std::string_view(r_.cities[i].name), static_cast<std::uint32_t>(i));
        }
        r_.city_matcher.freeze();
        r_.cities_loaded = true;
    }

    void packaging_map(const std::string& rel, keyword_list& list) {
        const std::string p = path(rel);
        if (!std::filesystem::exists(p)) {
            warn_missing(rel, "packaging disabled");
            disable("packaging");
            return;
        }
        try {
            const rapidjson::Document doc = core::parse_json(core::read_file(p));
            if (!doc.IsObject()) {
                throw std::runtime_error("not a JSON object");
            }
            for (const auto& m : doc.GetObject()) {
                if (!m.value.IsArray() || m.value.Empty() || !m.value[0].IsString()) {
                    warn(rel, "key '" + std::string(m.name.GetString()) + "' has no id list (skipped)");
                    continue;
                }
                const std::string phrase(m.name.GetString(), m.name.GetStringLength());
                list.matcher.add(std::string_view(phrase), static_cast<std::uint32_t>(list.entries.size()));
                list.entries.emplace_back(phrase, m.value[0].GetString());
            }
        } catch (const std::exception& e) {
            warn(rel, std::string("unusable: ") + e.what() + "; packaging disabled");
            disable("packaging");
            return;
        }
        list.matcher.freeze();
        list.loaded = true;
    }

    void load_all(category_resolver resolver) {
        if (wanted("packager_code")) {
            keyword_file("ocr/fishing_flashtext.txt", r_.fishing, true, "packager_code without fishing codes");
        }
        if (wanted("label")) {
            keyword_file("ocr/label_flashtext.txt", r_.label_keywords, false, "label without the keyword list");
            r_.label_logos_loaded =
                map_file("ocr/label_logo_annotation.txt", r_.label_logos, "label without Vision logos");
        }
        if (wanted("brand")) {
            load_brands();
        }
        if (wanted("store")) {
            load_store();
        }
        if (wanted("trace")) {
            keyword_file("ocr/trace_allergen.txt", r_.trace, false, "trace disabled");
            if (!r_.trace.loaded) {
                disable("trace");
            }
        }
        if (wanted("image_flag")) {
            load_image_flag();
        }
        if (wanted("location")) {
            load_cities();
        }
        if (wanted("packaging")) {
            packaging_map("grammars/terminal_packaging_shape_fr_map.json", r_.packaging_shapes);
            packaging_map("grammars/terminal_packaging_material_fr_map.json", r_.packaging_materials);
            packaging_map("grammars/terminal_packaging_recycling_fr_map.json", r_.packaging_recycling);
        }
        if (wanted("category")) {
            r_.resolver = std::move(resolver);
            if (!r_.resolver) {
                core::log::warning("extract.rules_missing",
                                   {{"file", "categories taxonomy"}, {"effect", "category disabled"}});
                r_.warnings.push_back("no categories taxonomy: category disabled");
                disable("category");
            }
        }
    }

    void load_brands() {
        std::set<std::string> blacklist;
        for_each_line("ocr/brand_taxonomy_blacklist.txt", "brand lists not filtered by the blacklist",
                      [&](const std::vector<std::string>& f, std::uint64_t) {
                          if (!f.empty() && !f[0].empty()) {
                              blacklist.insert(f[0]);
                          }
                      });
        auto brand_skip = [&blacklist](const std::string& tag, const std::string& name) {
            return core::is_all_digits(name) || blacklist.count(tag) > 0;
        };
        keyword_file("ocr/brand.txt", r_.brand_curated, false, "brand without the curated list", brand_skip);
        keyword_file("ocr/brand_from_taxonomy.gz", r_.brand_taxonomy, false, "brand without the taxonomy list",
                     brand_skip);
        r_.brand_logos_loaded =
            map_file("ocr/brand_logo_annotation.txt", r_.brand_logos, "brand without Vision logos");
    }

    // Both image_flag lists in one matcher; the payload's key is the list label.
    void load_image_flag() {
        for (const auto& [rel, label] : {std::pair<std::string, std::string>{"ocr/image_flag_beauty.txt", "beauty"},
                                         {"ocr/image_flag_miscellaneous.txt", "miscellaneous"}}) {
            const bool ok = for_each_line(rel, "image_flag without the " + label + " list",
                                          [&](const std::vector<std::string>& f, std::uint64_t n) {
                                              if (f.size() != 1 || f[0].empty()) {
                                                  warn_line(rel, n, "expected one phrase");
                                                  return;
                                              }
                                              r_.image_flag.matcher.add(
                                                  std::string_view(f[0]),
                                                  static_cast<std::uint32_t>(r_.image_flag.entries.size()));
                                              r_.image_flag.entries.emplace_back(label, f[0]);
                                          });
            r_.image_flag.loaded = r_.image_flag.loaded || ok;
        }
        r_.image_flag.matcher.freeze();
    }

private:
    std::string dir_;
    rule_data& r_;
    const std::vector<std::string>& only_;
};

}  // namespace

rules::rules(std::unique_ptr<rule_data> d) : data_(std::move(d)) {}
rules::~rules() = default;
rules::rules(rules&&) noexcept = default;
rules& rules::operator=(rules&&) noexcept = default;

const std::vector<std::string>& rules::disabled() const { return data_->disabled; }
const std::vector<std::string>& rules::warnings() const { return data_->warnings; }

bool rules::is_disabled(std::string_view type) const {
    return std::find(data_->disabled.begin(), data_->disabled.end(), type) != data_->disabled.end();
}

rules load_rules(const std::string& data_dir, category_resolver resolver,
                 const std::vector<std::string>& only_types) {
    auto data = std::make_unique<rule_data>();
    loader(data_dir, *data, only_types).load_all(std::move(resolver));
    return rules(std::move(data));
}

}  // namespace robotoff::extract
