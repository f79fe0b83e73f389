// Product Opener's Redis Streams (intake.md §3, group mode) against the real daemon: a real redis-server
// (tests/support/redis_server.hpp), the test database and the fake Product Opener. Entries are XADDed as PO
// writes them (§1.5) and the tests assert on redis_stream_event rows, job rows, XPENDING, /metrics and
// /api/v1/health: the mapping of §3.4, two nodes sharing a group, the takeover of a killed node's pending
// entries, a Redis restart, malformed entries, dead letters, and `robotoffd replay-events`.
// Timing: every wait is a poll with a deadline; reads block 200 ms, claims run every second.

#include "fake_po/fake_po.hpp"
#include "robotoff/core/json.hpp"
#include "support/redis_server.hpp"
#include "support/test_support.hpp"

#include <catch2/catch.hpp>

#include <csignal>
#include <ctime>
#include <map>
#include <set>
#include <sstream>

using namespace robotoff::testing;
using namespace std::chrono;

namespace {

using entry_fields = std::vector<std::pair<std::string, std::string>>;

const std::string updates = "product_updates";
const std::string ocr = "ocr_ready";
const std::string group = "robotoffd";

// A product_updates entry shaped as PO writes it (intake.md §1.2, §1.5).
entry_fields product_update(const std::string& code, const std::string& diffs, const std::string& user = "alice",
                            const std::string& action = "updated", const std::string& comment = "",
                            const std::string& product_type = "food", const std::string& flavor = "off") {
    return {{"timestamp", "1718822400"}, {"code", code},       {"rev", "57"},
            {"product_type", product_type}, {"flavor", flavor}, {"user_id", user},
            {"action", action},          {"comment", comment}, {"diffs", diffs},
            {"ip", "203.0.113.7"},       {"client_id", "smoothie"}};
}

// An ocr_ready entry (§1.4).
entry_fields ocr_ready(const std::string& code, const std::string& image_id, const std::string& product_type = "food") {
    entry_fields f = {{"timestamp", "1718822431.52"}, {"code", code}, {"product_type", product_type},
                      {"json_url", "https://images.openfoodfacts.org/images/products/x/" + image_id + ".json"}};
    if (!image_id.empty()) {
        f.insert(f.begin() + 2, {"image_id", image_id});
    }
    return f;
}

std::vector<std::string> xadd_command(const std::string& stream, const entry_fields& fields) {
    std::vector<std::string> c = {"XADD", stream, "*"};
    for (const auto& [k, v] : fields) {
        c.push_back(k);
        c.push_back(v);
    }
    return c;
}

// The fields as the JSON object the consumer keeps for invalid and dead-lettered entries.
std::string fields_json(const entry_fields& fields) {
    std::string out = "{";
    for (const auto& [k, v] : fields) {
        if (out.size() > 1) {
            out += ",";
        }
        robotoff::core::append_json_string(out, k);
        out += ":";
        robotoff::core::append_json_string(out, v);
    }
    return out + "}";
}

// `url` with its host:port replaced (a postgresql:// URL through the TCP proxy).
std::string with_host_port(const std::string& url, const std::string& host, std::uint16_t port) {
    const auto scheme = url.find("://");
    auto start = scheme + 3;
    const auto at = url.find('@', start);
    const auto slash = url.find('/', start);
    if (at != std::string::npos && (slash == std::string::npos || at < slash)) {
        start = at + 1;
    }
    return url.substr(0, start) + host + ":" + std::to_string(port) +
           (slash == std::string::npos ? "" : url.substr(slash));
}

// The value of one sample of the Prometheus text `text` whose labels include `labels` (summed over the
// samples that match); -1 when none matches.
double metric(const std::string& text, const std::string& name, const std::map<std::string, std::string>& labels = {}) {
    std::istringstream in(text);
    std::string line;
    double sum = 0;
    bool found = false;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#' || line.rfind(name, 0) != 0) {
            continue;
        }
        std::size_t pos = name.size();
        std::map<std::string, std::string> have;
        if (pos < line.size() && line[pos] == '{') {
            const auto close = line.find('}', pos);
            std::string body = line.substr(pos + 1, close - pos - 1);
            std::size_t i = 0;
            while (i < body.size()) {
                const auto eq = body.find('=', i);
                const auto q1 = body.find('"', eq);
                const auto q2 = body.find('"', q1 + 1);
                have[body.substr(i, eq - i)] = body.substr(q1 + 1, q2 - q1 - 1);
                i = q2 + 1;
                if (i < body.size() && body[i] == ',') {
                    ++i;
                }
            }
            pos = close + 1;
        } else if (pos >= line.size() || line[pos] != ' ') {
            continue;  // another metric whose name starts with `name`
        }
        bool match = true;
        for (const auto& [k, v] : labels) {
            auto it = have.find(k);
            match = match && it != have.end() && it->second == v;
        }
        if (match) {
            sum += std::stod(line.substr(pos + 1));
            found = true;
        }
    }
    return found ? sum : -1;
}

// The `passed` of the health checker named `name` (nullopt: no such checker) and the HTTP status.
struct health_view {
    int status = 0;
    std::optional<bool> passed;
    std::string output;
    std::string body;
};
health_view health(std::uint16_t port, const std::string& name = "redis") {
    health_view h;
    const auto r = http_get(port, "/api/v1/health");
    h.status = r.status;
    h.body = r.body;
    auto doc = robotoff::core::try_parse_json(r.body);
    if (!doc || !doc->IsObject() || !doc->HasMember("message") || !(*doc)["message"].HasMember("results")) {
        return h;
    }
    for (const auto& item : (*doc)["message"]["results"].GetArray()) {
        if (item.HasMember("checker") && std::string(item["checker"].GetString()) == name) {
            h.passed = item["passed"].GetBool();
            h.output = item.HasMember("output") && item["output"].IsString() ? item["output"].GetString() : "";
        }
    }
    return h;
}

std::size_t count_of(const std::string& text, const std::string& needle) {
    std::size_t n = 0;
    for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
        ++n;
    }
    return n;
}

// One test's world: a fresh database, the fake Product Opener, a private redis-server.
struct intake_env {
    temp_database db;
    fake_po po;
    redis_server redis;
    std::string ocr_cache = make_temp_dir();
    std::string dataset_dir = make_temp_dir();
    std::unique_ptr<robotoff::db::connection> conn_;

    // The flags of a node named `consumer` (later flags win, so `extra` may override any of them).
    std::vector<std::string> flags(const std::string& consumer, const std::vector<std::string>& extra = {}) const {
        std::vector<std::string> f = {
            "--redis.url=" + redis.url(),     "--redis.consumer=" + consumer,  "--redis.start_id=0",
            "--redis.block_ms=200",           "--redis.claim_idle_ms=1500",    "--redis.claim_interval_s=1",
            "--redis.health_grace_s=1",       "--redis.connect_timeout_ms=1000",
            "--off.world_url=" + po.url(),    "--off.images_url=" + po.url(),  "--off.static_url=" + po.url(),
            "--off.user=roboto-app",          "--off.password=secret",         "--ocr.cache_dir=" + ocr_cache,
            "--dataset.dir=" + dataset_dir,   "--dataset.url=" + po.url() + "/data/openfoodfacts-products.jsonl.gz",
            "--jobs.poll_interval_ms=200",    "--jobs.updated_product_wait_s=0",
            "--fetch.allowed_networks=127.0.0.0/8"};  // the fake image server is on loopback
        f.insert(f.end(), extra.begin(), extra.end());
        return f;
    }

    // A serving node whose consumer runs (its first connection logged).
    std::unique_ptr<daemon_process> start(const std::string& consumer, const std::vector<std::string>& extra = {},
                                          const std::string& database_url = "") const {
        auto d = start_daemon(database_url.empty() ? db.url() : database_url, flags(consumer, extra));
        if (!d->wait_for_log("intake.consumer_started", seconds(30)) || !d->wait_for_log("intake.connected", seconds(30))) {
            throw std::runtime_error("the stream consumer of " + consumer + " did not start; stderr:\n" +
                                     d->stderr_text());
        }
        return d;
    }

    robotoff::db::connection& conn() {
        if (!conn_) {
            conn_ = db.connect();
        }
        return *conn_;
    }
    long long scalar(const std::string& sql, const robotoff::db::params& values = {}) {
        return conn().exec(sql, values).get_int(0, 0);
    }
    std::string text(const std::string& sql, const robotoff::db::params& values = {}) {
        auto r = conn().exec(sql, values);
        return r.rows() == 0 ? std::string("<no row>") : r.get_optional(0, 0).value_or("<null>");
    }
    long long events() { return scalar("SELECT count(*) FROM redis_stream_event"); }
    bool wait_events(long long n, milliseconds timeout = seconds(20)) {
        return eventually([&] { return events() >= n; }, timeout);
    }
    std::string outcome_of(const std::string& stream, const std::string& id) {
        return text("SELECT outcome FROM redis_stream_event WHERE stream = $1 AND entry_id = $2", {stream, id});
    }
    // XADDs one entry and waits until the consumer recorded it; returns the entry ID.
    std::string handled(const std::string& stream, const entry_fields& fields) {
        const auto id = redis.xadd(stream, fields);
        const bool ok = eventually(
            [&] {
                return scalar("SELECT count(*) FROM redis_stream_event WHERE stream = $1 AND entry_id = $2",
                              {stream, id}) == 1;
            },
            seconds(20));
        if (!ok) {
            throw std::runtime_error("entry " + stream + " " + id + " was not recorded");
        }
        return id;
    }
    // The intake job rows as "kind|dedup_key|priority|sorted flags" lines (flags "*" = no member = all).
    std::multiset<std::string> job_rows(const std::string& extra_where = "") {
        auto r = conn().exec(
            "SELECT kind || '|' || coalesce(payload->>'dedup_key', '') || '|' || priority || '|' || "
            "coalesce((SELECT string_agg(f, ',' ORDER BY f) FROM jsonb_array_elements_text(payload->'flags') f), '*') "
            "FROM job WHERE kind IN ('import_image', 'product_updated', 'product_deleted', 'image_deleted', "
            "'product_type_switched') " + extra_where);
        std::multiset<std::string> out;
        for (int i = 0; i < r.rows(); ++i) {
            out.insert(r.get_string(i, 0));
        }
        return out;
    }
};

std::string join(const std::multiset<std::string>& rows) {
    std::string out;
    for (const auto& r : rows) {
        out += r + "\n";
    }
    return out;
}

const std::string upload_flags = "add_image_fingerprint,run_nutrition_table_object_detection";
const std::string ocr_flags =
    "extract_ingredients,extract_nutrition,import_insights_from_image,predict_category,run_logo_object_detection";
const std::string all_flags =
    "add_image_fingerprint,extract_ingredients,extract_nutrition,import_insights_from_image,predict_category,"
    "run_logo_object_detection,run_nutrition_table_object_detection";

// UTC ISO 8601 of now + offset ("2026-06-22T10:03:11Z").
std::string iso_utc(seconds offset) {
    const std::time_t t = system_clock::to_time_t(system_clock::now() + offset);
    std::tm tm{};
    ::gmtime_r(&t, &tm);
    char buffer[32];
    std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buffer;
}

}  // namespace

TEST_CASE("an upload event: import_image job, predictions and insights in the database, entry acked",
          "[integration][intake]") {
    intake_env env;
    // A real product of the samples whose Vision OCR gives brand and packaging insights.
    const std::string barcode = "3038350013804";
    auto node = env.start("node-a", {"--jobs.workers=2", "--redis.ocr_ready_enabled=false"});
    const auto port = node->port();
    const auto id = env.redis.xadd(updates, product_update(barcode, R"({"uploaded_images":{"add":["11"]}})"));

    REQUIRE(env.wait_events(1));
    CHECK(env.outcome_of(updates, id) == "enqueued");
    CHECK(env.text("SELECT fields::text FROM redis_stream_event") == "<null>");  // fields kept only when rejected
    REQUIRE(env.job_rows().size() == 1);
    auto job = env.conn().exec("SELECT kind, payload->>'barcode', payload->>'image_id', payload->>'dedup_key', "
                               "payload ? 'flags', payload->>'image_url', payload->>'ocr_url', priority, "
                               "payload->>'server_type' FROM job WHERE kind = 'import_image'");
    REQUIRE(job.rows() == 1);
    CHECK(job.get_string(0, 0) == "import_image");
    CHECK(job.get_string(0, 1) == barcode);
    CHECK(job.get_string(0, 2) == "11");
    CHECK(job.get_string(0, 3) == "image:off:" + barcode + ":11");
    CHECK_FALSE(job.get_bool(0, 4));  // ocr_ready_enabled=false: every flag, the OCR included
    CHECK(job.get_string(0, 5) == env.po.url() + "/images/products/303/835/001/3804/11.jpg");
    CHECK(job.get_string(0, 6) == env.po.url() + "/images/products/303/835/001/3804/11.json");
    CHECK(job.get_int(0, 7) == 0);
    CHECK(job.get_string(0, 8) == "off");

    REQUIRE(eventually([&] { return env.scalar("SELECT count(*) FROM job WHERE kind = 'import_image' AND state = "
                                               "'done'") == 1; },
                       seconds(60)));
    CHECK(env.scalar("SELECT count(*) FROM prediction WHERE barcode = $1", {barcode}) > 0);
    CHECK(env.scalar("SELECT count(*) FROM product_insight WHERE barcode = $1 AND type = 'brand'", {barcode}) == 1);
    CHECK(env.scalar("SELECT count(*) FROM image WHERE barcode = $1 AND image_id = '11'", {barcode}) == 1);
    CHECK(env.redis.pending(updates, group) == 0);
    CHECK(env.redis.pending(ocr, group) == 0);  // the group exists on both streams (MKSTREAM)

    const auto metrics = http_get(port, "/metrics").body;
    CHECK(metric(metrics, "robotoffd_po_events_total", {{"source", updates}, {"outcome", "enqueued"}}) == 1);
    CHECK(metric(metrics, "robotoffd_redis_connected") == 1);
    CHECK(metric(metrics, "robotoffd_redis_reconnects_total") >= 1);
    const auto h = health(port);
    REQUIRE(h.passed.has_value());
    CHECK(*h.passed);
    node->signal(SIGTERM);
    CHECK(node->wait_exit() == 0);
    CHECK(node->stderr_text().find("intake.consumer_stopped") != std::string::npos);
}

TEST_CASE("every event shape of §1.5 and §3.4: outcomes, job kinds, flags, priorities, delays",
          "[integration][intake]") {
    intake_env env;
    // No workers: the jobs stay pending for inspection. Updates wait 10 s (run_after is checked).
    auto node = env.start("node-a", {"--jobs.updated_product_wait_s=10"});
    const auto port = node->port();
    auto jobs_of = [&](const std::string& barcode) {
        return env.job_rows("AND payload->>'barcode' = '" + barcode + "'");  // test barcodes only: digits
    };
    auto due_now = [&](const std::string& kind, const std::string& barcode) {
        return env.scalar("SELECT count(*) FROM job WHERE kind = $1 AND payload->>'barcode' = $2 AND "
                          "run_after <= now() + interval '2 seconds'", {kind, barcode}) == 1;
    };
    auto delayed = [&](const std::string& kind, const std::string& barcode) {
        return env.scalar("SELECT count(*) FROM job WHERE kind = $1 AND payload->>'barcode' = $2 AND "
                          "run_after > now() + interval '5 seconds'", {kind, barcode}) == 1;
    };

    SECTION("the four examples of §1.5, and the merge of an upload with its ocr_ready") {
        // 1. An upload by an app user: import_image with the upload flags, now; no product_updated.
        auto id = env.handled(updates, product_update("3017620425035", R"({"uploaded_images":{"add":["12"]}})"));
        CHECK(env.outcome_of(updates, id) == "enqueued");
        CHECK(join(jobs_of("3017620425035")) == "import_image|image:off:3017620425035:12|0|" + upload_flags + "\n");
        CHECK(due_now("import_image", "3017620425035"));
        CHECK(env.text("SELECT payload->>'ocr_url' FROM job WHERE kind = 'import_image'") ==
              env.po.url() + "/images/products/301/762/042/5035/12.json");

        // 2. Its ocr_ready (json_url ignored): the OCR flags, merged into the same pending row.
        id = env.handled(ocr, ocr_ready("3017620425035", "12"));
        CHECK(env.outcome_of(ocr, id) == "enqueued");
        const auto merged = jobs_of("3017620425035");
        REQUIRE(merged.size() == 1);
        const auto row = *merged.begin();
        CHECK((row == "import_image|image:off:3017620425035:12|0|" + all_flags ||
               row == "import_image|image:off:3017620425035:12|0|*"));
        CHECK(env.text("SELECT payload->>'ocr_url' FROM job WHERE kind = 'import_image'") ==
              env.po.url() + "/images/products/301/762/042/5035/12.json");

        // 3. scanbot changes fields and nutriments: product_updated with the diffs, low priority, delayed.
        id = env.handled(updates, product_update("3017620425036",
                                                 R"({"fields":{"change":["product_name","product_name_fr"]},)"
                                                 R"("nutriments":{"add":["salt"]}})",
                                                 "scanbot", "updated", "", "food", "off"));
        CHECK(env.outcome_of(updates, id) == "enqueued");
        CHECK(join(jobs_of("3017620425036")) == "product_updated|updated:off:3017620425036|1|*\n");
        CHECK(delayed("product_updated", "3017620425036"));
        CHECK(env.text("SELECT payload->'diffs'->'nutriments'->>'add' FROM job WHERE kind = 'product_updated'") ==
              R"(["salt"])");
        CHECK(env.text("SELECT payload->'diffs'->'fields'->>'change' FROM job WHERE kind = 'product_updated'") ==
              R"(["product_name", "product_name_fr"])");

        // 4. A product type switch: product_type_switched only, delayed.
        id = env.handled(updates, product_update("3560070000001", R"({"fields":{"change":["product_type"]}})", "bob"));
        CHECK(env.outcome_of(updates, id) == "enqueued");
        CHECK(join(jobs_of("3560070000001")) == "product_type_switched|type_switch:off:3560070000001|0|*\n");
        CHECK(delayed("product_type_switched", "3560070000001"));
    }

    SECTION("robot edits, other editors, deletions, image deletions, combined diffs, other server types") {
        // Robotoff's own edits: by user id (redis.skip_user_ids and off.user) or by the comment marker.
        auto id = env.handled(updates, product_update("3000000000011", R"({"fields":{"change":["labels"]}})",
                                                      "roboto-app"));
        CHECK(env.outcome_of(updates, id) == "robot");
        id = env.handled(updates, product_update("3000000000012", R"({"fields":{"change":["labels"]}})", "alice",
                                                 "updated", "[robotoff] Adding label tag 'en:organic' (automated edit)"));
        CHECK(env.outcome_of(updates, id) == "robot");
        CHECK(jobs_of("3000000000011").empty());
        CHECK(jobs_of("3000000000012").empty());

        // The other low-priority editor: even the image import is low priority.
        id = env.handled(updates, product_update("3000000000013", R"({"uploaded_images":{"add":["1"]}})",
                                                 "update_all_products"));
        CHECK(env.outcome_of(updates, id) == "enqueued");
        CHECK(join(jobs_of("3000000000013")) == "import_image|image:off:3000000000013:1|1|" + upload_flags + "\n");

        // Deletion: product_deleted, now.
        id = env.handled(updates, product_update("3000000000014", "{}", "alice", "deleted"));
        CHECK(env.outcome_of(updates, id) == "enqueued");
        CHECK(join(jobs_of("3000000000014")) == "product_deleted|deleted:off:3000000000014|0|*\n");
        CHECK(due_now("product_deleted", "3000000000014"));

        // Another action: nothing.
        id = env.handled(updates, product_update("3000000000015", "{}", "alice", "reprocessed"));
        CHECK(env.outcome_of(updates, id) == "ignored_action");
        CHECK(jobs_of("3000000000015").empty());

        // An image deletion: image_deleted, delayed; no product_updated (only uploaded_images changed).
        id = env.handled(updates, product_update("3000000000016", R"({"uploaded_images":{"delete":["3"]}})"));
        CHECK(env.outcome_of(updates, id) == "enqueued");
        const auto deleted = jobs_of("3000000000016");
        REQUIRE(deleted.size() == 1);
        CHECK(deleted.begin()->rfind("image_deleted|", 0) == 0);
        CHECK(delayed("image_deleted", "3000000000016"));

        // Two uploads and a field change in one event: both images (not only the first) and product_updated.
        id = env.handled(updates, product_update("3000000000017",
                                                 R"({"uploaded_images":{"add":["4",5]},"fields":{"add":["brands"]}})"));
        CHECK(env.outcome_of(updates, id) == "enqueued");
        CHECK(join(jobs_of("3000000000017")) == "import_image|image:off:3000000000017:4|0|" + upload_flags + "\n" +
                                                    "import_image|image:off:3000000000017:5|0|" + upload_flags + "\n" +
                                                    "product_updated|updated:off:3000000000017|0|*\n");

        // A type switch wins over an upload in the same event.
        id = env.handled(updates, product_update("3000000000018",
                                                 R"({"uploaded_images":{"add":["1"]},"fields":{"change":["product_type"]}})"));
        CHECK(env.outcome_of(updates, id) == "enqueued");
        CHECK(join(jobs_of("3000000000018")) == "product_type_switched|type_switch:off:3000000000018|0|*\n");

        // Empty diffs ("created / unknown change"): product_updated.
        id = env.handled(updates, product_update("3000000000019", "{}"));
        CHECK(env.outcome_of(updates, id) == "enqueued");
        CHECK(join(jobs_of("3000000000019")) == "product_updated|updated:off:3000000000019|0|*\n");

        // Other server types from product_type: beauty -> obf, petfood -> opff, product -> opf.
        env.handled(updates, product_update("3000000000020", "{}", "alice", "updated", "", "beauty", "obf"));
        env.handled(updates, product_update("3000000000021", "{}", "alice", "updated", "", "petfood", "opff"));
        env.handled(ocr, ocr_ready("3000000000022", "2", "product"));
        CHECK(join(jobs_of("3000000000020")) == "product_updated|updated:obf:3000000000020|0|*\n");
        CHECK(join(jobs_of("3000000000021")) == "product_updated|updated:opff:3000000000021|0|*\n");
        CHECK(join(jobs_of("3000000000022")) == "import_image|image:opf:3000000000022:2|0|" + ocr_flags + "\n");

        // The producers platform: no organisation id, nothing to do.
        id = env.handled(updates, product_update("3000000000023", "{}", "alice", "updated", "", "food", "off_pro"));
        CHECK(env.outcome_of(updates, id) == "pro_platform");
        CHECK(jobs_of("3000000000023").empty());
    }

    SECTION("malformed entries: invalid, kept with their fields, acked; the stream keeps flowing") {
        const std::vector<std::pair<std::string, entry_fields>> bad = {
            {updates, product_update("3000000000031", "{not json")},
            {updates, product_update("3000000000032", "[1,2]")},
            {updates, product_update("", R"({"fields":{"change":["brands"]}})")},
            {updates, product_update("3000000000034", "{}", "alice", "updated", "", "toys")},
            {updates, product_update("3000000000035", "{}", "alice", "updated", "", "")},
            {ocr, ocr_ready("3000000000036", "")},
            {ocr, ocr_ready("", "3")},
            {ocr, ocr_ready("3000000000038", "3", "toys")},
        };
        for (const auto& [stream, fields] : bad) {
            const auto id = env.handled(stream, fields);
            INFO(stream << " " << fields_json(fields));
            CHECK(env.outcome_of(stream, id) == "invalid");
            CHECK(env.scalar("SELECT count(*) FROM redis_stream_event WHERE stream = $1 AND entry_id = $2 AND "
                             "fields = $3::jsonb", {stream, id, fields_json(fields)}) == 1);
        }
        CHECK(env.job_rows().empty());
        // A good entry after them is handled.
        const auto id = env.handled(updates, product_update("3000000000039", "{}"));
        CHECK(env.outcome_of(updates, id) == "enqueued");
        CHECK(join(jobs_of("3000000000039")) == "product_updated|updated:off:3000000000039|0|*\n");
    }

    CHECK(env.redis.pending(updates, group) == 0);
    CHECK(env.redis.pending(ocr, group) == 0);
    // Every entry is counted once under its outcome.
    const auto metrics = http_get(port, "/metrics").body;
    const long long counted = static_cast<long long>(metric(metrics, "robotoffd_po_events_total"));
    CHECK(counted == env.events());
    CHECK(metric(metrics, "robotoffd_po_events_total", {{"outcome", "duplicate"}}) <= 0);
}

TEST_CASE("two nodes in one group: 300 entries, each handled once, the jobs of a single node",
          "[integration][intake]") {
    intake_env env;
    // A mix: uploads and ocr_ready of the same images (merged), field updates, deletions, robot edits, and
    // uploads of two images with field changes, over 55 products (55 and 6 are coprime: each product
    // sees every kind).
    std::vector<std::pair<std::string, entry_fields>> entries;
    for (int i = 0; i < 300; ++i) {
        const std::string barcode = std::to_string(2000000000000LL + i % 55);
        const std::string image = std::to_string(1 + i % 4);
        switch (i % 6) {
        case 0: entries.push_back({updates, product_update(barcode, R"({"uploaded_images":{"add":[")" + image + R"("]}})")}); break;
        case 1: entries.push_back({ocr, ocr_ready(barcode, image)}); break;
        case 2: entries.push_back({updates, product_update(barcode, R"({"fields":{"change":["product_name"]}})", "scanbot")}); break;
        case 3: entries.push_back({updates, product_update(barcode, "{}", "bob", "deleted")}); break;
        case 4: entries.push_back({updates, product_update(barcode, R"({"fields":{"change":["brands"]}})", "roboto-app")}); break;
        default:
            entries.push_back({updates, product_update(barcode, R"({"uploaded_images":{"add":[")" + image + R"(",")" +
                                                                    std::to_string(10 + i % 3) +
                                                                    R"("]},"fields":{"add":["brands"]}})")});
        }
    }
    std::vector<std::vector<std::string>> first, second;
    for (std::size_t i = 0; i < entries.size(); ++i) {
        (i < 150 ? first : second).push_back(xadd_command(entries[i].first, entries[i].second));
    }
    env.redis.pipe(first);
    {
        auto a = env.start("node-a");
        auto b = env.start("node-b");
        env.redis.pipe(second);
        REQUIRE(env.wait_events(300, seconds(60)));
        // Give a late duplicate a chance to show.
        REQUIRE(eventually([&] { return env.redis.pending(updates, group) == 0 && env.redis.pending(ocr, group) == 0; },
                           seconds(10)));
        CHECK(env.events() == 300);
        CHECK(env.scalar("SELECT count(*) FROM redis_stream_event WHERE outcome = 'enqueued'") == 250);
        CHECK(env.scalar("SELECT count(*) FROM redis_stream_event WHERE outcome = 'robot'") == 50);
        CHECK(env.scalar("SELECT count(*) FROM redis_stream_event WHERE stream = 'ocr_ready'") == 50);
        const auto ma = http_get(a->port(), "/metrics").body;
        const auto mb = http_get(b->port(), "/metrics").body;
        const double handled_a = std::max(0.0, metric(ma, "robotoffd_po_events_total"));
        const double handled_b = std::max(0.0, metric(mb, "robotoffd_po_events_total"));
        INFO("node-a handled " << handled_a << ", node-b " << handled_b);
        CHECK(handled_a + handled_b == 300);
        CHECK(metric(ma, "robotoffd_po_events_total", {{"outcome", "duplicate"}}) <= 0);
        CHECK(metric(mb, "robotoffd_po_events_total", {{"outcome", "duplicate"}}) <= 0);
        CHECK(handled_b > 0);  // the entries XADDed while both read are shared
        a->signal(SIGTERM);
        b->signal(SIGTERM);
        CHECK(a->wait_exit() == 0);
        CHECK(b->wait_exit() == 0);
    }
    // No two pending rows for one key.
    CHECK(env.scalar("SELECT count(*) FROM (SELECT 1 FROM job GROUP BY kind, payload->>'dedup_key' "
                     "HAVING count(*) > 1) d") == 0);
    const auto two_nodes = env.job_rows();

    // The expectation, built from the entries as a single node maps them.
    std::map<std::string, std::set<std::string>> flags;  // dedup key -> flags (import_image)
    std::map<std::string, int> priority;
    std::multiset<std::string> expected;
    std::set<std::string> others;
    for (int i = 0; i < 300; ++i) {
        const std::string barcode = std::to_string(2000000000000LL + i % 55);
        const std::string image = std::to_string(1 + i % 4);
        auto image_job = [&](const std::string& id, const std::string& set) {
            const auto key = "image:off:" + barcode + ":" + id;
            std::stringstream in(set);
            std::string f;
            while (std::getline(in, f, ',')) {
                flags[key].insert(f);
            }
            priority.emplace(key, 0);
        };
        switch (i % 6) {
        case 0: image_job(image, upload_flags); break;
        case 1: image_job(image, ocr_flags); break;
        case 2: others.insert("product_updated|updated:off:" + barcode + "|"); priority.emplace("u" + barcode, 1); break;
        case 3: others.insert("product_deleted|deleted:off:" + barcode + "|0|*"); break;
        case 4: break;
        default:
            image_job(image, upload_flags);
            image_job(std::to_string(10 + i % 3), upload_flags);
            others.insert("product_updated|updated:off:" + barcode + "|");
            priority["u" + barcode] = 0;  // a merge keeps the more urgent priority
        }
    }
    for (const auto& [key, set] : flags) {
        std::string list;
        for (const auto& f : set) {
            list += (list.empty() ? "" : ",") + f;
        }
        expected.insert("import_image|" + key + "|0|" + (set.size() == 7 ? all_flags : list));
    }
    for (const auto& o : others) {
        if (o.rfind("product_updated|", 0) == 0) {
            const auto barcode = o.substr(o.rfind(':') + 1, 13);
            expected.insert(o + std::to_string(priority["u" + barcode]) + "|*");
        } else {
            expected.insert(o);
        }
    }
    // A merged import_image row may also carry no flags member at all (= all seven).
    std::multiset<std::string> normalized;
    for (auto r : two_nodes) {
        if (r.size() > 2 && r.substr(r.size() - 2) == "|*" && r.rfind("import_image|", 0) == 0) {
            r = r.substr(0, r.size() - 1) + all_flags;
        }
        normalized.insert(r);
    }
    CHECK(join(normalized) == join(expected));

    // And a real single node over the same stream (its own group and database) agrees.
    temp_database solo_db;
    {
        auto solo = start_daemon(solo_db.url(), env.flags("solo", {"--redis.group=solo"}));
        auto c = solo_db.connect();
        REQUIRE(eventually([&] { return c->exec("SELECT count(*) FROM redis_stream_event").get_int(0, 0) == 300; },
                           seconds(60)));
        solo->signal(SIGTERM);
        CHECK(solo->wait_exit() == 0);
    }
    auto c = solo_db.connect();
    auto r = c->exec(
        "SELECT kind || '|' || coalesce(payload->>'dedup_key', '') || '|' || priority || '|' || "
        "coalesce((SELECT string_agg(f, ',' ORDER BY f) FROM jsonb_array_elements_text(payload->'flags') f), '*') "
        "FROM job WHERE kind IN ('import_image', 'product_updated', 'product_deleted', 'image_deleted', "
        "'product_type_switched')");
    std::multiset<std::string> solo_rows;
    for (int i = 0; i < r.rows(); ++i) {
        solo_rows.insert(r.get_string(i, 0));
    }
    CHECK(join(solo_rows) == join(two_nodes));
}

TEST_CASE("kill -9 of a node with pending entries: another node claims them, nothing lost, nothing twice",
          "[integration][intake]") {
    intake_env env;
    const auto [pg_host, pg_port] = url_host_port(env.db.url());
    tcp_proxy proxy(pg_host, pg_port);
    auto a = env.start("node-a", {}, with_host_port(env.db.url(), "127.0.0.1", proxy.port()));
    env.handled(updates, product_update("3000000000100", "{}"));  // node-a works through the proxy

    // node-a loses PostgreSQL: it reads the next entries but cannot commit them, so they stay pending for it.
    proxy.set_open(false);
    std::vector<std::vector<std::string>> batch = {{"MULTI"}};
    for (int i = 1; i <= 5; ++i) {
        batch.push_back(xadd_command(updates, product_update(std::to_string(3000000000100LL + i), "{}")));
    }
    batch.push_back({"EXEC"});
    env.redis.pipe(batch);  // one transaction: node-a's blocked read gets all five at once
    REQUIRE(eventually([&] { return env.redis.pending_of(updates, group, "node-a") == 5; }, seconds(15)));
    CHECK(env.events() == 1);
    a->signal(SIGKILL);
    CHECK(a->wait_exit() == 128 + SIGKILL);
    proxy.set_open(true);

    auto b = env.start("node-b");
    REQUIRE(env.wait_events(6, seconds(20)));
    CHECK(env.scalar("SELECT count(*) FROM redis_stream_event WHERE outcome = 'enqueued'") == 6);
    CHECK(env.scalar("SELECT count(*) FROM job WHERE kind = 'product_updated'") == 6);
    CHECK(eventually([&] { return env.redis.pending(updates, group) == 0; }, seconds(5)));
    CHECK(env.redis.pending_of(updates, group, "node-a") == 0);
    const auto metrics = http_get(b->port(), "/metrics").body;
    CHECK(metric(metrics, "robotoffd_redis_claimed_total", {{"stream", updates}}) >= 5);
    CHECK(b->stderr_text().find("intake.claimed") != std::string::npos);

    // node-b goes on with new entries.
    env.handled(updates, product_update("3000000000110", "{}"));
    CHECK(env.events() == 7);
    CHECK(env.scalar("SELECT count(*) FROM job WHERE kind = 'product_updated'") == 7);
    b->signal(SIGTERM);
    CHECK(b->wait_exit() == 0);
}

TEST_CASE("Redis restarted mid-stream: health fails while it is down, the API answers, no entry is lost",
          "[integration][intake]") {
    intake_env env;
    auto node = env.start("node-a");
    const auto port = node->port();
    std::vector<std::vector<std::string>> before;
    for (int i = 0; i < 10; ++i) {
        before.push_back(xadd_command(updates, product_update(std::to_string(3000000000200LL + i), "{}")));
    }
    env.redis.pipe(before);
    REQUIRE(env.wait_events(10));
    // Five more right before the stop: read or not, committed or not, acked or not, they must all end up once.
    before.clear();
    for (int i = 10; i < 15; ++i) {
        before.push_back(xadd_command(updates, product_update(std::to_string(3000000000200LL + i), "{}")));
    }
    env.redis.pipe(before);
    env.redis.stop();

    // Down (Product Opener drops its events meanwhile): the redis check fails after the grace (1 s); the
    // daemon keeps answering.
    REQUIRE(eventually([&] {
        const auto h = health(port);
        return h.passed.has_value() && !*h.passed;
    }, seconds(15)));
    const auto down = health(port);
    INFO(down.body);
    // Issue 15 (it wins over intake.md §4.2's 500): Redis down makes the node degraded, not down, so a load
    // balancer keeps a node whose API, webhooks and workers still work.
    CHECK(down.status == 200);
    CHECK(down.body.find("\"status\":\"degraded\"") != std::string::npos);
    CHECK(down.output.find("disconnected since") != std::string::npos);
    CHECK(http_get(port, "/api/v1/status").status == 200);
    CHECK(metric(http_get(port, "/metrics").body, "robotoffd_redis_connected") == 0);

    env.redis.restart();
    CHECK(env.redis.xlen(updates) == 15);  // the append-only file kept them
    REQUIRE(eventually([&] { return count_of(node->stderr_text(), "intake.connected") >= 2; }, seconds(30)));
    std::vector<std::vector<std::string>> after;
    for (int i = 15; i < 25; ++i) {
        after.push_back(xadd_command(updates, product_update(std::to_string(3000000000200LL + i), "{}")));
    }
    env.redis.pipe(after);
    REQUIRE(env.wait_events(25, seconds(20)));
    CHECK(eventually([&] { return env.redis.pending(updates, group) == 0; }, seconds(5)));
    CHECK(env.events() == 25);
    CHECK(env.scalar("SELECT count(*) FROM redis_stream_event WHERE outcome = 'enqueued'") == 25);
    CHECK(env.scalar("SELECT count(DISTINCT payload->>'barcode') FROM job WHERE kind = 'product_updated'") == 25);
    CHECK(eventually([&] {
        const auto h = health(port);
        return h.passed.value_or(false);
    }, seconds(10)));
    const auto metrics = http_get(port, "/metrics").body;
    CHECK(metric(metrics, "robotoffd_redis_connected") == 1);
    CHECK(metric(metrics, "robotoffd_redis_reconnects_total") >= 2);
    node->signal(SIGTERM);
    CHECK(node->wait_exit() == 0);
}

TEST_CASE("malformed entries between good ones in one read: invalid rows with the raw fields, the rest handled",
          "[integration][intake]") {
    intake_env env;
    auto node = env.start("node-a");
    const auto good1 = product_update("3000000000301", R"({"fields":{"change":["brands"]}})");
    const auto bad1 = product_update("3000000000302", "{not json");
    const auto good2 = product_update("3000000000303", "{}", "bob", "deleted");
    const auto bad2 = ocr_ready("3000000000304", "");
    const auto good3 = ocr_ready("3000000000305", "7");
    env.redis.pipe({{"MULTI"},
                    xadd_command(updates, good1),
                    xadd_command(updates, bad1),
                    xadd_command(updates, good2),
                    xadd_command(ocr, bad2),
                    xadd_command(ocr, good3),
                    {"EXEC"}});
    REQUIRE(env.wait_events(5));
    CHECK(env.scalar("SELECT count(*) FROM redis_stream_event WHERE outcome = 'enqueued'") == 3);
    CHECK(env.scalar("SELECT count(*) FROM redis_stream_event WHERE outcome = 'invalid' AND stream = $1 AND "
                     "fields = $2::jsonb", {updates, fields_json(bad1)}) == 1);
    CHECK(env.scalar("SELECT count(*) FROM redis_stream_event WHERE outcome = 'invalid' AND stream = $1 AND "
                     "fields = $2::jsonb", {ocr, fields_json(bad2)}) == 1);
    CHECK(env.text("SELECT fields->>'diffs' FROM redis_stream_event WHERE outcome = 'invalid' AND stream = $1",
                   {updates}) == "{not json");
    CHECK(join(env.job_rows()) == "import_image|image:off:3000000000305:7|0|" + ocr_flags + "\n" +
                                      "product_deleted|deleted:off:3000000000303|0|*\n" +
                                      "product_updated|updated:off:3000000000301|0|*\n");
    CHECK(env.redis.pending(updates, group) == 0);
    CHECK(env.redis.pending(ocr, group) == 0);
    CHECK(node->stderr_text().find("intake.invalid") != std::string::npos);

    // Later entries flow.
    env.handled(updates, product_update("3000000000306", "{}"));
    CHECK(env.scalar("SELECT count(*) FROM job WHERE payload->>'barcode' = '3000000000306'") == 1);
    const auto metrics = http_get(node->port(), "/metrics").body;
    CHECK(metric(metrics, "robotoffd_po_events_total", {{"source", updates}, {"outcome", "invalid"}}) == 1);
    CHECK(metric(metrics, "robotoffd_po_events_total", {{"source", ocr}, {"outcome", "invalid"}}) == 1);
    CHECK(metric(metrics, "robotoffd_po_events_total", {{"source", updates}, {"outcome", "enqueued"}}) == 3);
}

TEST_CASE("an entry delivered more than redis.max_deliveries times is dead-lettered with its fields",
          "[integration][intake]") {
    intake_env env;
    const auto [pg_host, pg_port] = url_host_port(env.db.url());
    tcp_proxy proxy(pg_host, pg_port);
    auto node = env.start("node-a", {"--redis.max_deliveries=1"}, with_host_port(env.db.url(), "127.0.0.1", proxy.port()));
    env.handled(updates, product_update("3000000000400", "{}"));

    // PostgreSQL away: the entry is read, not committed, re-read after the back-off (delivery 2 > 1).
    proxy.set_open(false);
    const auto fields = product_update("3000000000401", R"({"fields":{"change":["brands"]}})");
    const auto id = env.redis.xadd(updates, fields);
    auto deliveries = [&] {
        const auto lines = env.redis.cli_lines({"XPENDING", updates, group, "-", "+", "10"});
        return lines.size() >= 4 ? std::stoll(lines[3]) : 0LL;
    };
    REQUIRE(eventually([&] { return deliveries() >= 2; }, seconds(15)));
    proxy.set_open(true);

    REQUIRE(env.wait_events(2, seconds(20)));
    CHECK(env.outcome_of(updates, id) == "dead_letter");
    CHECK(env.scalar("SELECT count(*) FROM redis_stream_event WHERE entry_id = $1 AND fields = $2::jsonb",
                     {id, fields_json(fields)}) == 1);
    CHECK(env.scalar("SELECT count(*) FROM job WHERE payload->>'barcode' = '3000000000401'") == 0);
    CHECK(eventually([&] { return env.redis.pending(updates, group) == 0; }, seconds(5)));
    CHECK(node->stderr_text().find("intake.dead_letter") != std::string::npos);
    CHECK(metric(http_get(node->port(), "/metrics").body, "robotoffd_po_events_total",
                 {{"source", updates}, {"outcome", "dead_letter"}}) == 1);

    // A first delivery is not dead-lettered.
    const auto next = env.handled(updates, product_update("3000000000402", "{}"));
    CHECK(env.outcome_of(updates, next) == "enqueued");
}

TEST_CASE("replay-events: XRANGE into jobs, recorded entries skipped, dry run, the group untouched",
          "[integration][intake]") {
    intake_env env;
    const auto p1 = env.redis.xadd(updates, product_update("3000000000501", "{}"));
    const auto p2 = env.redis.xadd(updates, product_update("3000000000502", "{}", "bob", "deleted"));
    const auto p3 = env.redis.xadd(updates, product_update("3000000000503", "{not json"));
    const auto o1 = env.redis.xadd(ocr, ocr_ready("3000000000504", "2"));
    auto replay = [&](std::vector<std::string> args) {
        std::vector<std::string> full = {"--config=/dev/null", "replay-events", "--database.url=" + env.db.url(),
                                         "--redis.url=" + env.redis.url(),
                                         "--off.images_url=" + env.po.url()};
        full.insert(full.end(), args.begin(), args.end());
        return run_robotoffd(full);
    };

    auto dry = replay({"--stream", "all", "--since", p1, "--dry-run"});
    INFO(dry.out << dry.err);
    REQUIRE(dry.exit_code == 0);
    CHECK(dry.out.find("product_updated") != std::string::npos);
    CHECK(dry.out.find("import_image") != std::string::npos);
    CHECK(env.events() == 0);
    CHECK(env.job_rows().empty());

    auto some = replay({"--stream", "product_updates", "--since", p1, "--until", p2});
    INFO(some.out << some.err);
    REQUIRE(some.exit_code == 0);
    CHECK(env.events() == 2);
    CHECK(env.outcome_of(updates, p1) == "enqueued");
    CHECK(env.outcome_of(updates, p2) == "enqueued");
    const auto first_seen = env.text("SELECT received_at::text FROM redis_stream_event WHERE entry_id = $1", {p1});

    auto all = replay({"--stream", "all", "--since", iso_utc(-minutes(10))});
    INFO(all.out << all.err);
    REQUIRE(all.exit_code == 0);
    CHECK(env.events() == 4);
    CHECK(env.outcome_of(updates, p3) == "invalid");
    CHECK(env.outcome_of(ocr, o1) == "enqueued");
    CHECK(env.text("SELECT received_at::text FROM redis_stream_event WHERE entry_id = $1", {p1}) == first_seen);
    CHECK(join(env.job_rows()) == "import_image|image:off:3000000000504:2|0|" + ocr_flags + "\n" +
                                      "product_deleted|deleted:off:3000000000502|0|*\n" +
                                      "product_updated|updated:off:3000000000501|0|*\n");

    // Again: everything is recorded already, nothing changes; --force handles them again (the pending jobs
    // merge, so still one row per key).
    auto again = replay({"--stream", "all", "--since", p1});
    REQUIRE(again.exit_code == 0);
    CHECK(env.text("SELECT received_at::text FROM redis_stream_event WHERE entry_id = $1", {p1}) == first_seen);
    auto forced = replay({"--stream", "all", "--since", p1, "--force"});
    INFO(forced.out << forced.err);
    REQUIRE(forced.exit_code == 0);
    CHECK(env.events() == 4);
    CHECK(env.job_rows().size() == 3);

    // The consumer group was never created.
    CHECK(env.redis.cli({"XINFO", "GROUPS", updates}).empty());
    // A bad --since is a usage error.
    CHECK(replay({"--stream", "all", "--since", "yesterday"}).exit_code != 0);
}

TEST_CASE("an entry redelivered after its commit (crash before XACK) is a duplicate: acked, no second job",
          "[integration][intake]") {
    intake_env env;
    const auto first = env.redis.xadd(updates, product_update("3000000000601", "{}"));
    const auto second = env.redis.xadd(updates, product_update("3000000000602", "{}"));
    // As if a node had committed `first` and died before its XACK.
    env.conn().exec("INSERT INTO redis_stream_event (stream, entry_id, outcome) VALUES ($1, $2, 'enqueued')",
                    {updates, first});
    auto node = env.start("node-a");
    REQUIRE(env.wait_events(2));
    REQUIRE(eventually([&] { return env.redis.pending(updates, group) == 0 && env.redis.xlen(updates) == 2; },
                       seconds(5)));
    CHECK(env.outcome_of(updates, first) == "enqueued");  // the row of the first handling stays
    CHECK(env.outcome_of(updates, second) == "enqueued");
    CHECK(join(env.job_rows()) == "product_updated|updated:off:3000000000602|0|*\n");
    const auto metrics = http_get(node->port(), "/metrics").body;
    CHECK(metric(metrics, "robotoffd_po_events_total", {{"source", updates}, {"outcome", "duplicate"}}) == 1);
    CHECK(metric(metrics, "robotoffd_po_events_total", {{"source", updates}, {"outcome", "enqueued"}}) == 1);
}

TEST_CASE("pending entries trimmed from the stream before the takeover are acked and counted trimmed",
          "[integration][intake]") {
    intake_env env;
    const auto [pg_host, pg_port] = url_host_port(env.db.url());
    tcp_proxy proxy(pg_host, pg_port);
    auto a = env.start("node-a", {}, with_host_port(env.db.url(), "127.0.0.1", proxy.port()));
    env.handled(updates, product_update("3000000000700", "{}"));
    proxy.set_open(false);
    std::vector<std::vector<std::string>> batch = {{"MULTI"}};
    for (int i = 1; i <= 3; ++i) {
        batch.push_back(xadd_command(updates, product_update(std::to_string(3000000000700LL + i), "{}")));
    }
    batch.push_back({"EXEC"});
    env.redis.pipe(batch);
    REQUIRE(eventually([&] { return env.redis.pending_of(updates, group, "node-a") == 3; }, seconds(15)));
    a->signal(SIGKILL);
    a->wait_exit();
    // Product Opener's MAXLEN trimming (or an operator) removes two of them while they are pending.
    const auto ids = env.redis.cli_lines({"XPENDING", updates, group, "-", "+", "10"});
    REQUIRE(ids.size() == 12);
    env.redis.cli({"XDEL", updates, ids[0], ids[4]});

    auto b = env.start("node-b");
    REQUIRE(eventually([&] { return env.redis.pending(updates, group) == 0; }, seconds(20)));
    CHECK(env.wait_events(2, seconds(5)));
    CHECK(env.events() == 2);
    CHECK(env.outcome_of(updates, ids[8]) == "enqueued");
    CHECK(env.scalar("SELECT count(*) FROM job WHERE kind = 'product_updated'") == 2);
    const auto metrics = http_get(b->port(), "/metrics").body;
    CHECK(metric(metrics, "robotoffd_po_events_total", {{"source", updates}, {"outcome", "trimmed"}}) == 2);
}
