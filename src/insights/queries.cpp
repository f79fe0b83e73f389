#include "robotoff/insights/queries.hpp"

#include "robotoff/core/json.hpp"
#include "robotoff/insights/store.hpp"

#include <algorithm>
#include <random>
#include <unordered_map>

namespace robotoff::insights {
namespace {

// A WHERE clause under construction: fragments joined with AND, values as $n parameters.
class where_builder {
public:
    std::string next() { return "$" + std::to_string(values_.size() + 1); }
    void add(const std::string& fragment) { clauses_.push_back(fragment); }
    std::string bind(db::param value) {
        values_.push_back(std::move(value));
        return "$" + std::to_string(values_.size());
    }
    std::string sql() const {
        std::string out;
        for (std::size_t i = 0; i < clauses_.size(); ++i) {
            out += i == 0 ? " WHERE " : " AND ";
            out += clauses_[i];
        }
        return out;
    }
    db::params& values() { return values_; }

private:
    std::vector<std::string> clauses_;
    db::params values_;
};

// Lists are text[] parameters, not jsonb expanded in SQL: the planner then sees the values and their
// selectivity (with an opaque list it guessed `countries ?| ...` rare and scanned the whole GIN index).
where_builder insight_where(const insight_filter& f) {
    where_builder w;
    w.add("i.server_type = " + w.bind(std::string(core::to_string(f.server_type))));
    if (f.types.size() == 1) {
        w.add("i.type = " + w.bind(f.types.front()));
    } else if (!f.types.empty()) {
        w.add("i.type = ANY(" + w.bind(db::array_literal(f.types)) + "::text[])");
    }
    if (f.barcode) {
        w.add("i.barcode = " + w.bind(*f.barcode));
    }
    if (f.value_tag) {
        w.add("i.value_tag = " + w.bind(*f.value_tag));
    }
    if (f.predictor) {
        w.add("i.predictor = " + w.bind(*f.predictor));
    }
    if (f.annotated) {
        w.add(*f.annotated ? "i.annotation IS NOT NULL" : "i.annotation IS NULL");
    }
    if (f.annotation) {
        w.add("i.annotation = " + w.bind(*f.annotation) + "::integer");
    }
    if (!f.brands.empty()) {
        w.add("i.brands ?| " + w.bind(db::array_literal(f.brands)) + "::text[]");
    }
    if (!f.countries.empty()) {
        w.add("i.countries ?| " + w.bind(db::array_literal(f.countries)) + "::text[]");
    }
    if (!f.campaigns.empty()) {
        w.add("i.campaign @> " + w.bind(core::json_string_array(f.campaigns)) + "::jsonb");
    }
    if (!f.lc.empty()) {
        w.add("i.lc && " + w.bind(db::array_literal(f.lc)) + "::varchar[]");
    }
    if (f.voter_username) {
        w.add("NOT EXISTS (SELECT 1 FROM annotation_vote v WHERE v.insight_id = i.id AND v.username = " +
              w.bind(*f.voter_username) + ")");
    } else if (f.voter_device_id) {
        w.add("NOT EXISTS (SELECT 1 FROM annotation_vote v WHERE v.insight_id = i.id AND v.device_id = " +
              w.bind(*f.voter_device_id) + ")");
    }
    return w;
}

std::vector<insight> rows(const db::result& r) {
    std::vector<insight> out;
    out.reserve(static_cast<std::size_t>(r.rows()));
    for (int i = 0; i < r.rows(); ++i) {
        out.push_back(insight_from_row(r, i));
    }
    return out;
}

std::string select_insights() { return std::string("SELECT ") + insight_columns + " FROM product_insight i"; }

std::mt19937_64& rng() {
    thread_local std::mt19937_64 engine(std::random_device{}());
    return engine;
}

// random() x (n_votes + 1) descending, over the sampled rows.
void weighted_shuffle(std::vector<insight>& items) {
    std::uniform_real_distribution<double> u(0.0, 1.0);
    std::vector<std::pair<double, std::size_t>> keys;
    for (std::size_t i = 0; i < items.size(); ++i) {
        keys.emplace_back(u(rng()) * (items[i].n_votes + 1), i);
    }
    std::sort(keys.begin(), keys.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    std::vector<insight> out;
    out.reserve(items.size());
    for (const auto& k : keys) {
        out.push_back(std::move(items[k.second]));
    }
    items = std::move(out);
}

}  // namespace

std::vector<insight> list_insights(db::connection& conn, const insight_filter& filter, int count, long long offset,
                                   insight_order order) {
    if (order == insight_order::random) {
        return random_insights(conn, filter, count);
    }
    auto w = insight_where(filter);
    std::string sql = select_insights() + w.sql();
    sql += order == insight_order::popularity ? " ORDER BY i.unique_scans_n DESC" : " ORDER BY i.timestamp DESC, i.id";
    sql += " LIMIT " + w.bind(count) + "::integer OFFSET " + w.bind(offset) + "::bigint";
    return rows(conn.exec_prepared(sql, w.values()));
}

long long count_insights(db::connection& conn, const insight_filter& filter, long long cap) {
    auto w = insight_where(filter);
    std::string sql;
    if (cap > 0) {
        sql = "SELECT count(*) FROM (SELECT 1 FROM product_insight i" + w.sql() + " LIMIT " + w.bind(cap) +
              "::bigint) capped";
    } else {
        sql = "SELECT count(*) FROM product_insight i" + w.sql();
    }
    return conn.exec_prepared(sql, w.values()).get_int(0, 0);
}

std::vector<insight> random_insights(db::connection& conn, const insight_filter& filter, int count) {
    std::uniform_real_distribution<double> u(0.0, 1.0);
    double start = u(rng());
    std::vector<insight> out;
    for (int pass = 0; pass < 2 && static_cast<int>(out.size()) < count; ++pass) {
        auto w = insight_where(filter);
        w.add(std::string("i.random_key ") + (pass == 0 ? ">= " : "< ") + w.bind(start) + "::double precision");
        std::string sql = select_insights() + w.sql() + " ORDER BY i.random_key LIMIT " +
                          w.bind(count - static_cast<int>(out.size())) + "::integer";
        // Planned per request on purpose: a cached generic plan cannot see the start key and switches to a
        // bitmap scan + sort of every match (measured 65 ms instead of 0.3 ms after 5 executions).
        auto part = rows(conn.exec(sql, w.values()));
        for (auto& x : part) {
            out.push_back(std::move(x));
        }
    }
    weighted_shuffle(out);
    return out;
}

std::vector<std::string> voted_insight_ids(db::connection& conn, const std::optional<std::string>& username,
                                           const std::string& device_id, int limit) {
    auto r = username ? conn.exec_prepared("SELECT insight_id::text FROM annotation_vote WHERE username = $1 LIMIT $2",
                                           {*username, limit})
                      : conn.exec_prepared("SELECT insight_id::text FROM annotation_vote WHERE device_id = $1 LIMIT $2",
                                           {device_id, limit});
    std::vector<std::string> ids;
    ids.reserve(static_cast<std::size_t>(r.rows()));
    for (int i = 0; i < r.rows(); ++i) {
        ids.push_back(r.get_string(i, 0));
    }
    return ids;
}

std::unordered_map<std::string, std::vector<insight>> products_open_insights(db::connection& conn,
                                                                         core::server_type type,
                                                                         const std::vector<std::string>& barcodes) {
    const std::string sql = select_insights() +
                            " WHERE i.server_type = $1 AND i.barcode = ANY($2::text[]) AND i.annotation IS NULL"
                            " ORDER BY i.barcode, i.type, i.timestamp DESC";
    auto r = conn.exec_prepared(sql, {std::string(core::to_string(type)), db::array_literal(barcodes)});
    std::unordered_map<std::string, std::vector<insight>> by_barcode;
    for (int i = 0; i < r.rows(); ++i) {
        by_barcode[r.get_string(i, 1)].push_back(insight_from_row(r, i));
    }
    return by_barcode;
}

namespace {

where_builder prediction_where(const prediction_filter& f) {
    where_builder w;
    w.add("server_type = " + w.bind(std::string(core::to_string(f.server_type))));
    if (f.barcode) {
        w.add("barcode = " + w.bind(*f.barcode));
    }
    if (f.value_tag) {
        w.add("value_tag = " + w.bind(*f.value_tag));
    }
    if (!f.types.empty()) {
        w.add("type = ANY(" + w.bind(db::array_literal(f.types)) + "::text[])");
    }
    return w;
}

}  // namespace

std::vector<prediction> list_predictions(db::connection& conn, const prediction_filter& filter, int count,
                                         long long offset) {
    auto w = prediction_where(filter);
    std::string sql = std::string("SELECT ") + prediction_columns + " FROM prediction" + w.sql() +
                      " ORDER BY id DESC LIMIT " + w.bind(count) + "::integer OFFSET " + w.bind(offset) + "::bigint";
    auto r = conn.exec_prepared(sql, w.values());
    std::vector<prediction> out;
    for (int i = 0; i < r.rows(); ++i) {
        out.push_back(prediction_from_row(r, i));
    }
    return out;
}

long long count_predictions(db::connection& conn, const prediction_filter& filter) {
    auto w = prediction_where(filter);
    return conn.exec_prepared("SELECT count(*) FROM prediction" + w.sql(), w.values()).get_int(0, 0);
}

long long user_annotation_count(db::connection& conn, const std::string& username) {
    return conn.exec_prepared("SELECT count(*) FROM product_insight WHERE username = $1", {username}).get_int(0, 0);
}

}  // namespace robotoff::insights
