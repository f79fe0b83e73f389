#pragma once
// DESIGN: Open Food Facts taxonomies (pipeline.md §11): node id -> names per language, synonyms, parents,
// properties. A `taxonomy` is immutable once loaded and shared read-only across threads
// (std::shared_ptr<const taxonomy>); a refresh builds a new one and swaps it in a `taxonomy_set`.
// Loading parses the OFF JSON export (plain or gzip) with RapidJSON in situ; the DOM is dropped once the
// nodes are built. Lookups by id and the synonym index use heterogeneous (string_view) hashing, so id
// lookups never allocate. Ancestor walks keep a visited set (the graph is a DAG but exports have had cycles).
// A `taxonomy_set` (mutex-guarded map of snapshots) is what the daemon shares: start-up fills it from data.dir
// (cache first), the download job calls install_download(), and listeners rebuild derived indexes (category
// matcher) after each swap. Nothing here owns a thread; destruction just frees memory.

#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace robotoff::taxonomy {

// Transparent hash so maps keyed by std::string can be searched with a string_view.
struct string_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};
using string_index = std::unordered_map<std::string, std::size_t, string_hash, std::equal_to<>>;

class taxonomy_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct node {
    std::string id;                                                   // "en:plain-yogurts"
    std::vector<std::pair<std::string, std::string>> names;           // (lang, name), file order
    std::vector<std::pair<std::string, std::vector<std::string>>> synonyms;  // (lang, synonyms)
    std::vector<std::string> parent_ids;
    std::vector<std::pair<std::string, std::string>> properties;      // ("agribalyse_food_code", "31024") (en value)
    std::vector<std::size_t> parents;                                 // indexes into taxonomy nodes
    std::vector<std::size_t> children;
};

class taxonomy {
public:
    // Parses an OFF taxonomy JSON export (plain or gzip). Throws taxonomy_error naming the file.
    static std::shared_ptr<const taxonomy> load_file(const std::string& name, const std::string& path);
    static std::shared_ptr<const taxonomy> load_json(const std::string& name, std::string_view json);

    const std::string& name() const { return name_; }
    std::size_t size() const { return nodes_.size(); }
    const std::vector<node>& nodes() const { return nodes_; }

    const node* find(std::string_view id) const;
    // Index of id in nodes(), or nullopt.
    std::optional<std::size_t> index_of(std::string_view id) const;
    bool contains(std::string_view id) const { return find(id) != nullptr; }

    // b is reachable from a through parents, a != b.
    bool is_descendant(std::string_view a, std::string_view b) const;
    // Some known s in set is a descendant of a; a unknown -> false.
    bool is_ancestor_of_any(std::string_view a, const std::vector<std::string>& set) const;
    // The ids of `set` that are not an ancestor of another id of `set` (order kept).
    std::vector<std::string> deepest(const std::vector<std::string>& set) const;
    // All ancestors of id (transitive parents), no duplicates.
    std::vector<std::string> ancestors(std::string_view id) const;

    // name[lang], else name["xx"], else name["en"], else the id (also for unknown ids).
    std::string localized_name(std::string_view id, std::string_view lang) const;
    // name[lang] exactly (no fallback), or nullptr.
    const std::string* name_in(std::string_view id, std::string_view lang) const;
    // Property value (the "en" value, else the first one) or nullopt.
    std::optional<std::string> property(std::string_view id, std::string_view property_name) const;

    // Synonym index (§11.3): v if v is a node id, else index["{lang}:{tag(text)}"], else nullopt.
    // Also accepted (ours): a value whose text part is not yet a tag ("fr:Sans gluten"), and the
    // language-independent "xx:" names/synonyms for any language prefix.
    std::optional<std::string> canonical(std::string_view value) const;
    // Number of keys in the synonym index (tests, logs).
    std::size_t synonym_index_size() const { return synonym_index_.size(); }

private:
    std::string name_;
    std::vector<node> nodes_;
    string_index by_id_;
    string_index synonym_index_;
    friend class taxonomy_builder;
};

// The taxonomies the daemon uses, by name ("categories", "labels", "brands", "ingredients", "countries",
// "packaging_shapes", "packaging_materials", "packaging_recycling"). Thread-safe: get() returns a snapshot
// that stays valid while held; set() swaps atomically.
class taxonomy_set {
public:
    std::shared_ptr<const taxonomy> get(std::string_view name) const;
    void set(const std::string& name, std::shared_ptr<const taxonomy> t);
    std::vector<std::string> loaded_names() const;

    // Loads every "<name>.full.json[.gz]" found for the names above, from the cache `data_dir/taxonomies/cache`
    // first then `data_dir/taxonomies`; a cached copy that fails to parse falls back to the bundled one.
    // Missing ones are reported in the returned list (and logged). Blocks (file I/O + parsing).
    std::vector<std::string> load_from_dirs(const std::string& data_dir);

    // Job download_taxonomies (pipeline.md §11.4), after a 200 answer: parses `body` (plain or gzip), refuses
    // an empty taxonomy or one with fewer than half the nodes of the current one, then writes it to
    // `data_dir/taxonomies/cache/<name>.full.json` (atomically, with `etag` in `<name>.etag`) and swaps it in.
    // Returns false, keeping the current version, when the download is bad (logged). Blocks; the HTTP GET
    // itself (If-None-Match: cached_etag()) belongs to the caller.
    bool install_download(const std::string& name, std::string_view body, std::string_view etag,
                          const std::string& data_dir);
    // The ETag stored with the cached copy, or nullopt.
    static std::optional<std::string> cached_etag(const std::string& name, const std::string& data_dir);

    // Called after every set() with the name and the new taxonomy (outside the lock, on the setter's
    // thread): the owner rebuilds what depends on it (category matcher). Register before sharing the set.
    using listener = std::function<void(const std::string& name, const std::shared_ptr<const taxonomy>& t)>;
    void add_listener(listener fn);

private:
    mutable std::mutex mutex_;
    std::unordered_map<std::string, std::shared_ptr<const taxonomy>> by_name_;
    std::vector<listener> listeners_;
};

// Country code ("fr", "uk", "world") -> country tag via property country_code_2 (case-insensitive);
// "uk" also maps to the United Kingdom. nullopt if unknown.
std::optional<std::string> country_tag_for_code(const taxonomy& countries, std::string_view code);

// The taxonomy names load_from_dirs looks for, in load order.
const std::vector<std::string>& known_taxonomy_names();

}  // namespace robotoff::taxonomy
