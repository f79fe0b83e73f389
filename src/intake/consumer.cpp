#include "robotoff/intake/consumer.hpp"

#include "robotoff/core/clock.hpp"
#include "robotoff/core/config.hpp"
#include "robotoff/core/log.hpp"
#include "robotoff/intake/store.hpp"
#include "robotoff/jobs/queue.hpp"

#include <algorithm>
#include <random>

namespace robotoff::intake {

namespace {

using clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr milliseconds first_backoff{1000};
constexpr milliseconds max_backoff{60000};
constexpr int max_claim_calls = 10;  // XAUTOCLAIM calls per stream and claim cycle (intake.md §3.2 step 4)

// The entries of an XREADGROUP/XRANGE/XAUTOCLAIM entry list: [[id, [field, value, ...]], ...]. Entries whose
// fields are nil were trimmed from the stream while pending: their ids go to `trimmed`.
std::vector<stream_entry> parse_entries(const redis_reply& list, std::vector<std::string>& trimmed) {
    std::vector<stream_entry> out;
    for (const auto& item : list.elements) {
        if (item.elements.size() < 2) {
            continue;
        }
        const auto& fields = item.elements[1];
        if (fields.is_nil()) {
            trimmed.push_back(item.elements[0].str);
            continue;
        }
        stream_entry e;
        e.id = item.elements[0].str;
        for (std::size_t i = 0; i + 1 < fields.elements.size(); i += 2) {
            e.fields.emplace_back(fields.elements[i].str, fields.elements[i + 1].str);
        }
        out.push_back(std::move(e));
    }
    return out;
}

bool is_data_error(const db::db_error& e) {
    return e.sqlstate().starts_with("22");  // invalid text, NUL byte, bad JSON: this entry, not the database
}

milliseconds jittered(milliseconds d) {
    thread_local std::mt19937 rng{std::random_device{}()};
    std::uniform_real_distribution<double> factor(0.8, 1.2);
    return milliseconds(static_cast<long long>(static_cast<double>(d.count()) * factor(rng)));
}

}  // namespace

consumer_settings consumer_settings::from_config(const core::config& cfg, const std::string& node_name) {
    consumer_settings s;
    s.address = parse_redis_url(cfg.get_string("redis.url"));
    for (auto [kind, key] : {std::pair{source::product_updates, "redis.streams.product_updates"},
                             std::pair{source::ocr_ready, "redis.streams.ocr_ready"}}) {
        if (!cfg.get_string(key).empty()) {
            s.streams.push_back({kind, cfg.get_string(key)});
        }
    }
    s.group = cfg.get_string("redis.group");
    s.consumer = cfg.get_string("redis.consumer").empty() ? node_name : cfg.get_string("redis.consumer");
    s.start_id = cfg.get_string("redis.start_id");
    s.batch_size = static_cast<int>(cfg.get_int("redis.batch_size"));
    s.block = milliseconds(cfg.get_int("redis.block_ms"));
    s.claim_idle = milliseconds(cfg.get_int("redis.claim_idle_ms"));
    s.claim_interval = std::chrono::seconds(cfg.get_int("redis.claim_interval_s"));
    s.max_deliveries = static_cast<int>(cfg.get_int("redis.max_deliveries"));
    s.connect_timeout = milliseconds(cfg.get_int("redis.connect_timeout_ms"));
    s.health_grace = std::chrono::seconds(cfg.get_int("redis.health_grace_s"));
    s.mapping = mapping_settings::from_config(cfg);
    return s;
}

consumer::consumer(consumer_settings settings, db::pool& pool, core::metrics_registry& metrics,
                   std::function<void()> wake)
    : settings_(std::move(settings)), pool_(pool), metrics_(metrics), wake_(std::move(wake)),
      disconnected_at_(clock::now()), disconnected_since_(core::iso_timestamp(std::chrono::system_clock::now())) {
    using k = core::metrics_registry::kind;
    metrics_.describe("robotoffd_po_events_total", k::counter, "Product Opener events by source and outcome");
    metrics_.describe("robotoffd_po_event_delay_seconds", k::histogram,
                      "time from an event's publication (entry ID) to its committed jobs");
    metrics_.describe("robotoffd_redis_connected", k::gauge, "1 while the stream consumer is connected");
    metrics_.describe("robotoffd_redis_reconnects_total", k::counter, "connections of the stream consumer");
    metrics_.describe("robotoffd_redis_pending_entries", k::gauge, "entries of the group read but not acked");
    metrics_.describe("robotoffd_redis_lag_entries", k::gauge, "entries of the stream not yet read by the group");
    metrics_.describe("robotoffd_redis_claimed_total", k::counter, "entries claimed from other consumers");
    metrics_.describe("robotoffd_redis_last_entry_timestamp_seconds", k::gauge,
                      "publication time of the last handled entry");
    metrics_.set_gauge("robotoffd_redis_connected", {}, 0);
}

consumer::~consumer() {
    stop();
}

void consumer::start() {
    thread_ = std::thread([this] { run(); });
}

void consumer::stop() {
    stopping_ = true;
    {
        std::lock_guard lock(mutex_);
        if (current_ && blocking_) {
            current_->interrupt();  // only a blocked read: a batch being recorded and acked finishes
        }
    }
    stop_cv_.notify_all();
    if (thread_.joinable()) {
        thread_.join();
    }
}

consumer_health consumer::health() const {
    std::lock_guard lock(mutex_);
    const auto now = clock::now();
    const std::string who = "group " + settings_.group + ", consumer " + settings_.consumer;
    if (connected_ && now - last_ok_ < 2 * settings_.block + std::chrono::seconds(5)) {
        return {true, who + ", connected"};
    }
    if (!connected_ && now - disconnected_at_ < settings_.health_grace) {
        return {true, who + ", reconnecting since " + disconnected_since_};
    }
    return {false, who + ", disconnected since " + disconnected_since_ +
                       (last_error_.empty() ? "" : ": " + last_error_)};
}

void consumer::set_connected(bool connected) {
    std::lock_guard lock(mutex_);
    if (connected_ == connected) {
        return;
    }
    connected_ = connected;
    if (connected) {
        last_ok_ = clock::now();
    } else {
        disconnected_at_ = clock::now();
        disconnected_since_ = core::iso_timestamp(std::chrono::system_clock::now());
    }
    metrics_.set_gauge("robotoffd_redis_connected", {}, connected ? 1 : 0);
}

void consumer::sleep_interruptible(milliseconds d) {
    std::unique_lock lock(mutex_);
    stop_cv_.wait_for(lock, d, [this] { return stopping_.load(); });
}

void consumer::run() {
    core::log::info("intake.consumer_started", {{"redis", settings_.address.display()},
                                                {"group", settings_.group},
                                                {"consumer", settings_.consumer},
                                                {"streams", static_cast<long long>(settings_.streams.size())}});
    milliseconds backoff = first_backoff;
    auto last_error_log = clock::time_point::min();
    bool in_outage = false;
    while (!stopping_) {
        std::string error;
        bool database = false;
        try {
            session();
        } catch (const db::db_error& e) {
            error = e.what();
            database = true;
        } catch (const std::exception& e) {
            error = e.what();
        }
        set_connected(false);
        if (stopping_) {
            break;
        }
        {
            std::lock_guard lock(mutex_);
            last_error_ = error;
        }
        // One error line when an outage starts, then one a minute (intake.md §3.6).
        const auto now = clock::now();
        if (!in_outage || now - last_error_log >= std::chrono::minutes(1)) {
            core::log::error(database ? "intake.database_error" : "intake.redis_error",
                             {{"error", error}, {"retry_in_ms", backoff.count()}});
            last_error_log = now;
        }
        in_outage = true;
        sleep_interruptible(jittered(backoff));
        backoff = std::min(backoff * 2, max_backoff);
        if (connected_once_) {
            // A session that got as far as reading ends the outage: the next failure starts a new one.
            connected_once_ = false;
            backoff = first_backoff;
            in_outage = false;
        }
    }
    core::log::info("intake.consumer_stopped", {{"consumer", settings_.consumer}});
}

void consumer::session() {
    redis_connection conn(settings_.address, settings_.connect_timeout, settings_.block + std::chrono::seconds(5));
    struct current_guard {
        consumer& c;
        ~current_guard() {
            std::lock_guard lock(c.mutex_);
            c.current_ = nullptr;
            c.blocking_ = false;
        }
    } guard{*this};
    {
        std::lock_guard lock(mutex_);
        current_ = &conn;
    }
    conn.command({"PING"});
    set_connected(true);
    metrics_.increment("robotoffd_redis_reconnects_total");
    core::log::info("intake.connected", {{"redis", settings_.address.display()}, {"consumer", settings_.consumer}});
    ensure_groups(conn);
    read_own_pending(conn);
    connected_once_ = true;
    next_claim_ = clock::time_point::min();

    std::vector<std::string> read = {"XREADGROUP", "GROUP", settings_.group, settings_.consumer,
                                     "COUNT",      std::to_string(settings_.batch_size),
                                     "BLOCK",      std::to_string(settings_.block.count()),
                                     "STREAMS"};
    for (const auto& s : settings_.streams) {
        read.push_back(s.name);
    }
    for (std::size_t i = 0; i < settings_.streams.size(); ++i) {
        read.emplace_back(">");
    }
    while (!stopping_) {
        if (!wait_for_backpressure()) {
            return;
        }
        if (clock::now() >= next_claim_) {
            claim_abandoned(conn);
            refresh_gauges(conn);
            next_claim_ = clock::now() + settings_.claim_interval;
        }
        {
            std::lock_guard lock(mutex_);
            if (stopping_) {
                return;
            }
            blocking_ = true;
        }
        redis_reply reply;
        try {
            reply = conn.command(read);
        } catch (...) {
            std::lock_guard lock(mutex_);
            blocking_ = false;
            if (stopping_) {
                return;  // interrupted by stop()
            }
            throw;
        }
        {
            std::lock_guard lock(mutex_);
            blocking_ = false;
            last_ok_ = clock::now();
        }
        if (!reply.is_nil()) {
            handle(conn, reply, false);
        }
    }
}

void consumer::ensure_groups(redis_connection& conn) {
    for (const auto& s : settings_.streams) {
        try {
            conn.command({"XGROUP", "CREATE", s.name, settings_.group, settings_.start_id, "MKSTREAM"});
            core::log::info("intake.group_created",
                            {{"stream", s.name}, {"group", settings_.group}, {"start_id", settings_.start_id}});
        } catch (const redis_reply_error& e) {
            if (std::string_view(e.what()).find("BUSYGROUP") == std::string_view::npos) {
                throw;
            }
        }
    }
}

void consumer::read_own_pending(redis_connection& conn) {
    // After a restart: the entries this consumer read but never acked (intake.md §3.2 step 2).
    for (const auto& s : settings_.streams) {
        std::string after = "0";
        while (!stopping_) {
            auto reply = conn.command({"XREADGROUP", "GROUP", settings_.group, settings_.consumer, "COUNT",
                                       std::to_string(settings_.batch_size), "STREAMS", s.name, after});
            if (reply.is_nil() || reply.elements.empty() || reply.elements[0].elements.size() < 2 ||
                reply.elements[0].elements[1].elements.empty()) {
                break;
            }
            after = reply.elements[0].elements[1].elements.back().elements[0].str;
            handle(conn, reply, true);
        }
    }
}

void consumer::claim_abandoned(redis_connection& conn) {
    for (const auto& s : settings_.streams) {
        std::string cursor = "0-0";
        for (int call = 0; call < max_claim_calls && !stopping_; ++call) {
            auto reply = conn.command({"XAUTOCLAIM", s.name, settings_.group, settings_.consumer,
                                       std::to_string(settings_.claim_idle.count()), cursor, "COUNT",
                                       std::to_string(settings_.batch_size)});
            if (reply.elements.size() < 2) {
                break;
            }
            cursor = reply.elements[0].str;
            std::vector<std::string> trimmed;
            auto entries = parse_entries(reply.elements[1], trimmed);
            // Redis 7 also lists the claimed ids that no longer exist (and drops them from the pending list).
            if (reply.elements.size() > 2) {
                for (const auto& id : reply.elements[2].elements) {
                    trimmed.push_back(id.str);
                }
            }
            if (!entries.empty() || !trimmed.empty()) {
                metrics_.increment("robotoffd_redis_claimed_total", {{"stream", s.name}},
                                   static_cast<double>(entries.size() + trimmed.size()));
                core::log::notice("intake.claimed", {{"stream", s.name},
                                                     {"entries", static_cast<long long>(entries.size())},
                                                     {"trimmed", static_cast<long long>(trimmed.size())}});
                handle_entries(conn, s.name, s.kind, entries, trimmed, true);
            }
            if (cursor == "0-0") {
                break;
            }
        }
    }
}

void consumer::refresh_gauges(redis_connection& conn) {
    for (const auto& s : settings_.streams) {
        auto summary = conn.command({"XPENDING", s.name, settings_.group});
        if (!summary.elements.empty()) {
            metrics_.set_gauge("robotoffd_redis_pending_entries", {{"stream", s.name}},
                               static_cast<double>(summary.elements[0].integer));
        }
        // XINFO GROUPS: one flat [name, value, ...] list per group; `lag` exists from Redis 7 on.
        auto groups = conn.command({"XINFO", "GROUPS", s.name});
        for (const auto& g : groups.elements) {
            bool ours = false;
            for (std::size_t i = 0; i + 1 < g.elements.size(); i += 2) {
                if (g.elements[i].str == "name") {
                    ours = g.elements[i + 1].str == settings_.group;
                }
                if (ours && g.elements[i].str == "lag" && g.elements[i + 1].type == redis_reply::kind::integer) {
                    metrics_.set_gauge("robotoffd_redis_lag_entries", {{"stream", s.name}},
                                       static_cast<double>(g.elements[i + 1].integer));
                }
            }
        }
    }
}

bool consumer::wait_for_backpressure() {
    // Reading pauses while the job table is this full; entries wait in Redis (intake.md §3.6).
    auto pending = [this] {
        auto conn = pool_.acquire();
        return jobs::pending_total(*conn);
    };
    // Counted again once a second (other nodes add jobs too) or as soon as our own writes since the last
    // count could have reached the threshold, so one node overshoots it by one batch at most.
    const auto now = clock::now();
    if (now < next_pressure_check_ && pressure_budget_ > 0) {
        return true;
    }
    next_pressure_check_ = now + std::chrono::seconds(1);
    pressure_budget_ = settings_.pause_pending - pending();
    if (pressure_budget_ > 0) {
        return true;
    }
    core::log::warning("intake.paused", {{"pending_jobs_at_least", settings_.pause_pending}});
    while (!stopping_) {
        sleep_interruptible(milliseconds(1000));
        {
            std::lock_guard lock(mutex_);
            last_ok_ = clock::now();  // paused on purpose: still healthy
        }
        if (const long long now_pending = pending(); now_pending < settings_.resume_pending) {
            pressure_budget_ = settings_.pause_pending - now_pending;
            core::log::info("intake.resumed");
            return true;
        }
    }
    return false;
}

void consumer::handle(redis_connection& conn, const redis_reply& streams_reply, bool redelivered) {
    for (const auto& stream : streams_reply.elements) {
        if (stream.elements.size() < 2) {
            continue;
        }
        const std::string& name = stream.elements[0].str;
        auto spec = std::find_if(settings_.streams.begin(), settings_.streams.end(),
                                 [&](const stream_spec& s) { return s.name == name; });
        if (spec == settings_.streams.end()) {
            continue;
        }
        std::vector<std::string> trimmed;
        auto entries = parse_entries(stream.elements[1], trimmed);
        handle_entries(conn, name, spec->kind, entries, trimmed, redelivered);
    }
}

void consumer::handle_entries(redis_connection& conn, const std::string& stream, source kind,
                              std::vector<stream_entry>& entries, std::vector<std::string>& trimmed,
                              bool redelivered) {
    std::vector<handled_entry> batch;
    batch.reserve(entries.size());
    for (const auto& e : entries) {
        handled_entry h{stream, e.id, plan_entry(kind, e, settings_.mapping), {}};
        if (redelivered) {
            // XPENDING S g id id 1 -> [[id, consumer, idle, deliveries]] (intake.md §3.2 step 5).
            auto pending = conn.command({"XPENDING", stream, settings_.group, e.id, e.id, "1"});
            const long long deliveries = !pending.elements.empty() && pending.elements[0].elements.size() >= 4
                                             ? pending.elements[0].elements[3].integer
                                             : 0;
            if (deliveries > settings_.max_deliveries) {
                h.plan = planned_entry{outcome::dead_letter, "delivered " + std::to_string(deliveries) + " times", {}};
                core::log::error("intake.dead_letter",
                                 {{"stream", stream}, {"entry_id", e.id}, {"fields", e.fields_json()}});
            }
        }
        if (h.plan.outcome == outcome::invalid || h.plan.outcome == outcome::dead_letter) {
            h.raw_fields = e.fields_json();
        }
        batch.push_back(std::move(h));
    }
    long long jobs_written = 0;
    if (!batch.empty()) {
        auto db = pool_.acquire();
        try {
            jobs_written = record_entries(*db, batch);
        } catch (const db::db_error& e) {
            if (!is_data_error(e)) {
                throw;  // the database is unwell: nothing is acked, the session restarts with back-off
            }
            // One entry PostgreSQL refuses (a NUL byte, invalid UTF-8): record the others, dead-letter it.
            for (auto& h : batch) {
                std::vector<handled_entry> one{h};
                try {
                    jobs_written += record_entries(*db, one);
                } catch (const db::db_error& single) {
                    if (!is_data_error(single)) {
                        throw;
                    }
                    core::log::error("intake.dead_letter",
                                     {{"stream", stream}, {"entry_id", h.entry_id}, {"error", single.what()}});
                    one = {handled_entry{h.stream, h.entry_id, {outcome::dead_letter, single.what(), {}}, {}}};
                    record_entries(*db, one);
                }
                h = std::move(one.front());
            }
        }
    }
    pressure_budget_ -= jobs_written;
    std::vector<std::string> ack = {"XACK", stream, settings_.group};
    for (const auto& h : batch) {
        ack.push_back(h.entry_id);
    }
    for (const auto& id : trimmed) {
        ack.push_back(id);
    }
    if (ack.size() > 3) {
        conn.command(ack);
    }
    const double now_s = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    for (const auto& h : batch) {
        metrics_.increment("robotoffd_po_events_total", {{"source", stream}, {"outcome", h.plan.outcome}});
        const double published_s = static_cast<double>(entry_id_millis(h.entry_id)) / 1000.0;
        if (h.plan.outcome == outcome::enqueued) {
            metrics_.observe("robotoffd_po_event_delay_seconds", {{"source", stream}}, now_s - published_s);
        } else if (h.plan.outcome == outcome::invalid) {
            core::log::warning("intake.invalid", {{"stream", stream}, {"entry_id", h.entry_id}, {"reason", h.plan.reason}});
        } else if (h.plan.outcome != outcome::dead_letter) {
            core::log::info("intake.skipped", {{"stream", stream},
                                               {"entry_id", h.entry_id},
                                               {"outcome", h.plan.outcome},
                                               {"reason", h.plan.reason}});
        }
        metrics_.set_gauge("robotoffd_redis_last_entry_timestamp_seconds", {{"stream", stream}}, published_s);
    }
    for (std::size_t i = 0; i < trimmed.size(); ++i) {
        metrics_.increment("robotoffd_po_events_total", {{"source", stream}, {"outcome", outcome::trimmed}});
    }
    if (jobs_written > 0 && wake_) {
        wake_();
    }
}

}  // namespace robotoff::intake
