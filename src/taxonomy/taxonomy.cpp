#include "robotoff/taxonomy/taxonomy.hpp"

#include "robotoff/core/file_io.hpp"
#include "robotoff/text/normalize.hpp"
#include "taxonomy_builder.hpp"

#include <algorithm>

namespace robotoff::taxonomy {

std::shared_ptr<const taxonomy> taxonomy::load_file(const std::string& name, const std::string& path) {
    std::string buffer;
    try {
        buffer = core::read_file(path);
    } catch (const core::io_error& e) {
        throw taxonomy_error("taxonomy " + name + ": " + e.what());
    }
    return taxonomy_builder::build(name, path, buffer);
}

std::shared_ptr<const taxonomy> taxonomy::load_json(const std::string& name, std::string_view json) {
    std::string buffer(json);
    return taxonomy_builder::build(name, "<memory>", buffer);
}

std::optional<std::size_t> taxonomy::index_of(std::string_view id) const {
    const auto it = by_id_.find(id);
    if (it == by_id_.end()) {
        return std::nullopt;
    }
    return it->second;
}

const node* taxonomy::find(std::string_view id) const {
    const auto i = index_of(id);
    return i ? &nodes_[*i] : nullptr;
}

namespace {

// Marks every ancestor of `start` (not `start` itself unless a cycle leads back to it) in `seen`; calls
// `visit(index)` for each, stopping early when it returns true.
template <typename Visit>
bool walk_ancestors(const std::vector<node>& nodes, std::size_t start, std::vector<char>& seen, Visit visit) {
    std::vector<std::size_t> stack(nodes[start].parents.begin(), nodes[start].parents.end());
    while (!stack.empty()) {
        const std::size_t i = stack.back();
        stack.pop_back();
        if (seen[i]) {
            continue;
        }
        seen[i] = 1;
        if (visit(i)) {
            return true;
        }
        stack.insert(stack.end(), nodes[i].parents.begin(), nodes[i].parents.end());
    }
    return false;
}

}  // namespace

bool taxonomy::is_descendant(std::string_view a, std::string_view b) const {
    const auto ia = index_of(a);
    const auto ib = index_of(b);
    if (!ia || !ib || *ia == *ib) {
        return false;
    }
    std::vector<char> seen(nodes_.size(), 0);
    return walk_ancestors(nodes_, *ia, seen, [&](std::size_t i) { return i == *ib; });
}

bool taxonomy::is_ancestor_of_any(std::string_view a, const std::vector<std::string>& set) const {
    const auto ia = index_of(a);
    if (!ia) {
        return false;
    }
    for (const auto& s : set) {
        if (is_descendant(s, a)) {
            return true;
        }
    }
    return false;
}

std::vector<std::string> taxonomy::deepest(const std::vector<std::string>& set) const {
    // Union of the strict ancestors of every member: a member in it is an ancestor of another member.
    std::vector<char> ancestor(nodes_.size(), 0);
    for (const auto& s : set) {
        const auto i = index_of(s);
        if (!i) {
            continue;
        }
        std::vector<char> seen(nodes_.size(), 0);
        walk_ancestors(nodes_, *i, seen, [&](std::size_t j) {
            if (j != *i) {
                ancestor[j] = 1;
            }
            return false;
        });
    }
    std::vector<std::string> out;
    for (const auto& s : set) {
        const auto i = index_of(s);
        if (!i || !ancestor[*i]) {
            out.push_back(s);
        }
    }
    return out;
}

std::vector<std::string> taxonomy::ancestors(std::string_view id) const {
    std::vector<std::string> out;
    const auto i = index_of(id);
    if (!i) {
        return out;
    }
    std::vector<char> seen(nodes_.size(), 0);
    walk_ancestors(nodes_, *i, seen, [&](std::size_t j) {
        if (j != *i) {
            out.push_back(nodes_[j].id);
        }
        return false;
    });
    return out;
}

const std::string* taxonomy::name_in(std::string_view id, std::string_view lang) const {
    const node* n = find(id);
    if (n == nullptr) {
        return nullptr;
    }
    for (const auto& [l, name] : n->names) {
        if (l == lang) {
            return &name;
        }
    }
    return nullptr;
}

std::string taxonomy::localized_name(std::string_view id, std::string_view lang) const {
    for (std::string_view l : {lang, std::string_view("xx"), std::string_view("en")}) {
        if (const std::string* name = name_in(id, l)) {
            return *name;
        }
    }
    return std::string(id);
}

std::optional<std::string> taxonomy::property(std::string_view id, std::string_view property_name) const {
    const node* n = find(id);
    if (n == nullptr) {
        return std::nullopt;
    }
    for (const auto& [key, value] : n->properties) {
        if (key == property_name) {
            return value;
        }
    }
    return std::nullopt;
}

std::optional<std::string> taxonomy::canonical(std::string_view value) const {
    if (const node* n = find(value)) {
        return n->id;
    }
    if (const auto it = synonym_index_.find(value); it != synonym_index_.end()) {
        return nodes_[it->second].id;
    }
    const auto colon = value.find(':');
    if (colon == std::string_view::npos || colon == 0 || colon > 3) {
        return std::nullopt;
    }
    // Ours: tag the text part ("fr:Sans gluten"), then try the language-independent "xx" entries.
    const std::string tag = text::to_tag(value.substr(colon + 1));
    if (tag.empty()) {
        return std::nullopt;
    }
    const std::string lang(value.substr(0, colon));
    for (const std::string& key : {lang + ":" + tag, "xx:" + tag}) {
        if (const auto it = synonym_index_.find(key); it != synonym_index_.end()) {
            return nodes_[it->second].id;
        }
    }
    return std::nullopt;
}

}  // namespace robotoff::taxonomy
