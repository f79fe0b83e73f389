#pragma once
// DESIGN: `robotoffd import-robotoff --from DSN` (spec migration.md): copies an existing Robotoff 1.85
// PostgreSQL database into ours.
// - Source: one connection, one REPEATABLE READ READ ONLY transaction (a consistent snapshot); the catalog
//   (information_schema.columns) says which columns and tables exist, a missing column reads as NULL, a
//   missing table as empty. Each table is streamed with `COPY (SELECT ...) TO STDOUT` (text format) and never
//   held in memory: rows pass through validation and normalization one at a time.
// - Target: our database (migrated), written in batches, each batch one transaction, so a stopped run keeps
//   whole batches only and a new run finishes the job. Rows land through a temporary staging table and
//   `INSERT ... SELECT ... ON CONFLICT DO NOTHING`: insights and votes keep their uuids, prediction and image
//   ids are mapped through robotoff_import_id_map (source table, source id -> our id; NULL when the row was a
//   duplicate collapsed into another), so a second run writes nothing. When a table is empty at the start, its
//   non-unique secondary indexes are dropped for the copy (their definitions are kept in robotoff_import_state,
//   so a stopped run rebuilds them next time) and rebuilt afterwards on two connections; product_insight then
//   goes straight in with COPY (no staging), fed to two connections at once.
// - Rows that break our constraints are written to the reject file (table, key, reason) and counted. A row
//   breaking a rule not checked here (a constraint added later) fails its batch, which rolls back, and stops
//   the import with the database's message.
// - Threads: the calling thread reads the source and writes the staging path; the direct copy and the index
//   rebuild use helper std::jthreads with their own connections, joined before the call returns. Blocking.
//   Not thread-safe; one import at a time per target database (no lock is taken: the operator runs it once).

#include "robotoff/db/connection.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace robotoff::migrate {

// A failure of the import itself (source unreachable or not a Robotoff database, target not migrated,
// reject file unwritable). Messages never contain a DSN password.
class import_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct table_progress {
    std::string table;
    long long rows = 0;     // rows read from the source so far
    double seconds = 0;     // since this table started
    bool done = false;          // the copy of this table is over
    std::size_t indexes = 0;    // > 0: the copy is over and this many dropped indexes are being rebuilt
};

struct import_options {
    std::string source_url;                          // libpq URI or conninfo
    std::string target_url;                          // our database again, for a second index-building connection
    std::string reject_path = "import-robotoff-rejects.tsv";
    std::size_t batch_rows = 50000;                  // rows per target transaction
    bool fast_load = true;                           // drop and rebuild indexes of tables empty at the start
    std::function<void(const table_progress&)> on_progress;  // called about 4 times a second and at the end
    int connect_timeout_s = 10;
};

struct table_summary {
    std::string table;
    std::string note;           // "", "absent in source", "not imported (no table yet)"
    long long read = 0;
    long long written = 0;
    long long present = 0;      // already in our database (an earlier run)
    long long merged = 0;       // duplicates collapsed into another row (our uniqueness rules)
    long long skipped = 0;      // rejected (reject file)
    long long unknown_types = 0;                      // kept, type unknown to robotoffd
    std::map<std::string, long long> unknown_type_names;  // up to 50 names
    double seconds = 0;         // the copy
    std::size_t indexes_rebuilt = 0;   // indexes dropped for the copy and rebuilt after it
    double index_seconds = 0;
};

struct import_summary {
    std::vector<table_summary> tables;
    long long skipped = 0;
    std::string reject_path;        // written when skipped > 0
    std::vector<std::string> rebuilt;  // derived state rebuilt (indexes, statistics)
};

// Runs the import. `target` is our database (must be migrated). Throws import_error, db::db_error.
import_summary import_robotoff(db::connection& target, const import_options& options);

// One line per table plus totals, for the terminal.
std::string format_summary(const import_summary& summary);

// `url` with any password replaced by "***" (URI user:password@ and conninfo password=...).
std::string redact_dsn(const std::string& url);

}  // namespace robotoff::migrate
