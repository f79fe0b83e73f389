#pragma once
// Serving the hot listings (/insights/random, /insights?order_by=popularity, /questions/random,
// /questions?order_by=popularity) from a pool of rows shared by every caller.
//
// Why: at 10M insights each of these requests costs PostgreSQL ~0.7 ms of CPU (25 rows on 25 random heap
// pages, a capped count), so two cores top out near 3,000 requests/s and queue under 64 concurrent callers.
// The rows do not depend on the caller except for the vote exclusion (api.md §1.4), so a pool per filter is
// read at most once a second (core::shared_cache) and each request only asks PostgreSQL for its caller's
// votes (one index lookup, usually no rows), then picks or pages in memory.
//
// What a caller may see: an insight annotated in the last second (the pool's age) can still be offered;
// the caller's own votes never are. Callers with more than `max_votes_read` votes, pages past the pool and
// counts the pool cannot decide fall back to the direct queries.

#include "robotoff/insights/queries.hpp"

#include <algorithm>
#include <cstddef>
#include <optional>
#include <random>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

namespace robotoff::api::hot_listing {

constexpr int pool_rows = 300;            // rows kept per filter (popularity: the first ones; random: a sample)
constexpr int count_cap = 100;            // the `count` field is capped at 100 (api.md §4.3, §6.2)
constexpr int max_votes_read = 1000;      // votes of one caller read per request
// Matches are counted up to this: beyond it, count_cap matches remain whatever the caller voted on.
constexpr long long match_count_cap = count_cap + max_votes_read;
// Filters (and languages) with a pool at once, per listing: a pool holds up to ~300 KB, and filters come from
// clients, so this bounds each listing's memory to ~80 MB.
constexpr std::size_t max_pools = 256;

template <typename Row>
struct pool {
    std::vector<Row> rows;
    long long matches = 0;  // matches of the filter, counted up to match_count_cap
    bool complete() const { return static_cast<long long>(rows.size()) >= matches; }
};

using voted_ids = std::unordered_set<std::string>;

inline std::mt19937_64& rng() {
    thread_local std::mt19937_64 engine(std::random_device{}());
    return engine;
}

// `count` rows of the pool the caller has not voted on, in random order weighted towards rows with votes
// (sort key random() x (n_votes + 1) descending, api.md §4.3).
template <typename Row>
std::vector<Row> pick_random(const pool<Row>& p, const voted_ids& voted, int count) {
    std::uniform_real_distribution<double> u(0.0, 1.0);
    std::vector<std::pair<double, const Row*>> keyed;
    keyed.reserve(p.rows.size());
    for (const Row& row : p.rows) {
        if (!voted.contains(row.id)) {
            keyed.emplace_back(u(rng()) * (row.n_votes + 1), &row);
        }
    }
    const auto n = std::min<std::size_t>(keyed.size(), static_cast<std::size_t>(std::max(count, 0)));
    std::partial_sort(keyed.begin(), keyed.begin() + static_cast<std::ptrdiff_t>(n), keyed.end(),
                      [](const auto& a, const auto& b) { return a.first > b.first; });
    std::vector<Row> out;
    out.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        out.push_back(*keyed[i].second);
    }
    return out;
}

// Rows [offset, offset + count) of the pool without the caller's votes, in pool order; false when the page
// reaches past the pool while more matches exist (the caller then queries directly).
template <typename Row>
bool page_of(const pool<Row>& p, const voted_ids& voted, long long offset, int count, std::vector<Row>& out) {
    long long position = 0;
    for (const Row& row : p.rows) {
        if (voted.contains(row.id)) {
            continue;
        }
        if (position >= offset + count) {
            return true;
        }
        if (position >= offset) {
            out.push_back(row);
        }
        ++position;
    }
    return p.complete();
}

// The capped `count` field without the caller's votes, when the pool can tell it: all matches are in the
// pool, or there are so many that the caller's votes cannot bring them under the cap.
template <typename Row>
bool capped_count(const pool<Row>& p, const voted_ids& voted, long long& count) {
    if (p.complete()) {
        long long left = 0;
        for (const Row& row : p.rows) {
            left += voted.contains(row.id) ? 0 : 1;
        }
        count = std::min<long long>(left, count_cap);
        return true;
    }
    if (p.matches - static_cast<long long>(voted.size()) >= count_cap) {
        count = count_cap;
        return true;
    }
    return false;
}

// The caller's votes (one indexed query); nullopt when there are more than max_votes_read of them.
inline std::optional<voted_ids> caller_votes(db::connection& conn, const std::optional<std::string>& username,
                                             const std::string& device_id) {
    auto ids = insights::voted_insight_ids(conn, username, device_id, max_votes_read + 1);
    if (ids.size() > static_cast<std::size_t>(max_votes_read)) {
        return std::nullopt;
    }
    return voted_ids(std::make_move_iterator(ids.begin()), std::make_move_iterator(ids.end()));
}

// A cache key from filter values: each text length-prefixed, so that no value can imitate another field.
class key_builder {
public:
    key_builder& text(std::string_view value) {
        key_ += std::to_string(value.size());
        key_ += ':';
        key_ += value;
        return *this;
    }
    key_builder& optional(const std::optional<std::string>& value) {
        return value ? text("v").text(*value) : text("-");
    }
    key_builder& list(const std::vector<std::string>& items) {
        text(std::to_string(items.size()));
        for (const auto& item : items) {
            text(item);
        }
        return *this;
    }
    const std::string& str() const { return key_; }

private:
    std::string key_;
};

}  // namespace robotoff::api::hot_listing
