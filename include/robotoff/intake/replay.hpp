#pragma once
// `robotoffd replay-events` (intake.md §4.4, Robotoff's process-updates-since): re-reads a range of a stream
// with XRANGE and handles every entry as the consumer does. It never touches the consumer group; entries
// already recorded are skipped unless forced, so a replay is idempotent.

#include "robotoff/db/pool.hpp"
#include "robotoff/intake/consumer.hpp"

#include <iosfwd>
#include <string>

namespace robotoff::intake {

struct replay_options {
    std::string stream = "all";  // a configured stream name, or "all"
    std::string since;           // ISO 8601 time or entry ID (required)
    std::string until;           // same; empty: to the end
    bool force = false;
    bool dry_run = false;        // print the planned jobs, store nothing
};

struct replay_counts {
    long long read = 0;
    long long skipped = 0;  // already recorded
    long long recorded = 0;
    long long jobs = 0;
};

// An ISO 8601 UTC time ("2026-06-22T10:03:11Z", date only, or with a fraction) or an entry ID -> an XRANGE
// bound ("{ms}-0" for times). Throws core::usage_error.
std::string range_bound(const std::string& text);

// Throws core::usage_error for bad options, redis_error / db::db_error on failures.
replay_counts replay(const consumer_settings& settings, const replay_options& options, db::pool& pool,
                     std::ostream& out);

}  // namespace robotoff::intake
