// The settings table: every setting robotoffd reads. etc/robotoffd.conf is rendered from it
// (`robotoffd check-config --print-defaults`) and a unit test checks the two agree.
// Modules receive their own settings struct built from these values (see app/).

#include "robotoff/core/config.hpp"

namespace robotoff::core {

namespace {

using t = setting_type;

const std::vector<setting_spec> table = {
    // Top level (no section).
    {"instance", t::string, "prod", 0, 0, "prod -> tld org; dev -> tld net; any other value is used as the tld"},
    {"tld", t::string, "", 0, 0, "override the top-level domain of Open Food Facts URLs (empty: from instance)"},

    {"http.listen", t::string, "127.0.0.1:5500", 0, 0, "HTTP listener host:port (port 0 = any free port, logged)"},
    {"http.threads", t::integer, "2", 1, 64, "I/O threads running the HTTP listener and sessions"},
    {"http.handler_threads", t::integer, "8", 1, 256, "threads running request handlers (blocking work)"},
    {"http.lookup_threads", t::integer, "2", 1, 64, "threads answering /insights/{barcode} in batched queries (one database connection each)"},
    {"http.max_queued_requests", t::integer, "512", 1, 100000, "requests waiting for a handler thread before 503"},
    {"http.trusted_proxies", t::string, "", 0, 0, "peers (CIDR list) whose X-Forwarded-For names the client; any other peer's header is ignored"},
    {"http.max_body_bytes", t::integer, "33554432", 1024, 4294967296.0, "request body limit in bytes (413 above)"},
    {"http.request_timeout_ms", t::integer, "30000", 100, 3600000, "time allowed to read a request and to answer it"},
    {"http.shutdown_grace_ms", t::integer, "10000", 0, 600000, "time in-flight requests get to finish on SIGTERM"},

    {"database.url", t::string, "postgresql:///robotoff", 0, 0, "libpq connection string or URI", true},
    {"database.pool_size", t::integer, "16", 1, 1000, "maximum PostgreSQL connections"},
    {"database.statement_timeout_ms", t::integer, "15000", 0, 86400000, "statement_timeout set on every connection"},
    {"database.acquire_timeout_ms", t::integer, "5000", 1, 600000, "longest wait for a free connection before 503"},
    {"database.connect_timeout_s", t::integer, "5", 1, 600, "libpq connect_timeout of each new connection"},

    {"off.world_url", t::string, "https://world.{base}.{tld}", 0, 0, "Product Opener base URL ({base}/{tld} expanded per server type)"},
    {"off.images_url", t::string, "https://images.{base}.{tld}", 0, 0, "base of photo and OCR JSON URLs"},
    {"off.static_url", t::string, "https://static.{base}.{tld}", 0, 0, "base of dumps and taxonomy downloads"},
    {"off.user", t::string, "", 0, 0, "robot account for automatic and vote-decided edits (empty: such edits are refused)"},
    {"off.password", t::string, "", 0, 0, "password of the robot account", true},
    {"off.user_agent", t::string, "Robotoff Live Analysis", 0, 0, "User-Agent of every request to Product Opener and image servers"},
    {"off.read_timeout_s", t::integer, "10", 1, 3600, "timeout of Product Opener reads"},
    {"off.write_timeout_s", t::integer, "15", 1, 3600, "timeout of Product Opener field edits"},
    {"off.image_write_timeout_s", t::integer, "30", 1, 3600, "timeout of Product Opener image selections"},
    {"off.max_concurrency", t::integer, "8", 1, 256, "parallel requests to Product Opener"},

    {"insights.automatic_processing_wait_min", t::integer, "10", 0, 100000, "delay before an automatic insight is applied (process_after)"},
    {"insights.auto_apply_retry_min", t::integer, "60", 1, 100000, "delay before retrying an automatic insight whose write failed"},
    {"insights.product_check", t::boolean, "true", 0, 0, "validate predictions and insights against product data (false: development only)"},

    {"products.max_staleness_h", t::integer, "24", 0, 100000, "age of a stored product row usable when Product Opener is unreachable"},

    {"jobs.workers", t::integer, "4", 0, 256, "worker threads running durable jobs (0: this node runs no jobs)"},
    {"jobs.updated_product_wait_s", t::integer, "10", 0, 86400, "delay before a product-update job runs (coalesces bursts)"},
    {"jobs.max_attempts", t::integer, "6", 1, 1000, "failures after which a job becomes failed"},
    {"jobs.retention_days", t::integer, "7", 1, 3650, "done and failed jobs older than this are purged"},
    {"jobs.poll_interval_ms", t::integer, "5000", 10, 600000, "fallback poll of the job table (LISTEN/NOTIFY wakes workers sooner)"},
    {"jobs.lease_s", t::integer, "900", 5, 86400, "a running job whose lock is older than this (not renewed) is reclaimed"},
    {"jobs.heartbeat_s", t::integer, "30", 1, 3600, "how often a running job renews its lock"},
    {"jobs.max_pending", t::integer, "1000000", 1, 1e12, "pending jobs above which job-creating routes answer 503"},

    {"ocr.backend", t::string, "auto", 0, 0, "gcv: OCR JSON only; tesseract: always local OCR; auto: local OCR when the JSON stays missing"},
    {"ocr.tesseract_langs", t::string, "fra+eng+deu+spa+ita+nld+por", 0, 0, "Tesseract languages"},
    {"ocr.tessdata_path", t::string, "", 0, 0, "Tesseract model folder (empty: the system default)"},
    {"ocr.threads", t::integer, "2", 1, 64, "threads of the OCR pool, one Tesseract engine each"},
    {"ocr.max_queued", t::integer, "16", 1, 10000, "OCR requests waiting for an engine before 503"},
    {"ocr.cache_dir", t::string, "cache/ocr", 0, 0, "Tesseract results cached as Vision-shaped JSON (kept 7 days)"},
    {"ocr.max_image_bytes", t::integer, "20971520", 1024, 1e10, "largest image file accepted for local OCR"},
    {"ocr.max_image_pixels", t::integer, "50000000", 1000, 1e10, "largest image (width x height) accepted for local OCR"},

    {"data.dir", t::string, "data", 0, 0, "root of the keyword lists, grammars and taxonomies (spec README 7)"},
    {"dataset.url", t::string, "https://static.openfoodfacts.org/data/openfoodfacts-products.jsonl.gz", 0, 0, "product dump (off only)"},
    {"dataset.dir", t::string, "datasets", 0, 0, "where the dump, the minified dump and the ETag file live"},
    {"dataset.min_product_count", t::integer, "2800000", 0, 1e12, "integrity check: fewest products a downloaded dump may hold"},
    {"taxonomy.refresh_h", t::integer, "2", 1, 8760, "taxonomy download check period"},

    // Outbound fetches of URLs that requests and events name (README "Security"; issue 13).
    {"fetch.allowed_networks", t::string, "", 0, 0, "networks (CIDR, comma-separated) fetches may reach although private, loopback or link-local (tests: 127.0.0.0/8)"},
    {"fetch.ocr_allowed_hosts", t::string, "", 0, 0, "hosts (host or host:port) /predict/ocr_prediction and /images/ocr may fetch from besides the image servers"},
    {"fetch.max_bytes", t::integer, "33554432", 1024, 4294967296.0, "largest fetched body, also once gzip-inflated"},
    {"fetch.timeout_ms", t::integer, "10000", 100, 600000, "deadline of one fetch, redirects included"},
    {"fetch.max_redirects", t::integer, "3", 0, 3, "redirects followed by a fetch (each hop checked again)"},

    {"crop.allowed_domains", t::string, "", 0, 0, "hosts /api/v1/images/crop may fetch from (comma-separated; empty refuses all)"},
    {"import.token", t::string, "", 0, 0, "if set, POST /api/v1/insights/import requires Authorization: Bearer <token>", true},
    {"import.max_inflated_bytes", t::integer, "268435456", 1024, 17179869184.0, "a gzip prediction file on POST /api/v1/insights/import may inflate to this many bytes (413 above)"},
    {"webhooks.token", t::string, "", 0, 0, "if set, webhook and image-import routes require this shared secret", true},
    {"legacy.allowed_cidrs", t::string, "", 0, 0, "if set, only these client networks may call the webhook and image-import routes"},

    // Product Opener's Redis Streams (intake.md §4.1). An empty url turns the consumer off.
    {"redis.url", t::string, "", 0, 0, "Product Opener's Redis: redis://[user:password@]host:port[/db] (empty: no stream consumer)", true},
    {"redis.streams.product_updates", t::string, "product_updates", 0, 0, "stream of product changes"},
    {"redis.streams.ocr_ready", t::string, "ocr_ready", 0, 0, "stream of 'OCR JSON stored' events (empty: not read)"},
    {"redis.ocr_ready_enabled", t::boolean, "true", 0, 0, "false: Product Opener publishes no ocr_ready, so upload events run the whole image import"},
    {"redis.group", t::string, "robotoffd", 0, 0, "consumer group shared by every node"},
    {"redis.consumer", t::string, "", 0, 0, "this node's consumer name, stable across restarts (empty: the host name)"},
    {"redis.start_id", t::string, "$", 0, 0, "where a missing group starts: $ (new entries only), 0 (the whole stream) or an entry ID"},
    {"redis.batch_size", t::integer, "100", 1, 10000, "entries per read (XREADGROUP COUNT)"},
    {"redis.block_ms", t::integer, "5000", 10, 600000, "longest wait of one read (XREADGROUP BLOCK)"},
    {"redis.claim_idle_ms", t::integer, "60000", 100, 86400000, "idle time after which another node's pending entry is claimed"},
    {"redis.claim_interval_s", t::integer, "30", 1, 86400, "how often pending entries of other nodes are claimed (XAUTOCLAIM)"},
    {"redis.max_deliveries", t::integer, "10", 1, 1000, "deliveries after which an entry is dead-lettered"},
    {"redis.connect_timeout_ms", t::integer, "5000", 100, 600000, "TCP connect timeout"},
    {"redis.health_grace_s", t::integer, "60", 0, 86400, "disconnection allowed before the redis health check fails"},
    {"redis.skip_user_ids", t::string, "roboto-app", 0, 0, "editors whose events are ignored (besides off.user and [robotoff] comments)"},
    {"redis.server_types", t::string, "off,obf,opff,opf", 0, 0, "server types this deployment serves: events of other ones are acknowledged and ignored"},
    {"redis.low_priority_users", t::string, "scanbot,update_all_products", 0, 0, "editors whose events make low-priority jobs"},

    {"spellcheck.langs", t::string, "fr", 0, 0, "languages the ingredient spellchecker has a corpus for"},
    {"category_matcher.langs", t::string, "fr,en,es,de", 0, 0, "languages of the category matcher"},
    {"i18n.dir", t::string, "", 0, 0, "question translations (empty: the folder installed with the binary)"},

    {"log.level", t::string, "info", 0, 0, "error, warning, notice, info or debug"},

    {"schedule.process_insights", t::string, "every 120s", 0, 0, "apply due automatic insights"},
    {"schedule.download_taxonomies", t::string, "every 7200s", 0, 0, "check the taxonomies for updates"},
    {"schedule.cleanup", t::string, "daily 00:00", 0, 0, "purge old jobs and caches (UTC)"},
    {"schedule.download_dataset", t::string, "daily 15:00", 0, 0, "download the product dump when its ETag changed (UTC)"},
    {"schedule.refresh_all", t::string, "daily 19:00", 0, 0, "nightly insight refresh (UTC)"},
    {"schedule.category_matcher", t::string, "daily 19:30", 0, 0, "category matcher over recently changed products (UTC)"},
    {"schedule.spellcheck", t::string, "daily 20:00", 0, 0, "ingredient spellcheck over recently changed products (UTC)"},
};

}  // namespace

const std::vector<setting_spec>& all_settings() { return table; }

const setting_spec* find_setting(std::string_view name) {
    for (const auto& s : table) {
        if (s.name == name) {
            return &s;
        }
    }
    return nullptr;
}

}  // namespace robotoff::core
