#include "robotoff/jobs/queue.hpp"

#include "robotoff/core/log.hpp"

#include <algorithm>

namespace robotoff::jobs {

namespace {

// SQL of the state machine (named constants; values only as parameters).
constexpr const char* sql_find_pending_dup =
    "SELECT id, payload::text FROM job WHERE kind = $1 AND state = 'pending' AND payload ? 'dedup_key' "
    "AND payload->>'dedup_key' = $2 FOR UPDATE";
// A merged job keeps the more urgent (smaller) priority of the two.
constexpr const char* sql_merge_into =
    "UPDATE job SET payload = $2::jsonb, run_after = GREATEST(run_after, now() + make_interval(secs => $3)), "
    "priority = LEAST(priority, $4::smallint) WHERE id = $1";
constexpr const char* sql_insert_dedup =
    "INSERT INTO job (kind, payload, run_after, priority) "
    "VALUES ($1, $2::jsonb, now() + make_interval(secs => $3), $4::smallint) "
    "ON CONFLICT (kind, (payload->>'dedup_key')) WHERE state = 'pending' AND payload ? 'dedup_key' DO NOTHING "
    "RETURNING id";
constexpr const char* sql_insert =
    "INSERT INTO job (kind, payload, run_after, priority) "
    "VALUES ($1, $2::jsonb, now() + make_interval(secs => $3), $4::smallint) RETURNING id";
constexpr const char* sql_priority = "SELECT priority FROM job WHERE id = $1";
constexpr const char* sql_notify = "SELECT pg_notify('robotoffd_jobs', $1)";
constexpr const char* sql_claim =
    "UPDATE job SET state = 'running', locked_by = $1, locked_at = now(), attempts = attempts + 1 "
    "WHERE id = (SELECT id FROM job WHERE state = 'pending' AND run_after <= now() AND kind = ANY($2::text[]) "
    "ORDER BY priority, run_after, id FOR UPDATE SKIP LOCKED LIMIT 1) "
    "RETURNING id, kind, payload::text, attempts, COALESCE(payload->>'product_key', '')";
constexpr const char* sql_product_lock = "SELECT pg_advisory_xact_lock($1)";
constexpr const char* sql_product_running =
    "SELECT 1 FROM job WHERE state = 'running' AND payload->>'product_key' = $1 AND id <> $2 LIMIT 1";
constexpr const char* sql_lock_own = "SELECT id, kind, payload::text FROM job WHERE id = $1 AND state = 'running' "
                                     "AND locked_by = $2 FOR UPDATE";
constexpr const char* sql_done =
    "UPDATE job SET state = 'done', done_at = now(), locked_by = NULL, locked_at = NULL WHERE id = $1";
constexpr const char* sql_requeue =
    "UPDATE job SET state = 'pending', run_after = now() + make_interval(secs => $2), locked_by = NULL, "
    "locked_at = NULL, attempts = attempts - $3, payload = COALESCE($4::jsonb, payload), "
    "last_error = COALESCE($5, last_error) WHERE id = $1";
constexpr const char* sql_fail =
    "UPDATE job SET state = 'failed', done_at = now(), locked_by = NULL, locked_at = NULL, last_error = $2 "
    "WHERE id = $1";
constexpr const char* sql_attempts = "SELECT attempts FROM job WHERE id = $1";
constexpr const char* sql_merged_away =
    "UPDATE job SET state = 'done', done_at = now(), locked_by = NULL, locked_at = NULL, last_error = $2 "
    "WHERE id = $1";
constexpr const char* sql_heartbeat =
    "UPDATE job SET locked_at = now() WHERE id = ANY($1::bigint[]) AND state = 'running' AND locked_by = $2";
constexpr const char* sql_stale =
    "SELECT id FROM job WHERE state = 'running' AND locked_at < now() - make_interval(secs => $1) "
    "FOR UPDATE SKIP LOCKED";
constexpr const char* sql_purge_jobs =
    "DELETE FROM job WHERE state IN ('done', 'failed') AND done_at < now() - make_interval(secs => $1)";
constexpr const char* sql_purge_marks =
    "DELETE FROM job_schedule WHERE fired_at < now() - make_interval(secs => $1)";
constexpr const char* sql_depth =
    "SELECT kind, state, count(*) FROM job WHERE state IN ('pending', 'running', 'failed') GROUP BY kind, state";
constexpr const char* sql_pending_total = "SELECT count(*) FROM job WHERE state = 'pending'";
// NULL when nothing is pending (not GREATEST(0, ...), which turns that NULL into "due now").
constexpr const char* sql_next_due =
    "SELECT EXTRACT(EPOCH FROM (min(run_after) - now())) FROM job WHERE state = 'pending' "
    "AND kind = ANY($1::text[])";
constexpr const char* sql_find = "SELECT id, kind, state, attempts, last_error, payload::text FROM job WHERE id = $1";

std::optional<std::string> dedup_key_of(const std::string& payload) {
    auto doc = core::try_parse_json(payload);
    if (!doc || !doc->IsObject()) {
        throw core::json_error("job payload is not a JSON object");
    }
    if (auto key = core::get_string(*doc, "dedup_key")) {
        return std::string(*key);
    }
    return std::nullopt;
}

// Puts a job we own back to pending. When a pending twin with the same dedup key appeared meanwhile (the
// unique index allows one pending row per key), our payload is merged into the twin and our row closed,
// instead of violating the index.
void requeue_owned(db::connection& conn, long long id, const std::string& kind, const std::string& payload,
                   std::chrono::seconds delay, int uncount, const std::optional<std::string>& new_payload,
                   const std::optional<std::string>& error) {
    const std::string& effective = new_payload ? *new_payload : payload;
    if (auto key = dedup_key_of(effective)) {
        auto twin = conn.exec(sql_find_pending_dup, {kind, *key});
        if (twin.rows() > 0) {
            long long twin_id = twin.get_int(0, 0);
            std::string merged = merge_payload(kind, twin.get_string(0, 1), effective);
            long long priority = conn.exec(sql_priority, {id}).get_int(0, 0);
            conn.exec(sql_merge_into, {twin_id, merged, 0LL, priority});
            conn.exec(sql_merged_away, {id, "merged into pending job " + std::to_string(twin_id)});
            return;
        }
    }
    conn.exec(sql_requeue, {id, static_cast<long long>(delay.count()), uncount, new_payload, error});
}

}  // namespace

enqueue_result enqueue_in_transaction(db::connection& conn, const new_job& job) {
    auto key = dedup_key_of(job.payload);
    const long long delay = job.delay.count();
    enqueue_result out;
    if (!key) {
        auto r = conn.exec(sql_insert, {job.kind, job.payload, delay, job.priority});
        out.id = r.get_int(0, 0);
    } else {
        // Two tries: a concurrent insert of the same key can win between our SELECT and INSERT.
        for (int attempt = 0; attempt < 3 && out.id == 0; ++attempt) {
            auto dup = conn.exec(sql_find_pending_dup, {job.kind, *key});
            if (dup.rows() > 0) {
                out.id = dup.get_int(0, 0);
                out.merged = true;
                std::string merged = merge_payload(job.kind, dup.get_string(0, 1), job.payload);
                conn.exec(sql_merge_into, {out.id, merged, delay, job.priority});
                break;
            }
            auto r = conn.exec(sql_insert_dedup, {job.kind, job.payload, delay, job.priority});
            if (r.rows() > 0) {
                out.id = r.get_int(0, 0);
            }
        }
        if (out.id == 0) {
            throw db::db_error("could not enqueue job " + job.kind + " (dedup race)", "40001");
        }
    }
    if (!out.merged) {
        conn.exec(sql_notify, {job.kind});
    }
    return out;
}

enqueue_result enqueue(db::connection& conn, const new_job& job) {
    db::transaction tx(conn);
    auto r = enqueue_in_transaction(conn, job);
    tx.commit();
    return r;
}

std::optional<job> claim(db::connection& conn, const claim_settings& settings) {
    if (settings.kinds.empty()) {
        return std::nullopt;
    }
    const std::string kinds = db::array_literal(settings.kinds);
    // Bounded: each put-back pushes that job 5 s away, so the loop moves on to other jobs.
    for (int round = 0; round < 50; ++round) {
        db::transaction tx(conn);
        auto r = conn.exec(sql_claim, {settings.worker_id, kinds});
        if (r.rows() == 0) {
            tx.commit();
            return std::nullopt;
        }
        job j;
        j.id = r.get_int(0, 0);
        j.kind = r.get_string(0, 1);
        j.payload_text = r.get_string(0, 2);
        j.attempts = static_cast<int>(r.get_int(0, 3));
        j.product_key = r.get_string(0, 4);
        if (!j.product_key.empty()) {
            // Serializes claimers of the same product: the second waits for the first's commit, then sees
            // its running row.
            conn.exec(sql_product_lock, {db::advisory_key("job:" + j.product_key)});
            if (conn.exec(sql_product_running, {j.product_key, j.id}).rows() > 0) {
                requeue_owned(conn, j.id, j.kind, j.payload_text, settings.put_back_delay, 1, std::nullopt,
                              std::nullopt);
                tx.commit();
                continue;
            }
        }
        tx.commit();
        auto doc = core::try_parse_json(j.payload_text);
        if (doc && doc->IsObject()) {
            j.payload = std::move(*doc);
        } else {
            j.payload.SetObject();
        }
        return j;
    }
    return std::nullopt;
}

bool mark_done(db::connection& conn, long long id, const std::string& worker_id) {
    db::transaction tx(conn);
    if (conn.exec(sql_lock_own, {id, worker_id}).rows() == 0) {
        return false;
    }
    conn.exec(sql_done, {id});
    tx.commit();
    return true;
}

bool mark_not_ready(db::connection& conn, long long id, const std::string& worker_id, std::chrono::seconds delay,
                    const std::optional<std::string>& new_payload) {
    db::transaction tx(conn);
    auto own = conn.exec(sql_lock_own, {id, worker_id});
    if (own.rows() == 0) {
        return false;
    }
    requeue_owned(conn, id, own.get_string(0, 1), own.get_string(0, 2), delay, 1, new_payload, std::nullopt);
    tx.commit();
    return true;
}

std::string mark_failed(db::connection& conn, long long id, const std::string& worker_id, const std::string& error,
                        int max_attempts, std::chrono::seconds retry_base) {
    std::string message = error.size() > 2000 ? error.substr(0, 2000) : error;
    db::transaction tx(conn);
    auto own = conn.exec(sql_lock_own, {id, worker_id});
    if (own.rows() == 0) {
        return {};
    }
    int attempts = static_cast<int>(conn.exec(sql_attempts, {id}).get_int(0, 0));
    std::string state;
    if (attempts < max_attempts) {
        requeue_owned(conn, id, own.get_string(0, 1), own.get_string(0, 2), retry_delay(attempts, retry_base), 0, std::nullopt,
                      message);
        state = "pending";
    } else {
        conn.exec(sql_fail, {id, message});
        state = "failed";
    }
    tx.commit();
    return state;
}

long long heartbeat(db::connection& conn, const std::vector<long long>& ids, const std::string& worker_id) {
    if (ids.empty()) {
        return 0;
    }
    return conn.exec(sql_heartbeat, {db::array_literal(ids), worker_id}).affected();
}

std::vector<long long> reclaim_stale(db::connection& conn, std::chrono::seconds lease, int max_attempts) {
    std::vector<long long> out;
    db::transaction tx(conn);
    auto r = conn.exec(sql_stale, {static_cast<long long>(lease.count())});
    for (int i = 0; i < r.rows(); ++i) {
        long long id = r.get_int(i, 0);
        auto row = conn.exec("SELECT kind, payload::text, attempts FROM job WHERE id = $1", {id});
        if (row.get_int(0, 2) >= max_attempts) {
            conn.exec(sql_fail, {id, "worker lost"});
        } else {
            requeue_owned(conn, id, row.get_string(0, 0), row.get_string(0, 1), std::chrono::seconds(0), 0,
                          std::nullopt, std::string("worker lost"));
        }
        out.push_back(id);
    }
    tx.commit();
    return out;
}

long long purge(db::connection& conn, std::chrono::seconds retention) {
    const long long secs = retention.count();
    long long n = conn.exec(sql_purge_jobs, {secs}).affected();
    conn.exec(sql_purge_marks, {secs});
    return n;
}

std::map<std::pair<std::string, std::string>, long long> depth(db::connection& conn) {
    std::map<std::pair<std::string, std::string>, long long> out;
    auto r = conn.exec(sql_depth);
    for (int i = 0; i < r.rows(); ++i) {
        out[{r.get_string(i, 0), r.get_string(i, 1)}] = r.get_int(i, 2);
    }
    return out;
}

long long pending_total(db::connection& conn) {
    return conn.exec(sql_pending_total).get_int(0, 0);
}

std::optional<double> seconds_until_next(db::connection& conn, const std::vector<std::string>& kinds) {
    auto r = conn.exec(sql_next_due, {db::array_literal(kinds)});
    if (r.rows() == 0 || r.is_null(0, 0)) {
        return std::nullopt;
    }
    return std::max(0.0, r.get_double(0, 0));
}

std::optional<job_row> find(db::connection& conn, long long id) {
    auto r = conn.exec(sql_find, {id});
    if (r.rows() == 0) {
        return std::nullopt;
    }
    job_row row;
    row.id = r.get_int(0, 0);
    row.kind = r.get_string(0, 1);
    row.state = r.get_string(0, 2);
    row.attempts = static_cast<int>(r.get_int(0, 3));
    row.last_error = r.get_optional(0, 4);
    row.payload = r.get_string(0, 5);
    return row;
}

}  // namespace robotoff::jobs
