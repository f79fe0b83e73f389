#include "taxonomy_builder.hpp"

#include "robotoff/core/json.hpp"
#include "robotoff/core/log.hpp"
#include "robotoff/text/normalize.hpp"

#include <rapidjson/error/en.h>

#include <algorithm>

namespace robotoff::taxonomy {

namespace {

std::string as_string(const rapidjson::Value& v) { return std::string(v.GetString(), v.GetStringLength()); }

// A property value: the "en" entry of a {lang: value} object, else its first string, or a plain string.
std::optional<std::string> property_value(const rapidjson::Value& v) {
    if (v.IsString()) {
        return as_string(v);
    }
    if (!v.IsObject()) {
        return std::nullopt;
    }
    const auto en = v.FindMember("en");
    if (en != v.MemberEnd() && en->value.IsString()) {
        return as_string(en->value);
    }
    for (const auto& m : v.GetObject()) {
        if (m.value.IsString()) {
            return as_string(m.value);
        }
    }
    return std::nullopt;
}

void read_node(const rapidjson::Value& value, node& n) {
    for (const auto& m : value.GetObject()) {
        const std::string_view key(m.name.GetString(), m.name.GetStringLength());
        const auto& v = m.value;
        if (key == "name") {
            if (v.IsObject()) {
                for (const auto& lang : v.GetObject()) {
                    // Exports contain a few null names; they carry no information.
                    if (lang.value.IsString()) {
                        n.names.emplace_back(as_string(lang.name), as_string(lang.value));
                    }
                }
            }
        } else if (key == "synonyms") {
            if (v.IsObject()) {
                for (const auto& lang : v.GetObject()) {
                    if (!lang.value.IsArray()) {
                        continue;
                    }
                    std::vector<std::string> list;
                    list.reserve(lang.value.Size());
                    for (const auto& s : lang.value.GetArray()) {
                        if (s.IsString()) {
                            list.push_back(as_string(s));
                        }
                    }
                    n.synonyms.emplace_back(as_string(lang.name), std::move(list));
                }
            }
        } else if (key == "parents") {
            if (v.IsArray()) {
                for (const auto& p : v.GetArray()) {
                    if (p.IsString()) {
                        n.parent_ids.push_back(as_string(p));
                    }
                }
            }
        } else if (key == "children") {
            // Derived from parents (§11.1).
        } else if (auto prop = property_value(v)) {
            n.properties.emplace_back(std::string(key), std::move(*prop));
        }
    }
}

}  // namespace

std::shared_ptr<const taxonomy> taxonomy_builder::build(const std::string& name, const std::string& source,
                                                        std::string& buffer) {
    auto t = std::make_shared<taxonomy>();
    t->name_ = name;
    {
        rapidjson::Document doc;
        buffer.push_back('\0');
        doc.ParseInsitu(buffer.data());
        if (doc.HasParseError()) {
            throw taxonomy_error("taxonomy " + name + " (" + source + "): invalid JSON at offset " +
                                 std::to_string(doc.GetErrorOffset()) + ": " +
                                 rapidjson::GetParseError_En(doc.GetParseError()));
        }
        if (!doc.IsObject()) {
            throw taxonomy_error("taxonomy " + name + " (" + source + "): the root is not a JSON object");
        }
        t->nodes_.reserve(doc.MemberCount());
        t->by_id_.reserve(doc.MemberCount());
        std::size_t duplicates = 0;
        for (const auto& m : doc.GetObject()) {
            if (!m.value.IsObject()) {
                continue;
            }
            std::string id = as_string(m.name);
            if (t->by_id_.contains(id)) {
                ++duplicates;  // first occurrence wins, like the index
                continue;
            }
            t->by_id_.emplace(id, t->nodes_.size());
            node& n = t->nodes_.emplace_back();
            n.id = std::move(id);
            read_node(m.value, n);
        }
        if (duplicates > 0) {
            core::log::warning("taxonomy.duplicate_ids", {{"taxonomy", name}, {"count", duplicates}});
        }
    }

    std::size_t unknown_parents = 0;
    std::string unknown_example;
    for (std::size_t i = 0; i < t->nodes_.size(); ++i) {
        node& n = t->nodes_[i];
        for (const auto& pid : n.parent_ids) {
            const auto it = t->by_id_.find(pid);
            if (it == t->by_id_.end()) {
                ++unknown_parents;
                if (unknown_example.empty()) {
                    unknown_example = n.id + "->" + pid;
                }
                continue;
            }
            if (it->second == i || std::find(n.parents.begin(), n.parents.end(), it->second) != n.parents.end()) {
                continue;
            }
            n.parents.push_back(it->second);
            t->nodes_[it->second].children.push_back(i);
        }
    }
    if (unknown_parents > 0) {
        core::log::warning("taxonomy.unknown_parents",
                           {{"taxonomy", name}, {"count", unknown_parents}, {"example", unknown_example}});
    }

    std::size_t collisions = 0;
    std::string collision_example;
    auto index = [&](const std::string& lang, const std::string& text, std::size_t i) {
        std::string tag = text::to_tag(text);
        if (tag.empty()) {
            return;
        }
        std::string key;
        key.reserve(lang.size() + 1 + tag.size());
        key.append(lang).append(":").append(tag);
        const auto [it, inserted] = t->synonym_index_.emplace(std::move(key), i);
        if (!inserted && it->second != i) {
            ++collisions;
            if (collision_example.empty()) {
                collision_example = it->first;
            }
        }
    };
    std::size_t strings = 0;
    for (const auto& n : t->nodes_) {
        strings += n.names.size();
        for (const auto& [lang, list] : n.synonyms) {
            strings += list.size();
        }
    }
    t->synonym_index_.reserve(strings);  // no rehash while indexing (~240k keys over all taxonomies)
    for (std::size_t i = 0; i < t->nodes_.size(); ++i) {
        const node& n = t->nodes_[i];
        for (const auto& [lang, text] : n.names) {
            index(lang, text, i);
        }
        for (const auto& [lang, list] : n.synonyms) {
            for (const auto& text : list) {
                index(lang, text, i);
            }
        }
    }
    if (collisions > 0) {
        // One line per load, not per key: collisions are common (shared synonyms between siblings).
        core::log::debug("taxonomy.synonym_collisions",
                         {{"taxonomy", name}, {"count", collisions}, {"example", collision_example}});
    }
    core::log::info("taxonomy.loaded", {{"taxonomy", name},
                                        {"source", source},
                                        {"nodes", t->nodes_.size()},
                                        {"synonym_keys", t->synonym_index_.size()}});
    return t;
}

}  // namespace robotoff::taxonomy
