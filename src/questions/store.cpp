#include "robotoff/questions/store.hpp"

#include "robotoff/core/json.hpp"

#include <algorithm>
#include <random>

namespace robotoff::questions {
namespace {

constexpr const char* row_columns =
    "i.id::text AS id, i.barcode, i.type, i.server_type, i.value_tag, i.value, i.source_image, i.predictor, "
    "i.data::text AS data, i.n_votes";
constexpr const char* outer_columns =
    "q.id, q.barcode, q.type, q.server_type, q.value_tag, q.value, q.source_image, q.predictor, q.data, q.n_votes";

// A WHERE clause under construction: fragments joined with AND, values as $n parameters.
class where_builder {
public:
    void add(const std::string& fragment) { clauses_.push_back(fragment); }
    std::string bind(db::param value) {
        values_.push_back(std::move(value));
        return "$" + std::to_string(values_.size());
    }
    // A text[] parameter: the planner sees the values (selectivity of ?| and = ANY from the statistics),
    // which a sub-select would hide until execution.
    std::string text_array(const std::vector<std::string>& items) { return bind(db::array_literal(items)) + "::text[]"; }
    // The clauses joined, plus `extra` (not kept).
    std::string sql(const std::string& extra = {}) const {
        std::string out;
        for (std::size_t i = 0; i < clauses_.size(); ++i) {
            out += i == 0 ? " WHERE " : " AND ";
            out += clauses_[i];
        }
        if (!extra.empty()) {
            out += clauses_.empty() ? " WHERE " : " AND ";
            out += extra;
        }
        return out;
    }
    db::params& values() { return values_; }

private:
    std::vector<std::string> clauses_;
    db::params values_;
};

void add_voter_exclusion(where_builder& w, const voter& who) {
    if (who.username) {
        w.add("NOT EXISTS (SELECT 1 FROM annotation_vote v WHERE v.insight_id = i.id AND v.username = " +
              w.bind(*who.username) + ")");
    } else {
        w.add("NOT EXISTS (SELECT 1 FROM annotation_vote v WHERE v.insight_id = i.id AND v.device_id = " +
              w.bind(who.device_id) + ")");
    }
}

// Everything but the type, which the callers add per branch or as a list.
where_builder common_where(const question_filter& f) {
    where_builder w;
    w.add("i.annotation IS NULL");
    w.add("i.automatic_processing = false");
    w.add("i.server_type = " + w.bind(std::string(core::to_string(f.server_type))));
    if (f.value_tag) {
        w.add("i.value_tag = " + w.bind(*f.value_tag));
    }
    if (f.predictor) {
        w.add("i.predictor = " + w.bind(*f.predictor));
    }
    if (!f.brands.empty()) {
        w.add("i.brands ?| " + w.text_array(f.brands));
    }
    if (!f.countries.empty()) {
        w.add("i.countries ?| " + w.text_array(f.countries));
    }
    if (!f.campaigns.empty()) {
        w.add("i.campaign @> " + w.bind(core::json_string_array(f.campaigns)) + "::jsonb");
    }
    if (!f.include_reserved) {
        w.add("i.reserved_barcode = false");
    }
    if (f.with_image) {
        w.add("i.with_image = " + w.bind(*f.with_image) + "::boolean");
    }
    if (f.exclude_voted) {
        add_voter_exclusion(w, *f.exclude_voted);
    }
    return w;
}

insight_row row_at(const db::result& r, int i) {
    insight_row row;
    row.id = r.get_string(i, 0);
    row.barcode = r.get_string(i, 1);
    row.type = r.get_string(i, 2);
    row.server_type = core::parse_server_type(r.get_view(i, 3)).value_or(core::server_type::off);
    row.value_tag = r.get_optional(i, 4);
    row.value = r.get_optional(i, 5);
    row.source_image = r.get_optional(i, 6);
    row.predictor = r.get_optional(i, 7);
    row.data = r.get_string(i, 8);
    row.n_votes = static_cast<int>(r.get_int(i, 9));
    return row;
}

std::vector<insight_row> rows_of(const db::result& r) {
    std::vector<insight_row> out;
    out.reserve(static_cast<std::size_t>(r.rows()));
    for (int i = 0; i < r.rows(); ++i) {
        out.push_back(row_at(r, i));
    }
    return out;
}

std::mt19937_64& rng() {
    thread_local std::mt19937_64 engine(std::random_device{}());
    return engine;
}

// Rows of the filter ordered by `key`, at most `limit`, as "(...)" selecting row_columns + sort_key. Usually one
// LIMITed walk of the (server_type, type, key) index per type merged with UNION ALL. With a selective filter
// (brands, value_tag) one statement instead, whose plan the planner picks from the values (the filter's own
// index, then a small sort): walking the whole popularity or random index for a rare brand reads most of it.
std::string ordered_rows(where_builder& w, const question_filter& f, const std::string& key, bool descending,
                         const std::string& extra, const std::string& limit) {
    const std::string order = " ORDER BY " + key + (descending ? " DESC" : "") + " LIMIT " + limit + ")";
    const std::string select =
        std::string("(SELECT ") + row_columns + ", " + key + " AS sort_key FROM product_insight i";
    const std::string and_extra = extra.empty() ? "" : " AND " + extra;
    if (!f.brands.empty() || f.value_tag) {
        return select + w.sql("i.type = ANY(" + w.text_array(f.types) + ")" + and_extra) + order;
    }
    std::string branches;
    for (std::size_t t = 0; t < f.types.size(); ++t) {
        branches += t > 0 ? " UNION ALL " : "";
        branches += select + w.sql("i.type = " + w.bind(f.types[t]) + and_extra) + order;
    }
    return branches;
}

std::vector<insight_row> by_popularity_query(db::connection& conn, const question_filter& f, int count,
                                             long long offset) {
    auto w = common_where(f);
    const std::string limit = w.bind(static_cast<long long>(count) + offset) + "::bigint";
    std::string sql = std::string("SELECT ") + outer_columns + " FROM (" +
                      ordered_rows(w, f, "i.unique_scans_n", true, {}, limit) +
                      ") q ORDER BY q.sort_key DESC, q.id LIMIT " + w.bind(count) + "::integer OFFSET " +
                      w.bind(offset) + "::bigint";
    return rows_of(conn.exec(sql, w.values()));
}

std::vector<insight_row> by_confidence(db::connection& conn, const question_filter& f, int count, long long offset) {
    auto w = common_where(f);
    w.add("i.type = ANY(" + w.text_array(f.types) + ")");
    std::string sql = std::string("SELECT ") + row_columns + " FROM product_insight i" + w.sql() +
                      " ORDER BY i.confidence DESC NULLS LAST, i.id LIMIT " + w.bind(count) + "::integer OFFSET " +
                      w.bind(offset) + "::bigint";
    return rows_of(conn.exec(sql, w.values()));
}

// Samples rows after a random point of random_key (wrapping around), then orders them by
// random() x (n_votes + 1) descending. Oversampling lets voted insights win places over unvoted ones.
std::vector<insight_row> by_random(db::connection& conn, const question_filter& f, int count) {
    const int sample = std::min(count * 3, 300);
    const double start = std::uniform_real_distribution<double>(0.0, 1.0)(rng());
    std::vector<insight_row> rows;
    for (int pass = 0; pass < 2 && static_cast<int>(rows.size()) < sample; ++pass) {
        auto w = common_where(f);
        const std::string window = std::string("i.random_key ") + (pass == 0 ? ">= " : "< ") + w.bind(start) +
                                   "::double precision";
        const std::string limit = w.bind(sample - static_cast<int>(rows.size())) + "::integer";
        std::string sql = std::string("SELECT ") + outer_columns + " FROM (" +
                          ordered_rows(w, f, "i.random_key", false, window, limit) + ") q ORDER BY q.sort_key LIMIT " +
                          limit;
        for (auto& row : rows_of(conn.exec(sql, w.values()))) {
            rows.push_back(std::move(row));
        }
    }
    std::uniform_real_distribution<double> u(0.0, 1.0);
    std::vector<std::pair<double, std::size_t>> keys;
    keys.reserve(rows.size());
    for (std::size_t i = 0; i < rows.size(); ++i) {
        keys.emplace_back(u(rng()) * (rows[i].n_votes + 1), i);
    }
    std::sort(keys.begin(), keys.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    std::vector<insight_row> out;
    for (std::size_t k = 0; k < keys.size() && static_cast<int>(out.size()) < count; ++k) {
        out.push_back(std::move(rows[keys[k].second]));
    }
    return out;
}

}  // namespace

std::vector<insight_row> list_questions(db::connection& conn, const question_filter& filter, question_order order,
                                        int count, long long offset) {
    if (filter.types.empty() || count <= 0) {
        return {};
    }
    switch (order) {
        case question_order::random: return by_random(conn, filter, count);
        case question_order::confidence: return by_confidence(conn, filter, count, offset);
        case question_order::popularity: break;
    }
    return by_popularity_query(conn, filter, count, offset);
}

long long count_questions(db::connection& conn, const question_filter& filter, long long cap) {
    if (filter.types.empty()) {
        return 0;
    }
    auto w = common_where(filter);
    w.add("i.type = ANY(" + w.text_array(filter.types) + ")");
    std::string sql = "SELECT count(*) FROM (SELECT 1 FROM product_insight i" + w.sql() + " LIMIT " +
                      w.bind(cap) + "::bigint) capped";
    return conn.exec(sql, w.values()).get_int(0, 0);
}

std::vector<insight_row> product_questions(db::connection& conn, core::server_type server_type,
                                           const std::string& barcode, const std::vector<std::string>& types,
                                           const voter& who, int count) {
    if (types.empty() || count <= 0) {
        return {};
    }
    where_builder w;
    w.add("i.server_type = " + w.bind(std::string(core::to_string(server_type))));
    w.add("i.barcode = " + w.bind(barcode));
    w.add("i.annotation IS NULL");
    w.add("i.automatic_processing = false");
    w.add("i.type = ANY(" + w.text_array(types) + ")");
    add_voter_exclusion(w, who);
    std::string sql = std::string("SELECT ") + row_columns + " FROM product_insight i" + w.sql() +
                      " ORDER BY i.n_votes DESC, i.timestamp DESC, i.id LIMIT " + w.bind(count) + "::integer";
    auto rows = rows_of(conn.exec(sql, w.values()));
    std::stable_sort(rows.begin(), rows.end(), [](const insight_row& a, const insight_row& b) {
        return type_priority(a.type) < type_priority(b.type);
    });
    return rows;
}

unanswered_page unanswered_questions(db::connection& conn, const unanswered_filter& f, int count, long long offset) {
    where_builder w;
    w.add("i.annotation IS NULL");
    w.add("i.automatic_processing = false");
    w.add("i.server_type = " + w.bind(std::string(core::to_string(f.server_type))));
    if (f.type) {
        w.add("i.type = " + w.bind(*f.type));
    }
    if (!f.countries.empty()) {
        w.add("i.countries ?| " + w.text_array(f.countries));
    }
    if (!f.campaigns.empty()) {
        w.add("i.campaign @> " + w.bind(core::json_string_array(f.campaigns)) + "::jsonb");
    }
    if (f.predictor) {
        w.add("i.predictor = " + w.bind(*f.predictor));
    }
    if (!f.include_reserved) {
        w.add("i.reserved_barcode = false");
    }
    unanswered_page page;
    const auto filter_values = w.values();
    page.total = conn.exec("SELECT count(*) FROM product_insight i" + w.sql(), filter_values).get_int(0, 0);
    if (page.total == 0) {
        return page;
    }
    std::string sql = "SELECT i.value_tag, count(*) AS n FROM product_insight i" + w.sql() +
                      " GROUP BY i.value_tag ORDER BY n DESC, i.value_tag NULLS LAST LIMIT " + w.bind(count) +
                      "::integer OFFSET " + w.bind(offset) + "::bigint";
    auto r = conn.exec(sql, w.values());
    for (int i = 0; i < r.rows(); ++i) {
        page.groups.emplace_back(r.get_optional(i, 0), r.get_int(i, 1));
    }
    return page;
}

std::map<std::string, product_info> load_products(db::connection& conn, core::server_type server_type,
                                                  const std::vector<std::string>& barcodes) {
    std::map<std::string, product_info> out;
    if (barcodes.empty()) {
        return out;
    }
    auto r = conn.exec(
        "SELECT barcode, product_name, COALESCE(lang, ''), COALESCE(record->'images', '{}'::jsonb)::text "
        "FROM product WHERE server_type = $1 AND barcode = ANY($2::text[])",
        {std::string(core::to_string(server_type)), db::array_literal(barcodes)});
    for (int i = 0; i < r.rows(); ++i) {
        product_info p;
        p.product_name = r.get_optional(i, 1);
        p.lang = r.get_string(i, 2);
        p.images_json = r.get_string(i, 3);
        out.emplace(r.get_string(i, 0), std::move(p));
    }
    return out;
}

long long user_annotation_count(db::connection& conn, const std::string& username) {
    return conn.exec("SELECT count(*) FROM product_insight WHERE username = $1", {username}).get_int(0, 0);
}

}  // namespace robotoff::questions
