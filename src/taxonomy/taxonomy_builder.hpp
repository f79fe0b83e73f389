#pragma once
// Builds a taxonomy from an OFF JSON export (pipeline.md §11.1): nodes in file order, parent links, derived
// children, properties, synonym index (§11.3). Single-threaded; the result is immutable.

#include "robotoff/taxonomy/taxonomy.hpp"

#include <memory>
#include <string>

namespace robotoff::taxonomy {

class taxonomy_builder {
public:
    // Parses `buffer` in place (it is modified and may be freed afterwards: nodes own their strings).
    // Throws taxonomy_error naming `source` when the JSON is invalid or not an object.
    static std::shared_ptr<const taxonomy> build(const std::string& name, const std::string& source,
                                                 std::string& buffer);
};

}  // namespace robotoff::taxonomy
