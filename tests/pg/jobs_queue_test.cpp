// The durable queue against a real PostgreSQL (pipeline.md §8.1): dedup merge, SKIP LOCKED claims,
// per-product serialization, outcomes, stale reclaim, cluster-wide scheduling, two runners without duplicates.

#include "robotoff/core/clock.hpp"
#include "robotoff/core/metrics.hpp"
#include "robotoff/db/pool.hpp"
#include "robotoff/jobs/queue.hpp"
#include "robotoff/jobs/runner.hpp"
#include "robotoff/jobs/scheduler.hpp"
#include "support/test_support.hpp"

#include <catch2/catch.hpp>

#include <map>
#include <mutex>
#include <set>

using namespace robotoff;
using namespace std::chrono;

namespace {

jobs::new_job product_job(const std::string& kind, const std::string& barcode, const std::string& dedup,
                          const std::string& extra = {}) {
    return {kind, jobs::product_payload(core::server_type::off, barcode, dedup, extra), seconds(0)};
}

jobs::claim_settings worker(const std::string& id) {
    jobs::claim_settings cs;
    cs.worker_id = id;
    cs.kinds = jobs::all_kinds();
    return cs;
}

long long count(db::connection& c, const std::string& where) {
    return c.exec("SELECT count(*) FROM job WHERE " + where).get_int(0, 0);
}

}  // namespace

TEST_CASE("enqueue merges by dedup key; product_updated merges diffs", "[pg]") {
    testing::temp_database tdb;
    auto c = tdb.connect();
    auto a = jobs::enqueue(*c, product_job("product_updated", "1", "updated:off:00000001",
                                           R"({"diffs":{"fields":{"change":["product_name"]}}})"));
    auto b = jobs::enqueue(*c, product_job("product_updated", "1", "updated:off:00000001",
                                           R"({"diffs":{"fields":{"change":["quantity"]}}})"));
    CHECK_FALSE(a.merged);
    CHECK(b.merged);
    CHECK(a.id == b.id);
    auto row = jobs::find(*c, a.id);
    REQUIRE(row);
    auto payload = core::parse_json(row->payload);
    CHECK(payload["diffs"]["fields"]["change"].Size() == 2);

    auto i1 = jobs::enqueue(*c, product_job("import_image", "1", "image:off:00000001:3", R"({"image_id":"3"})"));
    auto i2 = jobs::enqueue(*c, product_job("import_image", "1", "image:off:00000001:3", R"({"image_id":"3"})"));
    CHECK(i1.id == i2.id);
    auto i3 = jobs::enqueue(*c, product_job("import_image", "1", "image:off:00000001:4", R"({"image_id":"4"})"));
    CHECK(i3.id != i1.id);
    // Jobs without a dedup key never merge.
    auto d1 = jobs::enqueue(*c, product_job("image_deleted", "1", ""));
    auto d2 = jobs::enqueue(*c, product_job("image_deleted", "1", ""));
    CHECK(d1.id != d2.id);
    CHECK(count(*c, "state = 'pending'") == 5);

    // run_after becomes the later of the two.
    auto later = product_job("product_updated", "2", "updated:off:00000002");
    auto e1 = jobs::enqueue(*c, product_job("product_updated", "2", "updated:off:00000002"));
    later.delay = seconds(600);
    jobs::enqueue(*c, later);
    CHECK(c->exec("SELECT run_after > now() + interval '500 seconds' FROM job WHERE id = $1", {e1.id}).get_bool(0, 0));
}

TEST_CASE("a batch enqueue ends exactly as the same jobs enqueued one by one", "[pg]") {
    // The same jobs, enqueued one by one into one database and as one batch into another: same rows.
    auto jobs_of = [] {
        std::vector<jobs::new_job> out;
        out.push_back(product_job("product_updated", "1", "updated:off:00000001",
                                  R"({"diffs":{"fields":{"change":["product_name"]}}})"));
        out.push_back(product_job("import_image", "1", "image:off:00000001:3",
                                  R"({"image_id":"3","flags":["add_image_fingerprint"]})"));
        out.push_back(product_job("product_updated", "2", "updated:off:00000002", R"({"diffs":{}})"));
        out.push_back(product_job("product_updated", "1", "updated:off:00000001",
                                  R"({"diffs":{"fields":{"change":["quantity"]}}})"));
        out.push_back(product_job("import_image", "1", "image:off:00000001:3",
                                  R"({"image_id":"3","flags":["extract_nutrition"]})"));
        out.back().priority = 1;
        out.push_back({"refresh_taxonomies", "{}", seconds(0)});  // no dedup key: a row each
        out.push_back({"refresh_taxonomies", "{}", seconds(0)});
        out.back().delay = seconds(30);
        return out;
    };
    auto rows_of = [](db::connection& c) {
        auto r = c.exec("SELECT kind, payload::text, priority, state, "
                        "(run_after > now() + interval '10 seconds')::text FROM job ORDER BY id");
        std::vector<std::string> out;
        for (int i = 0; i < r.rows(); ++i) {
            out.push_back(r.get_string(i, 0) + " " + r.get_string(i, 1) + " " + r.get_string(i, 2) + " " +
                          r.get_string(i, 3) + " " + r.get_string(i, 4));
        }
        return out;
    };
    testing::temp_database one_by_one;
    testing::temp_database batched;
    auto a = one_by_one.connect();
    auto b = batched.connect();
    // A pending twin that exists before the batch: both merge into it.
    auto before = product_job("product_updated", "2", "updated:off:00000002",
                              R"({"diffs":{"fields":{"change":["brands"]}}})");
    jobs::enqueue(*a, before);
    auto twin = jobs::enqueue(*b, before);

    std::vector<jobs::enqueue_result> sequential;
    for (const auto& j : jobs_of()) {
        sequential.push_back(jobs::enqueue(*a, j));
    }
    std::vector<jobs::enqueue_result> batch;
    {
        db::transaction tx(*b);
        batch = jobs::enqueue_batch_in_transaction(*b, jobs_of());
        tx.commit();
    }
    CHECK(rows_of(*a) == rows_of(*b));
    CHECK(count(*b, "true") == 5);
    REQUIRE(batch.size() == sequential.size());
    for (std::size_t i = 0; i < batch.size(); ++i) {
        CHECK(batch[i].merged == sequential[i].merged);
    }
    CHECK(batch[2].id == twin.id);
    CHECK(batch[0].id == batch[3].id);
    CHECK(batch[5].id != batch[6].id);
    // The second product's diffs became "everything" (empty diffs cover any other change).
    auto merged = jobs::find(*b, twin.id);
    REQUIRE(merged);
    CHECK(core::parse_json(merged->payload)["diffs"].ObjectEmpty());
    // An empty batch writes nothing.
    db::transaction tx(*b);
    CHECK(jobs::enqueue_batch_in_transaction(*b, {}).empty());
}

TEST_CASE("claims skip rows locked by another transaction", "[pg]") {
    testing::temp_database tdb;
    auto c1 = tdb.connect();
    auto c2 = tdb.connect();
    auto a = jobs::enqueue(*c1, {"cleanup", "{}", seconds(0)});
    auto b = jobs::enqueue(*c1, {"cleanup", "{}", seconds(0)});
    db::transaction hold(*c1);
    c1->exec("SELECT id FROM job WHERE id = $1 FOR UPDATE", {a.id});
    auto got = jobs::claim(*c2, worker("w2"));
    REQUIRE(got);
    CHECK(got->id == b.id);
    CHECK(got->attempts == 1);
    CHECK_FALSE(jobs::claim(*c2, worker("w2")));  // a is locked, b is running
    hold.commit();
    auto next = jobs::claim(*c2, worker("w2"));
    REQUIRE(next);
    CHECK(next->id == a.id);
}

TEST_CASE("only registered kinds are claimed; delayed jobs wait", "[pg]") {
    testing::temp_database tdb;
    auto c = tdb.connect();
    jobs::enqueue(*c, {"cleanup", "{}", seconds(0)});
    jobs::enqueue(*c, {"refresh_all", "{}", seconds(3600)});
    auto cs = worker("w");
    cs.kinds = {"refresh_all"};
    CHECK_FALSE(jobs::seconds_until_next(*c, {"nothing_pending"}));  // idle workers sleep, not poll
    CHECK(jobs::seconds_until_next(*c, {"cleanup"}) == 0.0);
    CHECK_FALSE(jobs::claim(*c, cs));
    auto next = jobs::seconds_until_next(*c, cs.kinds);
    REQUIRE(next);
    CHECK(*next > 3500);
}

TEST_CASE("due low-priority jobs are claimed after due normal ones; a merge keeps the urgent priority", "[pg]") {
    testing::temp_database tdb;
    auto c = tdb.connect();
    auto low_job = product_job("refresh_product", "1", "refresh:off:00000001");
    low_job.priority = 1;
    auto low = jobs::enqueue(*c, low_job);  // enqueued (and due) first
    auto normal = jobs::enqueue(*c, product_job("refresh_product", "2", "refresh:off:00000002"));
    auto first = jobs::claim(*c, worker("w1"));
    REQUIRE(first);
    CHECK(first->id == normal.id);
    auto second = jobs::claim(*c, worker("w1"));
    REQUIRE(second);
    CHECK(second->id == low.id);

    // Dedup merges: a normal twin makes a pending low job normal; a low twin leaves a normal job normal.
    auto priority = [&](long long id) { return c->exec("SELECT priority FROM job WHERE id = $1", {id}).get_int(0, 0); };
    auto a = jobs::enqueue(*c, low_job);
    CHECK(priority(a.id) == 1);
    auto b = jobs::enqueue(*c, product_job("refresh_product", "1", "refresh:off:00000001"));
    CHECK(b.merged);
    CHECK(b.id == a.id);
    CHECK(priority(a.id) == 0);
    CHECK(jobs::enqueue(*c, low_job).merged);
    CHECK(priority(a.id) == 0);
    auto plain = jobs::enqueue(*c, {"cleanup", "{}", seconds(0), 1});
    CHECK(priority(plain.id) == 1);
}

TEST_CASE("jobs of one product never run concurrently (put back, attempt not counted)", "[pg]") {
    testing::temp_database tdb;
    auto c = tdb.connect();
    auto first = jobs::enqueue(*c, product_job("refresh_product", "7", "refresh:off:00000007"));
    auto second = jobs::enqueue(*c, product_job("image_deleted", "7", "", R"({"image_id":"1"})"));
    auto other = jobs::enqueue(*c, product_job("image_deleted", "8", "", R"({"image_id":"1"})"));
    auto a = jobs::claim(*c, worker("w1"));
    REQUIRE(a);
    CHECK(a->id == first.id);
    CHECK(a->product_key == "off:7");  // payload builders take already-normalized barcodes
    auto b = jobs::claim(*c, worker("w2"));
    REQUIRE(b);
    CHECK(b->id == other.id);  // `second` was put back, the next job was claimed
    auto back = jobs::find(*c, second.id);
    CHECK(back->state == "pending");
    CHECK(back->attempts == 0);
    CHECK(c->exec("SELECT run_after > now() + interval '3 seconds' FROM job WHERE id = $1", {second.id})
              .get_bool(0, 0));
}

TEST_CASE("outcomes: done, not ready, retry with back-off, failed", "[pg]") {
    testing::temp_database tdb;
    auto c = tdb.connect();
    auto id = jobs::enqueue(*c, product_job("import_image", "9", "image:off:00000009:1",
                                            R"({"image_id":"1","ocr_checks":0})")).id;
    auto j = jobs::claim(*c, worker("w"));
    REQUIRE(j);
    // Not ready: pending again, attempt not counted, payload replaced.
    std::string next_payload = jobs::product_payload(core::server_type::off, "9", "image:off:00000009:1",
                                                     R"({"image_id":"1","ocr_checks":1})");
    CHECK(jobs::mark_not_ready(*c, id, "w", seconds(60), next_payload));
    auto row = jobs::find(*c, id);
    CHECK(row->state == "pending");
    CHECK(row->attempts == 0);
    CHECK(core::parse_json(row->payload)["ocr_checks"].GetInt() == 1);

    // Failures: back-off 30 s, then 60 s ... and failed after max_attempts.
    c->exec("UPDATE job SET run_after = now() WHERE id = $1", {id});
    REQUIRE(jobs::claim(*c, worker("w")));
    CHECK(jobs::mark_failed(*c, id, "w", "boom", 2) == "pending");
    CHECK(c->exec("SELECT run_after BETWEEN now() + interval '25 seconds' AND now() + interval '35 seconds' "
                  "FROM job WHERE id = $1", {id}).get_bool(0, 0));
    c->exec("UPDATE job SET run_after = now() WHERE id = $1", {id});
    REQUIRE(jobs::claim(*c, worker("w")));
    CHECK(jobs::mark_failed(*c, id, "w", "boom again", 2) == "failed");
    row = jobs::find(*c, id);
    CHECK(row->state == "failed");
    CHECK(row->last_error == "boom again");
    CHECK(row->attempts == 2);

    // A worker that lost its lock cannot record an outcome.
    auto other = jobs::enqueue(*c, {"cleanup", "{}", seconds(0)}).id;
    REQUIRE(jobs::claim(*c, worker("w1")));
    CHECK_FALSE(jobs::mark_done(*c, other, "somebody-else"));
    CHECK(jobs::mark_done(*c, other, "w1"));
    CHECK(jobs::find(*c, other)->state == "done");
}

TEST_CASE("stale locks are reclaimed; heartbeats keep live ones", "[pg]") {
    testing::temp_database tdb;
    auto c = tdb.connect();
    auto dead = jobs::enqueue(*c, {"cleanup", "{}", seconds(0)}).id;
    auto live = jobs::enqueue(*c, {"refresh_all", "{}", seconds(0)}).id;
    REQUIRE(jobs::claim(*c, worker("dead-node")));
    REQUIRE(jobs::claim(*c, worker("live-node")));
    c->exec("UPDATE job SET locked_at = now() - interval '1 hour' WHERE state = 'running'");
    CHECK(jobs::heartbeat(*c, {live}, "live-node") == 1);
    auto reclaimed = jobs::reclaim_stale(*c, seconds(900), 6);
    REQUIRE(reclaimed.size() == 1);
    CHECK(reclaimed[0] == dead);
    auto row = jobs::find(*c, dead);
    CHECK(row->state == "pending");
    CHECK(row->last_error == "worker lost");
    CHECK(jobs::find(*c, live)->state == "running");
    CHECK_FALSE(jobs::mark_done(*c, dead, "dead-node"));
}

TEST_CASE("a job put back while a twin is pending merges into the twin", "[pg]") {
    testing::temp_database tdb;
    auto c = tdb.connect();
    auto first = jobs::enqueue(*c, product_job("product_updated", "5", "updated:off:00000005",
                                               R"({"diffs":{"fields":{"change":["a"]}}})")).id;
    REQUIRE(jobs::claim(*c, worker("w")));
    auto twin = jobs::enqueue(*c, product_job("product_updated", "5", "updated:off:00000005",
                                              R"({"diffs":{"fields":{"change":["b"]}}})"));
    CHECK(twin.id != first);
    CHECK(jobs::mark_failed(*c, first, "w", "transient", 6) == "pending");
    CHECK(jobs::find(*c, first)->state == "done");
    auto merged = core::parse_json(jobs::find(*c, twin.id)->payload);
    CHECK(merged["diffs"]["fields"]["change"].Size() == 2);
}

TEST_CASE("scheduled firings are unique across nodes", "[pg]") {
    testing::temp_database tdb;
    db::pool_settings ps;
    ps.url = tdb.url();
    ps.size = 4;
    db::pool pool(ps);
    core::time_point start;
    REQUIRE(core::parse_iso_date("2024-05-02", start));
    core::manual_clock clock(start + hours(14) + minutes(59));
    std::vector<jobs::scheduled_job> table = {
        {"download_dataset", "download_dataset", jobs::parse_schedule("daily 15:00"), seconds(0), false,
         [](core::time_point) { return std::string(R"({"dedup_key":"download_dataset"})"); }}};
    jobs::scheduler node_a(clock, table, jobs::db_fire(pool, {}));
    jobs::scheduler node_b(clock, table, jobs::db_fire(pool, {}));
    clock.advance(minutes(2));
    CHECK(node_a.tick().size() == 1);
    CHECK(node_b.tick().size() == 1);  // handled, but not enqueued again
    auto c = tdb.connect();
    CHECK(count(*c, "kind = 'download_dataset'") == 1);
    // Even after the first run finished, the other node does not run the same period again.
    c->exec("UPDATE job SET state = 'done', done_at = now()");
    jobs::scheduler node_c(clock, table, jobs::db_fire(pool, {}));
    clock.advance(hours(24));
    node_a.tick();
    node_b.tick();
    CHECK(count(*c, "kind = 'download_dataset'") == 2);
}

TEST_CASE("two runners on one database run every job exactly once", "[pg]") {
    testing::temp_database tdb;
    db::pool_settings ps;
    ps.url = tdb.url();
    ps.size = 8;
    db::pool pool_a(ps);
    db::pool pool_b(ps);
    core::metrics_registry metrics_a;
    core::metrics_registry metrics_b;
    jobs::runner_settings rs;
    rs.workers = 3;
    rs.poll_interval = milliseconds(200);
    rs.database_url = tdb.url();
    jobs::runner a(rs, pool_a, metrics_a);
    jobs::runner b(rs, pool_b, metrics_b);
    std::mutex mutex;
    std::map<long long, int> runs;
    std::set<std::string> running_products;
    bool overlap = false;
    auto handler = [&](const jobs::job& j, std::stop_token) {
        {
            std::lock_guard lock(mutex);
            ++runs[j.id];
            if (!running_products.insert(j.product_key).second) {
                overlap = true;
            }
        }
        std::this_thread::yield();
        {
            std::lock_guard lock(mutex);
            running_products.erase(j.product_key);
        }
        return jobs::job_outcome::done();
    };
    a.register_handler("refresh_product", handler);
    b.register_handler("refresh_product", handler);
    a.start();
    b.start();
    const int n = 300;
    {
        auto c = tdb.connect();
        for (int i = 0; i < n; ++i) {
            // 100 products, 3 jobs each without dedup key: per-product serialization is exercised.
            jobs::enqueue(*c, product_job("refresh_product", std::to_string(1000 + i % 100), ""));
        }
    }
    auto c = tdb.connect();
    REQUIRE(testing::eventually([&] { return count(*c, "state = 'done'") == n; }, seconds(120)));
    a.stop();
    b.stop();
    std::lock_guard lock(mutex);
    CHECK(runs.size() == static_cast<std::size_t>(n));
    for (const auto& [id, k] : runs) {
        CHECK(k == 1);
    }
    CHECK_FALSE(overlap);
    CHECK(a.executed() + b.executed() == n);
    CHECK(metrics_a.value("robotoffd_jobs_total", {{"kind", "refresh_product"}, {"result", "done"}}) +
              metrics_b.value("robotoffd_jobs_total", {{"kind", "refresh_product"}, {"result", "done"}}) ==
          n);
}

TEST_CASE("a failing handler is retried, then recorded as failed", "[pg]") {
    testing::temp_database tdb;
    db::pool_settings ps;
    ps.url = tdb.url();
    ps.size = 4;
    db::pool pool(ps);
    core::metrics_registry metrics;
    jobs::runner_settings rs;
    rs.workers = 0;  // driven by run_until_settled on this thread
    rs.max_attempts = 2;
    rs.database_url = tdb.url();
    jobs::runner r(rs, pool, metrics);
    r.register_handler("cleanup", [](const jobs::job&, std::stop_token) -> jobs::job_outcome {
        throw std::runtime_error("disk on fire");
    });
    auto id = r.enqueue({"cleanup", "{}", seconds(0)}).id;
    auto row = r.run_until_settled(id);
    REQUIRE(row);
    CHECK(row->state == "pending");
    CHECK(row->attempts == 1);
    CHECK(row->last_error == "disk on fire");
    auto c = tdb.connect();
    c->exec("UPDATE job SET run_after = now()");
    row = r.run_until_settled(id);
    CHECK(row->state == "failed");
    CHECK(metrics.value("robotoffd_jobs_total", {{"kind", "cleanup"}, {"result", "retry"}}) == 1);
    CHECK(metrics.value("robotoffd_jobs_total", {{"kind", "cleanup"}, {"result", "failed"}}) == 1);
    // Queue depth is exported per kind and state.
    metrics.render();
    CHECK(metrics.value("robotoffd_jobs_queue", {{"kind", "cleanup"}, {"state", "failed"}}) == 1);
    CHECK(metrics.value("robotoffd_jobs_pending", {{"kind", "cleanup"}}) == 0);
}
