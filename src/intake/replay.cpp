#include "robotoff/intake/replay.hpp"

#include "robotoff/core/errors.hpp"
#include "robotoff/intake/store.hpp"

#include <cstdio>
#include <ctime>
#include <ostream>
#include <regex>

namespace robotoff::intake {

namespace {

constexpr int replay_batch = 100;

// The next XRANGE start after `id` ("ms-seq" -> "ms-(seq+1)").
std::string after(const std::string& id) {
    const auto dash = id.find('-');
    return id.substr(0, dash + 1) + std::to_string(std::stoull(id.substr(dash + 1)) + 1);
}

}  // namespace

std::string range_bound(const std::string& text) {
    static const std::regex entry_id(R"(\d{1,20}(-\d{1,20})?)");
    if (std::regex_match(text, entry_id)) {
        return text;
    }
    // YYYY-MM-DD[THH:MM[:SS[.fff]]][Z]
    static const std::regex iso(R"((\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?Z?)");
    std::smatch m;
    if (!std::regex_match(text, m, iso)) {
        throw core::usage_error("'" + text + "' is neither an ISO 8601 UTC time nor a stream entry ID");
    }
    std::tm tm{};
    tm.tm_year = std::stoi(m[1]) - 1900;
    tm.tm_mon = std::stoi(m[2]) - 1;
    tm.tm_mday = std::stoi(m[3]);
    tm.tm_hour = m[4].matched ? std::stoi(m[4]) : 0;
    tm.tm_min = m[5].matched ? std::stoi(m[5]) : 0;
    tm.tm_sec = m[6].matched ? std::stoi(m[6]) : 0;
    if (tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60) {
        throw core::usage_error("'" + text + "' is not a valid time");
    }
    long long ms = static_cast<long long>(timegm(&tm)) * 1000;
    if (m[7].matched) {
        std::string fraction = m[7].str() + "00";
        ms += std::stoll(fraction.substr(0, 3));
    }
    return std::to_string(ms) + "-0";
}

replay_counts replay(const consumer_settings& settings, const replay_options& options, db::pool& pool,
                     std::ostream& out) {
    if (options.since.empty()) {
        throw core::usage_error("--since is required");
    }
    const std::string start = range_bound(options.since);
    const std::string end = options.until.empty() ? "+" : range_bound(options.until);
    std::vector<stream_spec> streams;
    for (const auto& s : settings.streams) {
        if (options.stream == "all" || options.stream == s.name || options.stream == to_string(s.kind)) {
            streams.push_back(s);
        }
    }
    if (streams.empty()) {
        throw core::usage_error("--stream: '" + options.stream + "' is not a configured stream (or all)");
    }
    redis_connection conn(settings.address, settings.connect_timeout, std::chrono::seconds(30));
    replay_counts counts;
    for (const auto& s : streams) {
        // Each stream from its own start (not Robotoff's shared cursor).
        std::string from = start;
        for (;;) {
            auto reply = conn.command({"XRANGE", s.name, from, end, "COUNT", std::to_string(replay_batch)});
            if (reply.elements.empty()) {
                break;
            }
            std::vector<handled_entry> batch;
            for (const auto& item : reply.elements) {
                if (item.elements.size() < 2 || item.elements[1].is_nil()) {
                    continue;
                }
                stream_entry e;
                e.id = item.elements[0].str;
                const auto& fields = item.elements[1].elements;
                for (std::size_t i = 0; i + 1 < fields.size(); i += 2) {
                    e.fields.emplace_back(fields[i].str, fields[i + 1].str);
                }
                ++counts.read;
                auto db = pool.acquire();
                if (!options.force && entry_recorded(*db, s.name, e.id)) {
                    ++counts.skipped;
                    continue;
                }
                handled_entry h{s.name, e.id, plan_entry(s.kind, e, settings.mapping), {}};
                if (h.plan.outcome == outcome::invalid) {
                    h.raw_fields = e.fields_json();
                }
                if (options.dry_run) {
                    out << s.name << " " << e.id << " " << h.plan.outcome;
                    for (const auto& j : h.plan.jobs) {
                        out << "\n  " << j.kind << " " << j.payload << " delay=" << j.delay.count()
                            << "s priority=" << j.priority;
                    }
                    out << "\n";
                    continue;
                }
                batch.push_back(std::move(h));
            }
            if (!batch.empty()) {
                auto db = pool.acquire();
                counts.jobs += record_entries(*db, batch, options.force);
                counts.recorded += static_cast<long long>(batch.size());
            }
            from = after(reply.elements.back().elements[0].str);
            if (static_cast<int>(reply.elements.size()) < replay_batch) {
                break;
            }
        }
    }
    return counts;
}

}  // namespace robotoff::intake
