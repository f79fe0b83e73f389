#include "robotoff/insights/store.hpp"

#include "robotoff/core/json.hpp"

#include <algorithm>
#include <map>
#include <tuple>

namespace robotoff::insights {

const char* const insight_columns =
    "id::text, barcode, type, data::text, to_char(timestamp, 'YYYY-MM-DD\"T\"HH24:MI:SS.US'), "
    "to_char(completed_at, 'YYYY-MM-DD\"T\"HH24:MI:SS.US'), annotation, annotated_result, n_votes, username, "
    "countries::text, brands::text, to_char(process_after, 'YYYY-MM-DD\"T\"HH24:MI:SS.US'), value_tag, value, "
    "source_image, automatic_processing, server_type, unique_scans_n, reserved_barcode, predictor, "
    "predictor_version, campaign::text, confidence, bounding_box::text, array_to_json(lc)::text, with_image";

const char* const prediction_columns =
    "id, barcode, type, data::text, to_char(timestamp, 'YYYY-MM-DD\"T\"HH24:MI:SS.US'), value_tag, value, "
    "source_image, automatic_processing, predictor, predictor_version, confidence, server_type";

namespace {

// A jsonb array of strings as PostgreSQL prints it (["a", "b"]). Without a backslash no string can hold an
// escaped quote, so the quotes alone delimit the items: no JSON parser (this runs for 4 columns of every row
// every API answer reads). Anything else goes through the parser.
std::optional<std::vector<std::string>> plain_string_list(std::string_view json) {
    if (json.size() < 2 || json.front() != '[' || json.back() != ']' || json.find('\\') != std::string_view::npos) {
        return std::nullopt;
    }
    std::vector<std::string> out;
    std::size_t at = 1;
    for (;;) {
        const auto open = json.find('"', at);
        if (open == std::string_view::npos) {
            break;
        }
        // Between items only ", " may appear.
        if (json.find_first_not_of(out.empty() ? " " : ", ", at) != open) {
            return std::nullopt;
        }
        const auto close = json.find('"', open + 1);
        if (close == std::string_view::npos) {
            return std::nullopt;
        }
        out.emplace_back(json.substr(open + 1, close - open - 1));
        at = close + 1;
    }
    if (json.find_first_not_of(' ', at) != json.size() - 1) {
        return std::nullopt;
    }
    return out;
}

std::vector<std::string> string_list(std::string_view json) {
    if (auto plain = plain_string_list(json)) {
        return std::move(*plain);
    }
    std::vector<std::string> out;
    auto doc = core::try_parse_json(json);
    if (doc && doc->IsArray()) {
        for (const auto& v : doc->GetArray()) {
            if (v.IsString()) {
                out.emplace_back(v.GetString(), v.GetStringLength());
            }
        }
    }
    return out;
}

core::server_type server_type_of(std::string_view s) {
    return core::parse_server_type(s).value_or(core::server_type::off);
}

std::string st(core::server_type t) { return std::string(core::to_string(t)); }

std::optional<int> opt_int(const db::result& r, int row, int col) {
    auto v = r.get_optional_int(row, col);
    return v ? std::optional<int>(static_cast<int>(*v)) : std::nullopt;
}

constexpr const char* upsert_prediction_sql = R"SQL(
INSERT INTO prediction (barcode, type, data, timestamp, value_tag, value, source_image, automatic_processing,
                        predictor, predictor_version, confidence, server_type)
VALUES ($1, $2, $3::jsonb, (now() AT TIME ZONE 'utc'), $4, $5, $6, $7::boolean, $8, $9, $10::double precision, $11)
ON CONFLICT (server_type, barcode, type, source_image, value_tag, value, predictor, automatic_processing)
DO UPDATE SET data = EXCLUDED.data, confidence = EXCLUDED.confidence, predictor_version = EXCLUDED.predictor_version
WHERE prediction.data IS DISTINCT FROM EXCLUDED.data OR prediction.confidence IS DISTINCT FROM EXCLUDED.confidence
   OR prediction.predictor_version IS DISTINCT FROM EXCLUDED.predictor_version
RETURNING (xmax = 0) AS inserted
)SQL";

constexpr const char* delete_other_versions_sql = R"SQL(
DELETE FROM prediction WHERE server_type = $1 AND barcode = $2 AND type = $3
  AND source_image IS NOT DISTINCT FROM $4 AND predictor_version IS DISTINCT FROM $5
)SQL";

using identity = std::tuple<std::string, std::optional<std::string>, std::optional<std::string>,
                            std::optional<std::string>, std::optional<std::string>, std::optional<bool>>;

identity identity_of(const prediction& p) {
    return {p.type, p.source_image, p.value_tag, p.value, p.predictor, p.automatic_processing};
}

std::vector<prediction> first_of_each_tuple(const std::vector<prediction>& predictions) {
    std::vector<prediction> out;
    std::vector<identity> seen;
    for (const auto& p : predictions) {
        identity id = identity_of(p);
        if (std::find(seen.begin(), seen.end(), id) != seen.end()) {
            continue;
        }
        seen.push_back(id);
        out.push_back(p);
    }
    return out;
}

void upsert_all(db::connection& conn, core::server_type type, const std::string& barcode,
                const std::vector<prediction>& predictions, prediction_changes& changes) {
    for (const auto& p : predictions) {
        auto r = conn.exec(upsert_prediction_sql,
                           {barcode, p.type, p.data, p.value_tag, p.value, p.source_image, p.automatic_processing,
                            p.predictor, p.predictor_version, p.confidence, st(type)});
        if (r.rows() == 0) {
            continue;
        }
        if (r.get_bool(0, 0)) {
            ++changes.inserted;
        } else {
            ++changes.updated;
        }
        changes.types.insert(p.type);
    }
}

}  // namespace

insight insight_from_row(const db::result& r, int i) {
    insight x;
    x.id = r.get_string(i, 0);
    x.barcode = r.get_string(i, 1);
    x.type = r.get_string(i, 2);
    x.data = r.get_string(i, 3);
    x.timestamp = r.get_string(i, 4);
    x.completed_at = r.get_optional(i, 5);
    x.annotation = opt_int(r, i, 6);
    x.annotated_result = opt_int(r, i, 7);
    x.n_votes = static_cast<int>(r.get_int(i, 8));
    x.username = r.get_optional(i, 9);
    x.countries = string_list(r.get_view(i, 10));
    x.brands = string_list(r.get_view(i, 11));
    x.process_after = r.get_optional(i, 12);
    x.value_tag = r.get_optional(i, 13);
    x.value = r.get_optional(i, 14);
    x.source_image = r.get_optional(i, 15);
    x.automatic_processing = r.get_bool(i, 16);
    x.server_type = server_type_of(r.get_view(i, 17));
    x.unique_scans_n = r.get_int(i, 18);
    x.reserved_barcode = r.get_bool(i, 19);
    x.predictor = r.get_optional(i, 20);
    x.predictor_version = r.get_optional(i, 21);
    x.campaign = string_list(r.get_view(i, 22));
    if (!r.is_null(i, 23)) {
        x.confidence = r.get_double(i, 23);
    }
    x.bounding_box = r.get_optional(i, 24);
    if (!r.is_null(i, 25)) {
        x.lc = string_list(r.get_view(i, 25));
    }
    if (!r.is_null(i, 26)) {
        x.with_image = r.get_bool(i, 26);
    }
    return x;
}

prediction prediction_from_row(const db::result& r, int i) {
    prediction p;
    p.id = r.get_int(i, 0);
    p.barcode = r.get_string(i, 1);
    p.type = r.get_string(i, 2);
    p.data = r.get_string(i, 3);
    p.timestamp = r.get_string(i, 4);
    p.value_tag = r.get_optional(i, 5);
    p.value = r.get_optional(i, 6);
    p.source_image = r.get_optional(i, 7);
    if (!r.is_null(i, 8)) {
        p.automatic_processing = r.get_bool(i, 8);
    }
    p.predictor = r.get_optional(i, 9);
    p.predictor_version = r.get_optional(i, 10);
    if (!r.is_null(i, 11)) {
        p.confidence = r.get_double(i, 11);
    }
    p.server_type = server_type_of(r.get_view(i, 12));
    return p;
}

prediction_changes store_predictions_additive(db::connection& conn, core::server_type type, const std::string& barcode,
                                              const std::vector<prediction>& predictions) {
    prediction_changes changes;
    auto unique = first_of_each_tuple(predictions);
    // One delete per (type, source_image) group: rows of another predictor_version go.
    std::map<std::pair<std::string, std::optional<std::string>>, std::optional<std::string>> groups;
    for (const auto& p : unique) {
        groups.emplace(std::make_pair(p.type, p.source_image), p.predictor_version);
    }
    for (const auto& [key, version] : groups) {
        auto r = conn.exec(delete_other_versions_sql, {st(type), barcode, key.first, key.second, version});
        if (r.affected() > 0) {
            changes.deleted += static_cast<int>(r.affected());
            changes.types.insert(key.first);
        }
    }
    upsert_all(conn, type, barcode, unique, changes);
    return changes;
}

prediction_changes store_predictions_scoped(db::connection& conn, core::server_type type, const std::string& barcode,
                                            const prediction_scope& scope, const std::vector<prediction>& predictions) {
    prediction_changes changes;
    auto unique = first_of_each_tuple(predictions);
    std::string types_json = core::json_string_array(scope.types);
    auto stored = conn.exec(
        "SELECT id, type, source_image, value_tag, value, predictor, automatic_processing FROM prediction "
        "WHERE server_type = $1 AND barcode = $2 AND type IN (SELECT jsonb_array_elements_text($3::jsonb)) "
        "AND ($4::boolean = false OR source_image IS NOT DISTINCT FROM $5) "
        "AND ($6::text IS NULL OR predictor = $6) "
        "AND ($7::boolean = false OR data->>'source' = 'product_name')",
        {st(type), barcode, types_json, scope.match_source_image, scope.source_image, scope.predictor,
         scope.product_name_source});
    std::vector<identity> wanted;
    for (const auto& p : unique) {
        wanted.push_back(identity_of(p));
    }
    for (int i = 0; i < stored.rows(); ++i) {
        std::optional<bool> automatic;
        if (!stored.is_null(i, 6)) {
            automatic = stored.get_bool(i, 6);
        }
        identity id{stored.get_string(i, 1), stored.get_optional(i, 2), stored.get_optional(i, 3),
                    stored.get_optional(i, 4), stored.get_optional(i, 5), automatic};
        if (std::find(wanted.begin(), wanted.end(), id) == wanted.end()) {
            conn.exec("DELETE FROM prediction WHERE id = $1", {stored.get_int(i, 0)});
            ++changes.deleted;
            changes.types.insert(std::get<0>(id));
        }
    }
    upsert_all(conn, type, barcode, unique, changes);
    return changes;
}

std::vector<prediction> load_predictions(db::connection& conn, core::server_type type, const std::string& barcode,
                                         const std::vector<std::string>& types) {
    std::string sql = std::string("SELECT ") + prediction_columns +
                      " FROM prediction WHERE server_type = $1 AND barcode = $2"
                      " AND ($3::jsonb IS NULL OR type IN (SELECT jsonb_array_elements_text($3::jsonb)))"
                      " ORDER BY id";
    auto r = conn.exec(sql, {st(type), barcode,
                             types.empty() ? db::param() : db::param(core::json_string_array(types))});
    std::vector<prediction> out;
    out.reserve(static_cast<std::size_t>(r.rows()));
    for (int i = 0; i < r.rows(); ++i) {
        out.push_back(prediction_from_row(r, i));
    }
    return out;
}

std::vector<insight> load_insights(db::connection& conn, core::server_type type, const std::string& barcode,
                                   const std::string& insight_type) {
    std::string sql = std::string("SELECT ") + insight_columns +
                      " FROM product_insight WHERE server_type = $1 AND barcode = $2 AND type = $3"
                      " ORDER BY timestamp, id";
    auto r = conn.exec(sql, {st(type), barcode, insight_type});
    std::vector<insight> out;
    for (int i = 0; i < r.rows(); ++i) {
        out.push_back(insight_from_row(r, i));
    }
    return out;
}

std::optional<insight> load_insight(db::connection& conn, const std::string& id, bool for_update) {
    std::string sql = std::string("SELECT ") + insight_columns + " FROM product_insight WHERE id = $1::uuid" +
                      (for_update ? " FOR UPDATE" : "");
    auto r = conn.exec(sql, {id});
    if (r.rows() == 0) {
        return std::nullopt;
    }
    return insight_from_row(r, 0);
}

namespace {

// The 22 values written for one insight, in the column order of insert_columns.
db::params row_values(const insight& x) {
    return {x.barcode,
            x.type,
            x.data,
            x.timestamp,
            core::json_string_array(x.countries),
            core::json_string_array(x.brands),
            x.process_after,
            x.value_tag,
            x.value,
            x.source_image,
            x.automatic_processing,
            st(x.server_type),
            x.unique_scans_n,
            x.reserved_barcode,
            x.predictor,
            x.predictor_version,
            core::json_string_array(x.campaign),
            x.confidence,
            x.bounding_box,
            x.lc ? db::param(core::json_string_array(*x.lc)) : db::param(),
            x.with_image};
}

constexpr int values_per_row = 21;

std::string row_placeholders(int base) {
    auto p = [&](int k) { return "$" + std::to_string(base + k); };
    return "(" + p(1) + ", " + p(2) + ", " + p(3) + "::jsonb, " + p(4) + "::timestamp, " + p(5) + "::jsonb, " + p(6) +
           "::jsonb, " + p(7) + "::timestamp, " + p(8) + ", " + p(9) + ", " + p(10) + ", " + p(11) + "::boolean, " +
           p(12) + ", " + p(13) + "::integer, " + p(14) + "::boolean, " + p(15) + ", " + p(16) + ", " + p(17) +
           "::jsonb, " + p(18) + "::double precision, " + p(19) + "::jsonb, CASE WHEN " + p(20) +
           "::jsonb IS NULL THEN NULL ELSE ARRAY(SELECT jsonb_array_elements_text(" + p(20) +
           "::jsonb))::varchar[] END, " + p(21) + "::boolean)";
}

constexpr const char* insert_prefix =
    "INSERT INTO product_insight (barcode, type, data, timestamp, countries, brands, process_after, value_tag, "
    "value, source_image, automatic_processing, server_type, unique_scans_n, reserved_barcode, predictor, "
    "predictor_version, campaign, confidence, bounding_box, lc, with_image) VALUES ";

// Everything but timestamp and process_after (both follow the clock) decides whether an update is needed.
constexpr const char* update_sql = R"SQL(
UPDATE product_insight SET data = $4::jsonb, timestamp = $5::timestamp, countries = $6::jsonb, brands = $7::jsonb,
    process_after = $8::timestamp, value_tag = $9, value = $10, source_image = $11, automatic_processing = $12::boolean,
    unique_scans_n = $14::integer, reserved_barcode = $15::boolean, predictor = $16, predictor_version = $17,
    campaign = $18::jsonb, confidence = $19::double precision, bounding_box = $20::jsonb,
    lc = CASE WHEN $21::jsonb IS NULL THEN NULL ELSE ARRAY(SELECT jsonb_array_elements_text($21::jsonb))::varchar[] END,
    with_image = $22::boolean
WHERE id = $1::uuid AND annotation IS NULL AND barcode = $2 AND type = $3 AND server_type = $13 AND (
    data IS DISTINCT FROM $4::jsonb OR countries IS DISTINCT FROM $6::jsonb OR brands IS DISTINCT FROM $7::jsonb
    OR value_tag IS DISTINCT FROM $9 OR value IS DISTINCT FROM $10 OR source_image IS DISTINCT FROM $11
    OR automatic_processing IS DISTINCT FROM $12::boolean OR unique_scans_n IS DISTINCT FROM $14::integer
    OR reserved_barcode IS DISTINCT FROM $15::boolean OR predictor IS DISTINCT FROM $16
    OR predictor_version IS DISTINCT FROM $17 OR campaign IS DISTINCT FROM $18::jsonb
    OR confidence IS DISTINCT FROM $19::double precision OR bounding_box IS DISTINCT FROM $20::jsonb
    OR lc IS DISTINCT FROM (CASE WHEN $21::jsonb IS NULL THEN NULL
                            ELSE ARRAY(SELECT jsonb_array_elements_text($21::jsonb))::varchar[] END)
    OR with_image IS DISTINCT FROM $22::boolean)
)SQL";

}  // namespace

write_counts apply_plan(db::connection& conn, const import_plan& plan) {
    write_counts counts;
    for (const auto& id : plan.deletes) {
        auto r = conn.exec("DELETE FROM product_insight WHERE id = $1::uuid AND annotation IS NULL", {id});
        counts.deleted += static_cast<int>(r.affected());
    }
    for (std::size_t start = 0; start < plan.inserts.size(); start += 50) {
        std::size_t end = std::min(plan.inserts.size(), start + 50);
        std::string sql = insert_prefix;
        db::params values;
        for (std::size_t i = start; i < end; ++i) {
            if (i > start) {
                sql += ", ";
            }
            sql += row_placeholders(static_cast<int>((i - start) * values_per_row));
            auto row = row_values(plan.inserts[i]);
            values.insert(values.end(), row.begin(), row.end());
        }
        auto r = conn.exec(sql, values);
        counts.inserted += static_cast<int>(r.affected());
    }
    for (const auto& x : plan.updates) {
        auto v = row_values(x);
        // update_sql numbering: id, barcode, type, then the row values without barcode/type.
        db::params p = {x.id, x.barcode, x.type, x.data, x.timestamp, v[4], v[5], x.process_after, x.value_tag,
                        x.value, x.source_image, x.automatic_processing, st(x.server_type), x.unique_scans_n,
                        x.reserved_barcode, x.predictor, x.predictor_version, v[16], x.confidence, x.bounding_box,
                        v[19], x.with_image};
        auto r = conn.exec(update_sql, p);
        counts.updated += static_cast<int>(r.affected());
    }
    return counts;
}

void lock_product(db::connection& conn, core::server_type type, const std::string& barcode) {
    conn.exec("SELECT pg_advisory_xact_lock($1::bigint)", {db::advisory_key(core::product_key(type, barcode))});
}

void enqueue_job(db::connection& conn, const std::string& kind, const std::string& payload_json) {
    conn.exec("INSERT INTO job (kind, payload) VALUES ($1, $2::jsonb) "
              "ON CONFLICT (kind, (payload->>'dedup_key')) WHERE state = 'pending' AND payload ? 'dedup_key' "
              "DO NOTHING",
              {kind, payload_json});
}

}  // namespace robotoff::insights
