#include "robotoff/intake/store.hpp"

#include "robotoff/jobs/queue.hpp"

namespace robotoff::intake {

long long record_entries(db::connection& conn, std::vector<handled_entry>& entries, bool force) {
    long long written = 0;
    db::transaction tx(conn);
    for (auto& e : entries) {
        const db::param fields = e.raw_fields.empty() ? db::param() : db::param(e.raw_fields);
        // The event row first: a conflict means this entry was handled before (redelivery after a crash
        // between commit and XACK), so its jobs exist already.
        auto inserted = conn.exec(force ? "INSERT INTO redis_stream_event (stream, entry_id, outcome, fields) "
                                          "VALUES ($1, $2, $3, $4::jsonb) ON CONFLICT (stream, entry_id) DO UPDATE "
                                          "SET outcome = EXCLUDED.outcome, received_at = now()"
                                        : "INSERT INTO redis_stream_event (stream, entry_id, outcome, fields) "
                                          "VALUES ($1, $2, $3, $4::jsonb) ON CONFLICT DO NOTHING",
                                  {e.stream, e.entry_id, e.plan.outcome, fields});
        if (inserted.affected() == 0) {
            e.plan.outcome = outcome::duplicate;
            e.plan.reason = "already handled";
            e.plan.jobs.clear();
            continue;
        }
        for (const auto& job : e.plan.jobs) {
            jobs::enqueue_in_transaction(conn, job);
            ++written;
        }
    }
    tx.commit();
    return written;
}

bool entry_recorded(db::connection& conn, const std::string& stream, const std::string& entry_id) {
    return conn.exec("SELECT 1 FROM redis_stream_event WHERE stream = $1 AND entry_id = $2", {stream, entry_id})
               .rows() > 0;
}

}  // namespace robotoff::intake
