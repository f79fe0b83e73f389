#pragma once
// Streaming import of an Open Food Facts JSONL dump (plain or gzip) into the `product` table
// (pipeline.md §1.0, §10.1). Memory stays bounded whatever the file size: lines are parsed one at a time
// and written in batches (COPY into a temporary table + one upsert statement), one transaction per batch,
// while the next batch is being parsed (one writer thread, at most one batch in flight).
// A line that does not parse is counted with its line number and skipped. A truncated or corrupt gzip
// stream stops the import with an error naming where it stopped; batches already committed stay.
// After a complete dump (and only if the whole file was read), rows not written by this import are
// marked deleted. Blocking; uses the given connection exclusively.

#include "robotoff/core/product_ref.hpp"
#include "robotoff/db/connection.hpp"
#include "robotoff/products/product.hpp"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace robotoff::products {

struct dataset_progress {
    std::uint64_t bytes_read = 0;    // file bytes consumed (compressed when gzip)
    std::uint64_t bytes_total = 0;   // file size
    std::uint64_t lines = 0;
    std::uint64_t products = 0;      // rows written so far
    double seconds = 0;
};

struct dataset_import_options {
    core::server_type type = core::server_type::off;
    bool complete = false;            // mark rows absent from this dump as deleted
    std::size_t batch_size = 5000;    // rows per transaction
    record_languages languages;       // texts kept in each record (record_languages::from_config in the daemon)
    // Called from the importing thread about every 200 ms (and once at the end); may be empty.
    std::function<void(const dataset_progress&)> on_progress;
};

struct dataset_import_summary {
    std::uint64_t lines = 0;
    std::uint64_t products = 0;            // rows upserted
    std::uint64_t corrupt = 0;             // lines that are not JSON objects
    std::uint64_t without_code = 0;        // JSON objects without a usable `code`
    std::vector<std::uint64_t> corrupt_line_numbers;  // the first 100
    std::uint64_t marked_deleted = 0;
    std::uint64_t bytes = 0;
    double seconds = 0;
    std::string error;                     // non-empty: the import stopped early (truncated file, ...)
};

// Throws core::io_error when the file cannot be opened and db::db_error on database failures (batches
// committed before stay committed). A stream that breaks mid-way is reported in `error`, not thrown.
dataset_import_summary import_dataset(db::connection& conn, const std::string& path,
                                      const dataset_import_options& options);

// The one-line summary printed by the CLI when stderr is not a terminal.
std::string format_summary(const dataset_import_summary& s);

}  // namespace robotoff::products
