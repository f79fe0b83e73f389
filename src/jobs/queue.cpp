#include "robotoff/jobs/queue.hpp"

#include "robotoff/core/log.hpp"

#include <algorithm>
#include <set>

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

namespace {

// Batch SQL: arrays travel as parameters and unnest() turns them back into rows.
constexpr const char* sql_find_pending_dups =
    "SELECT j.id, j.kind, j.payload->>'dedup_key', j.payload::text FROM job j "
    "JOIN unnest($1::text[], $2::text[]) AS k(kind, dedup_key) "
    "ON j.kind = k.kind AND j.payload->>'dedup_key' = k.dedup_key "
    "WHERE j.state = 'pending' AND j.payload ? 'dedup_key' FOR UPDATE OF j";
constexpr const char* sql_merge_many =
    "UPDATE job SET payload = m.payload::jsonb, "
    "run_after = GREATEST(job.run_after, now() + make_interval(secs => m.delay)), "
    "priority = LEAST(job.priority, m.priority::smallint) "
    "FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::bigint[]) AS m(id, payload, delay, priority) "
    "WHERE job.id = m.id";
constexpr const char* sql_insert_many =
    "INSERT INTO job (kind, payload, run_after, priority) "
    "SELECT n.kind, n.payload::jsonb, now() + make_interval(secs => n.delay), n.priority::smallint "
    "FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[]) AS n(kind, payload, delay, priority) "
    "ON CONFLICT (kind, (payload->>'dedup_key')) WHERE state = 'pending' AND payload ? 'dedup_key' DO NOTHING "
    "RETURNING id, kind, payload->>'dedup_key'";

// The jobs of one (kind, dedup key) in a batch, folded in order into one; unkeyed jobs are groups of one.
struct job_group {
    new_job folded;
    std::optional<std::string> key;
    std::vector<std::size_t> members;  // indexes into the batch
    long long id = 0;                  // the row the group ends in
    bool merged = false;               // that row was pending before this batch
};

std::vector<job_group> group_batch(const std::vector<new_job>& jobs) {
    std::vector<job_group> groups;
    std::map<std::pair<std::string, std::string>, std::size_t> by_key;
    for (std::size_t i = 0; i < jobs.size(); ++i) {
        const new_job& job = jobs[i];
        auto key = dedup_key_of(job.payload);
        if (key) {
            auto [it, fresh] = by_key.try_emplace({job.kind, *key}, groups.size());
            if (!fresh) {
                job_group& g = groups[it->second];
                g.folded.payload = merge_payload(job.kind, g.folded.payload, job.payload);
                g.folded.delay = std::max(g.folded.delay, job.delay);
                g.folded.priority = std::min(g.folded.priority, job.priority);
                g.members.push_back(i);
                continue;
            }
        }
        groups.push_back(job_group{job, key, {i}, 0, false});
    }
    return groups;
}

}  // namespace

std::vector<enqueue_result> enqueue_batch_in_transaction(db::connection& conn, const std::vector<new_job>& jobs) {
    std::vector<enqueue_result> out(jobs.size());
    if (jobs.empty()) {
        return out;
    }
    std::vector<job_group> groups = group_batch(jobs);
    // Pending twins of the keyed groups, locked for the merge.
    std::map<std::pair<std::string, std::string>, std::size_t> keyed;
    std::vector<std::string> kinds;
    std::vector<std::string> keys;
    for (std::size_t g = 0; g < groups.size(); ++g) {
        if (groups[g].key) {
            keyed.emplace(std::make_pair(groups[g].folded.kind, *groups[g].key), g);
            kinds.push_back(groups[g].folded.kind);
            keys.push_back(*groups[g].key);
        }
    }
    std::vector<long long> merge_ids;
    std::vector<std::string> merge_payloads;
    std::vector<long long> merge_delays;
    std::vector<long long> merge_priorities;
    if (!keyed.empty()) {
        auto twins = conn.exec(sql_find_pending_dups, {db::array_literal(kinds), db::array_literal(keys)});
        for (int r = 0; r < twins.rows(); ++r) {
            auto it = keyed.find({twins.get_string(r, 1), twins.get_string(r, 2)});
            if (it == keyed.end()) {
                continue;
            }
            job_group& g = groups[it->second];
            g.id = twins.get_int(r, 0);
            g.merged = true;
            std::string merged = twins.get_string(r, 3);
            for (std::size_t i : g.members) {
                merged = merge_payload(g.folded.kind, merged, jobs[i].payload);
            }
            merge_ids.push_back(g.id);
            merge_payloads.push_back(std::move(merged));
            merge_delays.push_back(g.folded.delay.count());
            merge_priorities.push_back(g.folded.priority);
        }
    }
    if (!merge_ids.empty()) {
        conn.exec(sql_merge_many, {db::array_literal(merge_ids), db::array_literal(merge_payloads),
                                   db::array_literal(merge_delays), db::array_literal(merge_priorities)});
    }
    // Everything else is one INSERT; a keyed row another transaction inserted meanwhile is skipped by the
    // conflict clause and enqueued again one by one below (it then merges into that row).
    std::vector<std::size_t> inserted_groups;
    std::vector<std::string> new_kinds;
    std::vector<std::string> new_payloads;
    std::vector<long long> new_delays;
    std::vector<long long> new_priorities;
    for (std::size_t g = 0; g < groups.size(); ++g) {
        if (groups[g].merged) {
            continue;
        }
        inserted_groups.push_back(g);
        new_kinds.push_back(groups[g].folded.kind);
        new_payloads.push_back(groups[g].folded.payload);
        new_delays.push_back(groups[g].folded.delay.count());
        new_priorities.push_back(groups[g].folded.priority);
    }
    std::set<std::string> notify_kinds;
    if (!inserted_groups.empty()) {
        auto rows = conn.exec(sql_insert_many, {db::array_literal(new_kinds), db::array_literal(new_payloads),
                                                db::array_literal(new_delays), db::array_literal(new_priorities)});
        std::vector<long long> unkeyed_ids;
        for (int r = 0; r < rows.rows(); ++r) {
            notify_kinds.insert(rows.get_string(r, 1));
            if (rows.is_null(r, 2)) {
                unkeyed_ids.push_back(rows.get_int(r, 0));
            } else if (auto it = keyed.find({rows.get_string(r, 1), rows.get_string(r, 2)}); it != keyed.end()) {
                groups[it->second].id = rows.get_int(r, 0);
            }
        }
        // Sequence values follow the order rows were inserted in, which is the arrays' order.
        std::sort(unkeyed_ids.begin(), unkeyed_ids.end());
        std::size_t next_unkeyed = 0;
        for (std::size_t g : inserted_groups) {
            job_group& group = groups[g];
            if (!group.key && next_unkeyed < unkeyed_ids.size()) {
                group.id = unkeyed_ids[next_unkeyed++];
            } else if (group.key && group.id == 0) {
                auto late = enqueue_in_transaction(conn, group.folded);  // lost a race: merges now
                group.id = late.id;
                group.merged = late.merged;
            }
        }
    }
    for (const job_group& g : groups) {
        for (std::size_t n = 0; n < g.members.size(); ++n) {
            enqueue_result& r = out[g.members[n]];
            r.id = g.id;
            // Merged: into a row that was pending before this batch, or into an earlier job of the batch.
            r.merged = n > 0 || g.merged;
        }
    }
    for (const auto& kind : notify_kinds) {
        conn.exec(sql_notify, {kind});
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
