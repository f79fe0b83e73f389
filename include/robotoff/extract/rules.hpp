#pragma once
// The rule data of the extractors: keyword and pattern lists read once from data.dir (spec README §7) and
// compiled into matchers. Immutable after load_rules(): share one instance (const) across threads.
// A missing list disables only the extractor that needs it (one warning each, listed in `disabled()`);
// a malformed line is skipped with a warning naming file and line.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace robotoff::extract {

// "Is `candidate_id` ("fr:pomerol") a category id, or a synonym of one?" -> canonical id. Built by the
// caller from the categories taxonomy (taxonomy::canonical); the extract module does not depend on it.
using category_resolver = std::function<std::optional<std::string>(std::string_view candidate_id)>;

struct rule_data;  // private to the extract module

struct rule_warning {
    std::string message;
};

class rules {
public:
    ~rules();
    rules(rules&&) noexcept;
    rules& operator=(rules&&) noexcept;

    // Extractor types that cannot run (a list they need is missing or unusable).
    const std::vector<std::string>& disabled() const;
    bool is_disabled(std::string_view type) const;
    // Every warning produced while loading (also logged as `extract.rules_*` events).
    const std::vector<std::string>& warnings() const;

    const rule_data& data() const { return *data_; }

private:
    friend rules load_rules(const std::string& data_dir, category_resolver resolver,
                            const std::vector<std::string>& only_types);
    explicit rules(std::unique_ptr<rule_data> d);
    std::unique_ptr<rule_data> data_;
};

// Loads and compiles every list under `data_dir`. Blocking (reads files); never throws for missing or
// malformed data (see above). Without a resolver, the category extractor is disabled. A non-empty
// `only_types` loads just the lists those types need (the others are reported disabled, without warnings):
// the CLI uses it to start fast.
rules load_rules(const std::string& data_dir, category_resolver resolver = {},
                 const std::vector<std::string>& only_types = {});

}  // namespace robotoff::extract
