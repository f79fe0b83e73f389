#pragma once
// The one transaction of intake.md §3.4 step 5: each entry's redis_stream_event row and its job rows are
// committed together, so an entry redelivered after a crash between commit and XACK finds its row and
// enqueues nothing (outcome duplicate).

#include "robotoff/db/connection.hpp"
#include "robotoff/intake/event.hpp"

#include <string>
#include <vector>

namespace robotoff::intake {

struct handled_entry {
    std::string stream;
    std::string entry_id;
    planned_entry plan;
    std::string raw_fields;  // JSON object, stored for invalid and dead-lettered entries (else empty)
};

// Records every entry and enqueues the jobs of the new ones, in ONE transaction of the caller's
// connection. Entries already recorded become outcome duplicate (their plan is changed in place) unless
// `force` (replay --force), which enqueues them again. Returns the number of job rows written or merged.
// Throws db::db_error (nothing is committed then).
long long record_entries(db::connection& conn, std::vector<handled_entry>& entries, bool force = false);

// Whether (stream, entry_id) is already recorded.
bool entry_recorded(db::connection& conn, const std::string& stream, const std::string& entry_id);

}  // namespace robotoff::intake
