#pragma once
// The `product` table (data-model.md §2a): one row per (server_type, barcode). Blocking; each call uses the
// connection it is given (one thread at a time, like the connection itself).

#include "robotoff/db/connection.hpp"
#include "robotoff/products/product.hpp"

#include <optional>
#include <string_view>

namespace robotoff::products {

// Inserts or replaces the row of p (deleted = false, fetched_at = now). `source` is "dump" or "api".
void upsert_product(db::connection& conn, const product& p, std::string_view source);

// The stored record, or nullopt when there is no row or the row is marked deleted.
std::optional<product> find_product(db::connection& conn, core::server_type type, std::string_view barcode);

// Marks the row deleted (the row stays). Returns false when there is no such row.
bool mark_product_deleted(db::connection& conn, core::server_type type, std::string_view barcode);

// One COPY text-format field (backslash escapes); used by the dataset import.
void append_copy_field(std::string& out, std::string_view text);

}  // namespace robotoff::products
