#include "robotoff/intake/store.hpp"

#include "robotoff/jobs/queue.hpp"

#include <set>

namespace robotoff::intake {

namespace {

// Event rows of a whole batch in one statement; RETURNING names the ones that were new. `fields` travels as
// text, '' for none.
constexpr const char* sql_record_new =
    "INSERT INTO redis_stream_event (stream, entry_id, outcome, fields) "
    "SELECT e.stream, e.entry_id, e.outcome, NULLIF(e.fields, '')::jsonb "
    "FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS e(stream, entry_id, outcome, fields) "
    "ON CONFLICT DO NOTHING RETURNING stream, entry_id";
constexpr const char* sql_record_forced =
    "INSERT INTO redis_stream_event (stream, entry_id, outcome, fields) "
    "SELECT e.stream, e.entry_id, e.outcome, NULLIF(e.fields, '')::jsonb "
    "FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS e(stream, entry_id, outcome, fields) "
    "ON CONFLICT (stream, entry_id) DO UPDATE SET outcome = EXCLUDED.outcome, received_at = now() "
    "RETURNING stream, entry_id";

void mark_duplicate(handled_entry& e, const char* reason) {
    e.plan.outcome = outcome::duplicate;
    e.plan.reason = reason;
    e.plan.jobs.clear();
}

}  // namespace

long long record_entries(db::connection& conn, std::vector<handled_entry>& entries, bool force) {
    // An entry twice in one batch is recorded once (one statement cannot insert a key twice).
    std::set<std::pair<std::string, std::string>> seen;
    std::vector<std::string> streams;
    std::vector<std::string> ids;
    std::vector<std::string> outcomes;
    std::vector<std::string> fields;
    for (auto& e : entries) {
        if (!seen.insert({e.stream, e.entry_id}).second) {
            mark_duplicate(e, "twice in one batch");
            continue;
        }
        streams.push_back(e.stream);
        ids.push_back(e.entry_id);
        outcomes.push_back(e.plan.outcome);
        fields.push_back(e.raw_fields);
    }
    if (streams.empty()) {
        return 0;
    }
    db::transaction tx(conn);
    // The event rows first: a conflict means the entry was handled before (redelivery after a crash between
    // commit and XACK), so its jobs exist already.
    auto recorded = conn.exec(force ? sql_record_forced : sql_record_new,
                              {db::array_literal(streams), db::array_literal(ids), db::array_literal(outcomes),
                               db::array_literal(fields)});
    std::set<std::pair<std::string, std::string>> fresh;
    for (int r = 0; r < recorded.rows(); ++r) {
        fresh.insert({recorded.get_string(r, 0), recorded.get_string(r, 1)});
    }
    std::vector<jobs::new_job> batch;
    for (auto& e : entries) {
        if (e.plan.outcome == outcome::duplicate) {
            continue;
        }
        if (!fresh.count({e.stream, e.entry_id})) {
            mark_duplicate(e, "already handled");
            continue;
        }
        batch.insert(batch.end(), e.plan.jobs.begin(), e.plan.jobs.end());
    }
    jobs::enqueue_batch_in_transaction(conn, batch);
    tx.commit();
    return static_cast<long long>(batch.size());
}

bool entry_recorded(db::connection& conn, const std::string& stream, const std::string& entry_id) {
    return conn.exec("SELECT 1 FROM redis_stream_event WHERE stream = $1 AND entry_id = $2", {stream, entry_id})
               .rows() > 0;
}

}  // namespace robotoff::intake
