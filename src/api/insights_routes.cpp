#include "robotoff/api/insights_routes.hpp"

#include "insights_params.hpp"
#include "robotoff/api/caller.hpp"
#include "robotoff/api/hot_listing.hpp"
#include "robotoff/core/errors.hpp"
#include "robotoff/core/log.hpp"
#include "robotoff/insights/serialize.hpp"

#include <map>

namespace robotoff::api {

namespace {

// The batch function of insight_services::open_insights: one query per server type in the batch (nearly
// always just one).
std::vector<insight_services::product_insights> lookup_open_insights(
    db::pool& pool, const std::vector<insight_services::product_key>& keys,
    std::chrono::steady_clock::time_point deadline) {
    std::map<core::server_type, std::vector<std::string>> barcodes;
    for (const auto& key : keys) {
        barcodes[key.server_type].push_back(key.barcode);
    }
    std::map<std::pair<core::server_type, std::string>, insight_services::product_insights> found;
    auto conn = pool.acquire(deadline);
    for (const auto& [server, codes] : barcodes) {
        for (auto& [barcode, items] : insights::products_open_insights(*conn, server, codes)) {
            found[{server, barcode}] = std::make_shared<const std::vector<insights::insight>>(std::move(items));
        }
    }
    std::vector<insight_services::product_insights> out;
    out.reserve(keys.size());
    for (const auto& key : keys) {
        auto it = found.find({key.server_type, key.barcode});
        out.push_back(it == found.end() ? nullptr : it->second);
    }
    return out;
}

}  // namespace

insight_services::insight_services(const core::config& config, db::pool& db_pool,
                                   const taxonomy::taxonomy_set* shared_taxonomies)
    : cfg(config), pool(db_pool), taxonomies(shared_taxonomies),
      open_insights({"lookup", static_cast<std::size_t>(cfg.get_int("http.lookup_threads")), 64, 10000},
                    [this](const auto& keys, auto deadline) { return lookup_open_insights(pool, keys, deadline); }) {
    const std::string& data_dir = cfg.get_string("data.dir");
    if (!taxonomies) {
        own_taxonomies = std::make_unique<taxonomy::taxonomy_set>();
        own_taxonomies->load_from_dirs(data_dir);
        taxonomies = own_taxonomies.get();
    }
    references = insights::import_references::load(data_dir);
    env.taxonomies = taxonomies;
    env.references = &references;
    env.settings = insights::insight_settings::from_config(cfg);
}

void insight_services::listings_changed() {
    random_pools.expire_all();
    popular_pools.expire_all();
    if (after_decision) {
        after_decision();
    }
}

namespace {

using detail::barcode_param;
using detail::count_param;
using detail::countries_param;
using detail::page_param;
using detail::server_type_param;

std::string insights_array(const std::vector<insights::insight>& items) {
    std::string out = "[";
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i > 0) {
            out += ',';
        }
        insights::append_insight_json(out, items[i]);
    }
    out += ']';
    return out;
}

// Runs on the I/O thread: the lookup joins the next batch (insight_services::open_insights).
void product_insights(insight_services& s, const http::request& req, http::reply_function reply) {
    auto type = server_type_param(req);
    std::string barcode = core::normalize_barcode(req.path_param("barcode"));
    auto answer = [reply](insight_services::product_insights items, std::exception_ptr error) {
        if (error) {
            reply({}, error);
        } else if (!items || items->empty()) {
            reply(http::response::json(R"({"status":"no_insights"})"), nullptr);
        } else {
            reply(http::response::json("{\"status\":\"found\",\"insights\":" + insights_array(*items) + "}"),
                  nullptr);
        }
    };
    if (!s.open_insights.submit({type, std::move(barcode)}, req.deadline, std::move(answer))) {
        throw core::service_unavailable("too many product lookups queued");
    }
}

bool is_uuid(std::string_view s) {
    if (s.size() != 36) {
        return false;
    }
    for (std::size_t i = 0; i < s.size(); ++i) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : !std::isxdigit(static_cast<unsigned char>(s[i]))) {
            return false;
        }
    }
    return true;
}

http::response insight_detail(insight_services& s, const http::request& req) {
    const std::string& id = req.path_param("insight_id");
    if (!is_uuid(id)) {
        throw core::not_found("unknown insight: " + id);
    }
    auto conn = s.pool.acquire(req.deadline);
    auto x = insights::load_insight(*conn, id);
    if (!x) {
        throw core::not_found("unknown insight: " + id);
    }
    return http::response::json(insights::insight_json(*x));
}

insights::insight_filter list_filter(insight_services& s, const http::request& req) {
    insights::insight_filter f;
    f.server_type = server_type_param(req);
    f.types = req.params.get_list("insight_types", 10);
    f.barcode = barcode_param(req);
    f.annotated = req.params.get_bool("annotated");
    auto annotation = req.params.get_int("annotation", -1, 2);
    if (annotation) {
        f.annotation = static_cast<int>(*annotation);
    }
    f.value_tag = req.params.get("value_tag");
    f.brands = req.params.get_list("brands", 10);
    f.predictor = req.params.get("predictor");
    f.countries = countries_param(req, s);
    f.campaigns = req.params.get_list("campaigns");
    f.lc = req.params.get_list("lc");
    // Hide insights the caller already voted on (voter identity, api.md §1.4).
    auto user = caller_credentials(req);
    if (user.username) {
        f.voter_username = user.username;
    } else {
        f.voter_device_id = caller_device_id(req);
    }
    return f;
}

// Every field of the filter but the voter: the key of the shared caches.
std::string filter_key(const insights::insight_filter& f) {
    hot_listing::key_builder key;
    key.text(core::to_string(f.server_type)).list(f.types).optional(f.barcode).optional(f.value_tag);
    key.optional(f.predictor).text(f.annotated ? (*f.annotated ? "a1" : "a0") : "a-");
    key.text(f.annotation ? std::to_string(*f.annotation) : "-");
    key.list(f.brands).list(f.countries).list(f.campaigns).list(f.lc);
    return key.str();
}

std::string listing_body(long long count, const std::vector<insights::insight>& items) {
    return "{\"count\":" + std::to_string(count) + ",\"insights\":" + insights_array(items) + ",\"status\":\"" +
           (items.empty() ? "no_insights" : "found") + "\"}";
}

// A page of /insights?order_by=popularity from the shared pool (hot_listing.hpp); nullopt when the pool
// cannot answer it (deep page, heavy voter, undecidable count).
std::optional<std::string> popular_page_from_pool(insight_services& s, db::connection& conn,
                                                  const insights::insight_filter& f, int count, long long offset) {
    if (offset + count > hot_listing::pool_rows) {
        return std::nullopt;
    }
    auto votes = hot_listing::caller_votes(conn, f.voter_username, f.voter_device_id.value_or(""));
    if (!votes) {
        return std::nullopt;
    }
    insights::insight_filter shared = f;
    shared.voter_username.reset();
    shared.voter_device_id.reset();
    auto pool = s.popular_pools.get(filter_key(shared), [&] {
        hot_listing::pool<insights::insight> p;
        p.rows = insights::list_insights(conn, shared, hot_listing::pool_rows, 0, insights::insight_order::popularity);
        p.matches = insights::count_insights(conn, shared, hot_listing::match_count_cap);
        return p;
    });
    std::vector<insights::insight> items;
    long long total = 0;
    if (!hot_listing::page_of(*pool, *votes, offset, count, items) ||
        !hot_listing::capped_count(*pool, *votes, total)) {
        return std::nullopt;
    }
    return listing_body(total, items);
}

http::response list_insights(insight_services& s, const http::request& req) {
    int count = count_param(req, 25);
    long long page = page_param(req);
    insights::insight_order order = insights::insight_order::none;
    auto order_by = req.params.get("order_by");
    if (order_by) {
        if (*order_by == "random") {
            order = insights::insight_order::random;
        } else if (*order_by == "popularity") {
            order = insights::insight_order::popularity;
        } else {
            throw core::client_error(400, "Invalid parameter", "invalid order_by value: " + *order_by);
        }
    }
    auto filter = list_filter(s, req);
    auto conn = s.pool.acquire(req.deadline);
    const long long offset = (page - 1) * count;
    if (order == insights::insight_order::popularity) {
        if (auto body = popular_page_from_pool(s, *conn, filter, count, offset)) {
            return http::response::json(std::move(*body));
        }
    }
    auto items = insights::list_insights(*conn, filter, count, offset, order);
    return http::response::json(listing_body(insights::count_insights(*conn, filter, hot_listing::count_cap), items));
}


http::response random_insights(insight_services& s, const http::request& req) {
    insights::insight_filter f;
    f.server_type = server_type_param(req);
    auto type = req.params.get("type");
    if (type) {
        f.types = {*type};
    }
    f.value_tag = req.params.get("value_tag");
    f.predictor = req.params.get("predictor");
    f.countries = countries_param(req, s);
    f.annotated = false;
    int count = count_param(req, 25);
    auto conn = s.pool.acquire(req.deadline);
    std::vector<insights::insight> items;
    if (count <= hot_listing::count_cap) {
        // No vote exclusion on this route: the shared sample serves everyone (hot_listing.hpp).
        auto pool = s.random_pools.get(filter_key(f), [&] {
            hot_listing::pool<insights::insight> p;
            p.rows = insights::random_insights(*conn, f, hot_listing::pool_rows);
            p.matches = static_cast<long long>(p.rows.size());
            return p;
        });
        items = hot_listing::pick_random(*pool, {}, count);
    } else {
        items = insights::random_insights(*conn, f, count);
    }
    long long total = items.empty() ? 0 : *s.random_counts.get(filter_key(f), [&] {
        return insights::count_insights(*conn, f);
    });
    return http::response::json(listing_body(total, items));
}

http::response dump_insights(insight_services& s, const http::request& req) {
    insights::insight_filter f;
    f.server_type = server_type_param(req);
    f.types = req.params.get_list("insight_types", 10);
    f.barcode = barcode_param(req);
    f.annotated = req.params.get_bool("annotated");
    f.value_tag = req.params.get("value_tag");
    auto count = req.params.get_int("count", 0, 10000);
    auto conn = s.pool.acquire(req.deadline);
    if (!count) {
        long long matches = insights::count_insights(*conn, f);
        if (matches > 10000) {
            throw core::bad_request("more than 10 000 insights match (here: " + std::to_string(matches) +
                                    "); narrow the criteria or pass count");
        }
    }
    auto items = insights::list_insights(*conn, f, static_cast<int>(count.value_or(10000)), 0,
                                         insights::insight_order::none);
    if (items.empty()) {
        return http::response::empty(204);
    }
    std::string csv = insights::insight_csv_header();
    for (const auto& x : items) {
        insights::append_insight_csv(csv, x);
    }
    return http::response::text(std::move(csv), "text/csv; charset=utf-8");
}

std::vector<http::param_doc> list_params() {
    return {{"count", "query", "integer", false, "page size (>= 1, clamped to 1000)"},
            {"page", "query", "integer", false, "page number (>= 1)"},
            {"insight_types", "query", "array", false, "insight types (first 10)"},
            {"barcode", "query", "string", false, "product barcode"},
            {"annotated", "query", "boolean", false, "annotated or not (absent: both)"},
            {"annotation", "query", "integer", false, "exact annotation value (-1..2)"},
            {"value_tag", "query", "string", false, "exact value_tag"},
            {"brands", "query", "array", false, "brand tags (any)"},
            {"predictor", "query", "string", false, "predictor"},
            {"server_type", "query", "string", false, "off, obf, opff, opf, off_pro"},
            {"countries", "query", "array", false, "country codes (any)"},
            {"order_by", "query", "string", false, "random or popularity"},
            {"campaigns", "query", "array", false, "campaigns (all)"},
            {"lc", "query", "array", false, "languages (any)"},
            {"device_id", "query", "string", false, "anonymous voter id"}};
}

}  // namespace

void add_insight_routes(http::router& router, insight_services& s) {
    const std::vector<http::param_doc> server_type_doc = {
        {"server_type", "query", "string", false, "off, obf, opff, opf, off_pro"}};
    router.add({"GET", "/api/v1/insights/random", [&s](const http::request& r) { return random_insights(s, r); },
                "Random open insights", {
                    {"type", "query", "string", false, "insight type"},
                    {"value_tag", "query", "string", false, "exact value_tag"},
                    {"count", "query", "integer", false, "number of insights (>= 1, clamped to 1000)"},
                    {"predictor", "query", "string", false, "predictor"},
                    {"server_type", "query", "string", false, "off, obf, opff, opf, off_pro"},
                    {"countries", "query", "array", false, "country codes (any)"}},
                "insights"});
    router.add({"GET", "/api/v1/insights/dump", [&s](const http::request& r) { return dump_insights(s, r); },
                "CSV export of insights", {
                    {"insight_types", "query", "array", false, "insight types (first 10)"},
                    {"barcode", "query", "string", false, "product barcode"},
                    {"annotated", "query", "boolean", false, "annotated or not"},
                    {"value_tag", "query", "string", false, "exact value_tag"},
                    {"count", "query", "integer", false, "0..10000"},
                    {"server_type", "query", "string", false, "off, obf, opff, opf, off_pro"}},
                "insights"});
    router.add({"GET", "/api/v1/insights/detail/{insight_id}",
                [&s](const http::request& r) { return insight_detail(s, r); }, "One insight by id",
                {{"insight_id", "path", "string", true, "insight uuid"}}, "insights"});
    router.add({"POST", "/api/v1/insights/annotate", detail::annotate_handler(s), "Annotate an insight or vote",
                {{"insight_id", "formData", "string", true, "insight uuid"},
                 {"annotation", "formData", "integer", true, "-1, 0, 1 or 2"},
                 {"update", "formData", "boolean", false, "send the change to Product Opener (default true)"},
                 {"data", "formData", "string", false, "JSON object (annotation 2)"},
                 {"device_id", "formData", "string", false, "anonymous voter id"}},
                "insights"});
    router.add({"POST", "/api/v1/insights/import", detail::import_handler(s),
                "Import a prediction file (split into import jobs)",
                {{"type", "formData", "string", true, "insight type"},
                 {"file", "formData", "string", true, "JSON Lines, optionally gzip"},
                 {"server_type", "formData", "string", false, "off, obf, opff, opf, off_pro"}},
                "insights"});
    router.add({"GET", "/api/v1/insights/{barcode}", nullptr, "Open insights of one product",
                {{"barcode", "path", "string", true, "product barcode"}, server_type_doc.front()}, "insights",
                [&s](const http::request& r, http::reply_function reply) { product_insights(s, r, std::move(reply)); }});
    router.add({"GET", "/api/v1/insights", [&s](const http::request& r) { return list_insights(s, r); },
                "Filtered listing of insights", list_params(), "insights"});
    router.add({"GET", "/api/v1/predictions", detail::predictions_handler(s), "Stored predictions",
                {{"page", "query", "integer", false, "page number (>= 1)"},
                 {"count", "query", "integer", false, "page size (>= 1, clamped to 1000)"},
                 {"barcode", "query", "string", false, "product barcode"},
                 {"value_tag", "query", "string", false, "exact value_tag"},
                 {"types", "query", "array", false, "prediction types (first 10)"},
                 server_type_doc.front()},
                "predictions"});
    // GET/POST /api/v1/products/dataset live in webhook_routes.cpp (jobs), next to the dataset job.
    router.add({"GET", "/api/v1/users/statistics/{username}", detail::user_statistics_handler(s),
                "Number of annotations of a user", {{"username", "path", "string", true, "user name"}}, "insights"});
}

}  // namespace robotoff::api
