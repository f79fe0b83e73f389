#include "robotoff/insights/annotate.hpp"

#include "robotoff/core/json.hpp"
#include "robotoff/insights/store.hpp"

#include <algorithm>

namespace robotoff::insights {
namespace {

constexpr const char* upsert_user_vote_sql = R"SQL(
INSERT INTO annotation_vote (insight_id, username, value, device_id, timestamp)
VALUES ($1::uuid, $2, $3, $4, now() AT TIME ZONE 'utc')
ON CONFLICT (insight_id, username) WHERE username IS NOT NULL
DO UPDATE SET value = EXCLUDED.value, timestamp = EXCLUDED.timestamp
)SQL";

constexpr const char* upsert_device_vote_sql = R"SQL(
INSERT INTO annotation_vote (insight_id, username, value, device_id, timestamp)
VALUES ($1::uuid, NULL, $2, $3, now() AT TIME ZONE 'utc')
ON CONFLICT (insight_id, device_id) WHERE username IS NULL
DO UPDATE SET value = EXCLUDED.value, timestamp = EXCLUDED.timestamp
)SQL";

constexpr const char* vote_counts_sql =
    "SELECT value, count(*) FROM annotation_vote WHERE insight_id = $1::uuid AND value <> -1 "
    "GROUP BY value ORDER BY count(*) DESC, value DESC";

constexpr const char* store_decision_sql = R"SQL(
UPDATE product_insight SET annotation = $2, completed_at = now() AT TIME ZONE 'utc', username = $3,
    annotated_result = $4, value_tag = $5, value = $6, data = $7::jsonb
WHERE id = $1::uuid AND annotation IS NULL
)SQL";

bool is_number_in_unit(const rapidjson::Value& v) { return v.IsNumber() && v.GetDouble() >= 0 && v.GetDouble() <= 1; }

std::string refresh_payload(const insight& x) {
    std::string key = core::product_key(x.server_type, x.barcode);
    std::string out = "{\"server_type\":";
    core::append_json_string(out, core::to_string(x.server_type));
    out += ",\"barcode\":";
    core::append_json_string(out, x.barcode);
    out += ",\"product_key\":";
    core::append_json_string(out, key);
    out += ",\"dedup_key\":";
    core::append_json_string(out, key);
    out += '}';
    return out;
}

// §6.3 with the transaction open, the product locked and the insight row locked. Returns the result and
// whether the transaction must commit.
std::pair<annotation_result, bool> decide_locked(db::connection& conn, insight& x, int annotation, bool update,
                                                 const std::optional<std::string>& data, const credentials& user,
                                                 bool is_vote, product_writer* writer) {
    if (annotation == 2 && !data) {
        auto r = make_result(status::invalid_data);
        r.description = "data must be provided if annotation is 2";
        return {r, false};
    }
    if (data && annotation != 2) {
        auto r = make_result(status::invalid_data);
        r.description = "data can only be provided if annotation is 2";
        return {r, false};
    }
    if (data && !valid_annotation_data(x.type, *data)) {
        return {make_result(status::invalid_data), false};
    }
    int code = status::saved;
    if ((annotation == 1 || annotation == 2) && update) {
        code = writer ? writer->apply(x, annotation, data, user, is_vote) : status::failed_update;
    }
    if (code == status::failed_update) {
        return {make_result(code), false};
    }
    std::optional<int> stored_result;
    if (code == status::saved || code == status::updated || code == status::missing_product ||
        code == status::updated_product || code == status::invalid_image || code == status::user_input_updated) {
        stored_result = code;
    }
    std::optional<std::string> username = is_vote ? std::nullopt : user.username;
    conn.exec(store_decision_sql, {x.id, annotation, username, stored_result, x.value_tag, x.value, x.data});
    enqueue_job(conn, "refresh_product", refresh_payload(x));
    return {make_result(code), true};
}

// Loads the insight, takes the product lock, then the row lock (the product lock comes first everywhere).
std::optional<insight> lock_insight(db::connection& conn, const std::string& id) {
    auto peek = conn.exec("SELECT server_type, barcode FROM product_insight WHERE id = $1::uuid", {id});
    if (peek.rows() == 0) {
        return std::nullopt;
    }
    auto type = core::parse_server_type(peek.get_view(0, 0)).value_or(core::server_type::off);
    lock_product(conn, type, peek.get_string(0, 1));
    return load_insight(conn, id, true);
}

}  // namespace

annotation_result make_result(int code) {
    annotation_result r;
    r.status_code = code;
    switch (code) {
    case status::saved:
        r.status = "saved";
        r.description = "the annotation was saved";
        break;
    case status::updated:
        r.status = "updated";
        r.description = "the annotation was saved and the product was updated";
        break;
    case status::missing_product:
        r.status = "error_missing_product";
        r.description = "the product no longer exists";
        break;
    case status::updated_product:
        r.status = "error_updated_product";
        r.description = "the product was updated since the insight was created";
        break;
    case status::already_annotated:
        r.status = "error_already_annotated";
        r.description = "the insight was already annotated";
        break;
    case status::unknown_insight:
        r.status = "error_unknown_insight";
        r.description = "unknown insight ID";
        break;
    case status::invalid_image:
        r.status = "error_invalid_image";
        r.description = "the image is no longer available";
        break;
    case status::vote_saved:
        r.status = "vote_saved";
        r.description = "the annotation vote was saved";
        break;
    case status::failed_update:
        r.status = "error_failed_update";
        r.description = "the product could not be updated; nothing was saved, try again later";
        break;
    case status::invalid_data:
        r.status = "error_invalid_data";
        r.description = "the data does not match the schema of the insight type";
        break;
    case status::user_input_updated:
        r.status = "user_input_updated";
        r.description = "the user-supplied value was saved and the product was updated";
        break;
    case status::cannot_vote:
        r.status = "cannot_vote";
        r.description = "this insight type cannot be decided by votes";
        break;
    default:
        r.status = "unknown";
        r.description = "unknown status";
    }
    return r;
}

bool valid_annotation_data(std::string_view type, std::string_view data_json) {
    auto doc = core::try_parse_json(data_json);
    if (!doc || !doc->IsObject()) {
        return false;
    }
    if (type == "category") {
        return doc->MemberCount() == 1 && doc->HasMember("value_tag") && (*doc)["value_tag"].IsString();
    }
    if (type == "ingredient_spellcheck") {
        if (!doc->HasMember("annotation") || !(*doc)["annotation"].IsString()) {
            return false;
        }
        for (const auto& m : doc->GetObject()) {
            std::string_view k(m.name.GetString());
            if (k == "annotation") {
                continue;
            }
            if (k == "rotation") {
                if (!m.value.IsInt64()) {
                    return false;
                }
                continue;
            }
            if (k == "bounding_box") {
                const auto& b = m.value;
                if (!b.IsArray() || b.Size() != 4 ||
                    !std::all_of(b.Begin(), b.End(), [](const rapidjson::Value& v) { return is_number_in_unit(v); })) {
                    return false;
                }
                if (!(b[0].GetDouble() < b[2].GetDouble() && b[1].GetDouble() < b[3].GetDouble())) {
                    return false;
                }
                continue;
            }
            return false;
        }
        return true;
    }
    return false;
}

std::optional<int> vote_decision(const std::vector<std::pair<int, long long>>& counts) {
    std::vector<std::pair<int, long long>> sorted = counts;
    std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    if (sorted.size() >= 2 && sorted[0].second >= 2 && sorted[1].second >= 2) {
        return -1;
    }
    if (!sorted.empty() && sorted[0].second >= 3) {
        return sorted[0].first;
    }
    return std::nullopt;
}

annotation_result decide_insight(db::connection& conn, const std::string& insight_id, int annotation, bool update,
                                 const std::optional<std::string>& data, const credentials& user, bool is_vote,
                                 product_writer* writer) {
    db::transaction tx(conn);
    auto x = lock_insight(conn, insight_id);
    if (!x) {
        return make_result(status::unknown_insight);
    }
    if (x->annotation) {
        return make_result(status::already_annotated);
    }
    auto [result, commit] = decide_locked(conn, *x, annotation, update, data, user, is_vote, writer);
    if (commit) {
        tx.commit();
    }
    return result;
}

annotation_result annotate(db::connection& conn, const annotate_request& req, product_writer* writer) {
    db::transaction tx(conn);
    auto x = lock_insight(conn, req.insight_id);
    if (!x) {
        return make_result(status::unknown_insight);
    }
    if (x->annotation) {
        return make_result(status::already_annotated);
    }
    if (req.user.authenticated() && req.annotation != -1) {
        auto [result, commit] = decide_locked(conn, *x, req.annotation, req.update, req.data, req.user, false, writer);
        if (commit) {
            tx.commit();
        }
        return result;
    }
    // Vote path (§6.2): one vote per voter, replaced by a later one.
    if (req.user.authenticated()) {
        conn.exec(upsert_user_vote_sql, {req.insight_id, *req.user.username, req.annotation, req.device_id});
    } else {
        conn.exec(upsert_device_vote_sql, {req.insight_id, req.annotation, req.device_id});
    }
    auto r = conn.exec(vote_counts_sql, {req.insight_id});
    std::vector<std::pair<int, long long>> counts;
    long long n_votes = 0;
    for (int i = 0; i < r.rows(); ++i) {
        counts.emplace_back(static_cast<int>(r.get_int(i, 0)), r.get_int(i, 1));
        n_votes += r.get_int(i, 1);
    }
    conn.exec("UPDATE product_insight SET n_votes = $2 WHERE id = $1::uuid", {req.insight_id, n_votes});
    auto decision = vote_decision(counts);
    if (!decision) {
        tx.commit();
        return make_result(status::vote_saved);
    }
    // A vote decision is written with the robot account whoever voted last (README §10).
    credentials robot;
    auto [result, commit] = decide_locked(conn, *x, *decision, true, std::nullopt, robot, true, writer);
    if (commit) {
        tx.commit();
    }
    return result;
}

}  // namespace robotoff::insights
