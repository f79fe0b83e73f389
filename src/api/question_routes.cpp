#include "robotoff/api/question_routes.hpp"

#include "robotoff/api/caller.hpp"
#include "robotoff/core/errors.hpp"
#include "robotoff/core/json.hpp"
#include "robotoff/core/log.hpp"
#include "robotoff/questions/store.hpp"

#include <algorithm>
#include <climits>

namespace robotoff::api {

question_services::question_services(const core::config& cfg, db::pool& pool,
                                     const taxonomy::taxonomy_set* taxonomies)
    : pool_(pool), taxonomies_(taxonomies), images_url_(cfg.get_string("off.images_url")), tld_(cfg.tld()),
      i18n_dir_(cfg.get_string("i18n.dir")) {
    const std::string data_dir = cfg.get_string("data.dir");
    if (taxonomies_ == nullptr) {
        own_taxonomies_ = std::make_unique<taxonomy::taxonomy_set>();
        own_taxonomies_->load_from_dirs(data_dir);
        taxonomies_ = own_taxonomies_.get();
    }
    const std::string logos_path = data_dir + "/label_logos.json";
    logos_ = questions::label_logos::load_file(logos_path);
    if (logos_.size() == 0) {
        core::log::warning("questions.label_logos_missing", {{"path", logos_path}});
    }
    messages_ = questions::catalog::load(i18n_dir_);
    core::log::info("questions.ready", {{"languages", static_cast<long long>(messages_->languages().size())},
                                        {"label_logos", static_cast<long long>(logos_.size())}});
}

std::shared_ptr<const questions::catalog> question_services::messages() const {
    std::lock_guard lock(mutex_);
    return messages_;
}

void question_services::reload_messages() {
    auto fresh = questions::catalog::load(i18n_dir_);
    std::lock_guard lock(mutex_);
    messages_ = std::move(fresh);
}

namespace {

core::server_type server_type_of(const http::request& req) {
    auto value = req.params.get("server_type");
    if (!value) {
        return core::server_type::off;
    }
    auto parsed = core::parse_server_type(*value);
    if (!parsed) {
        throw core::client_error(400, "Invalid parameter", "invalid server_type: " + *value);
    }
    return *parsed;
}

// count >= 1, clamped to 100 on question routes (README §10).
int count_of(const http::request& req) {
    return static_cast<int>(std::min<long long>(req.params.get_int("count", 1, LLONG_MAX).value_or(25), 100));
}

long long page_of(const http::request& req) {
    return req.params.get_int("page", 1, LLONG_MAX / 1000).value_or(1);
}

std::vector<std::string> countries_of(const http::request& req, const question_services& s) {
    auto codes = req.params.get_list("countries");
    std::vector<std::string> tags;
    if (codes.empty()) {
        return tags;
    }
    auto countries = s.taxonomies().get("countries");
    bool unknown = false;
    for (const auto& code : codes) {
        auto tag = countries ? taxonomy::country_tag_for_code(*countries, code) : std::nullopt;
        if (!tag) {
            unknown = true;
            break;
        }
        tags.push_back(*tag);
    }
    if (unknown) {
        std::string list;
        for (const auto& code : codes) {
            list += (list.empty() ? "" : ",") + code;
        }
        throw core::client_error(400, "Invalid parameter", "invalid countries value: " + list);
    }
    return tags;
}

std::vector<std::string> campaigns_of(const http::request& req) {
    auto campaigns = req.params.get_list("campaigns");
    if (campaigns.empty()) {
        if (auto single = req.params.get("campaign")) {
            campaigns.push_back(*single);
        }
    }
    return campaigns;
}

questions::voter voter_of(const http::request& req) {
    questions::voter v;
    v.username = caller_credentials(req).username;
    v.device_id = caller_device_id(req);
    return v;
}

std::vector<std::string> types_of(const http::request& req) {
    auto requested = req.params.get_list("insight_types");
    return questions::requested_question_types(requested, !requested.empty());
}

// Barcodes of the rows whose questions show the product's picture.
std::vector<std::string> barcodes_with_pictures(const std::vector<questions::insight_row>& rows) {
    std::vector<std::string> barcodes;
    for (const auto& row : rows) {
        if (row.type == "category" || row.type == "brand") {
            barcodes.push_back(row.barcode);
        }
    }
    return barcodes;
}

std::string questions_json(const question_services& s, const std::vector<questions::insight_row>& rows,
                           const std::string& lang, const std::map<std::string, questions::product_info>& products) {
    auto messages = s.messages();
    questions::format_context ctx{*messages, s.taxonomies(), s.logos(), s.images_url(), s.tld()};
    std::string out = "[";
    for (std::size_t i = 0; i < rows.size(); ++i) {
        auto it = products.find(rows[i].barcode);
        auto q = questions::format_question(rows[i], lang, ctx, it == products.end() ? nullptr : &it->second);
        out += i == 0 ? "" : ",";
        out += questions::to_json(q);
    }
    out += ']';
    return out;
}

// Formats rows, reading the products (pictures) of the types that need them in one query.
std::string questions_json(const question_services& s, db::connection& conn, core::server_type type,
                           const std::vector<questions::insight_row>& rows, const std::string& lang) {
    return questions_json(s, rows, lang, questions::load_products(conn, type, barcodes_with_pictures(rows)));
}

std::string listing_body(long long count, const std::string& questions_array, bool empty) {
    return "{\"count\":" + std::to_string(count) + ",\"questions\":" + questions_array + ",\"status\":\"" +
           (empty ? "no_questions" : "found") + "\"}";
}

// Every field of the filter but the voter: the key of the shared pools.
std::string filter_key(const questions::question_filter& f) {
    hot_listing::key_builder key;
    key.text(core::to_string(f.server_type)).list(f.types).optional(f.value_tag).optional(f.predictor);
    key.list(f.brands).list(f.countries).list(f.campaigns).text(f.include_reserved ? "r1" : "r0");
    key.text(f.with_image ? (*f.with_image ? "i1" : "i0") : "i-");
    return key.str();
}

// A random or popularity page of questions from the shared pool (hot_listing.hpp); nullopt when the pool
// cannot answer it (deep page, heavy voter, undecidable count).
std::optional<std::string> page_from_pool(question_services& s, db::connection& conn,
                                          const questions::question_filter& f, questions::question_order order,
                                          int count, long long offset, const std::string& lang) {
    if (offset + count > hot_listing::pool_rows || !f.exclude_voted) {
        return std::nullopt;
    }
    auto votes = hot_listing::caller_votes(conn, f.exclude_voted->username, f.exclude_voted->device_id);
    if (!votes) {
        return std::nullopt;
    }
    questions::question_filter shared = f;
    shared.exclude_voted.reset();
    auto& pools = order == questions::question_order::random ? s.random_pools : s.popular_pools;
    auto pool = pools.get(hot_listing::key_builder().text(filter_key(shared)).text(lang).str(), [&] {
        const auto rows = questions::list_questions(conn, shared, order, hot_listing::pool_rows, 0);
        const auto products = questions::load_products(conn, shared.server_type, barcodes_with_pictures(rows));
        const auto messages = s.messages();
        const questions::format_context ctx{*messages, s.taxonomies(), s.logos(), s.images_url(), s.tld()};
        question_pool p;
        p.matches = questions::count_questions(conn, shared, hot_listing::match_count_cap);
        for (const auto& row : rows) {
            auto it = products.find(row.barcode);
            auto q = questions::format_question(row, lang, ctx, it == products.end() ? nullptr : &it->second);
            p.rows.push_back({row.id, row.n_votes, questions::to_json(q)});
        }
        return p;
    });
    std::vector<formatted_question> picked;
    if (order == questions::question_order::random) {
        picked = hot_listing::pick_random(*pool, *votes, count);
    } else if (!hot_listing::page_of(*pool, *votes, offset, count, picked)) {
        return std::nullopt;
    }
    long long total = 0;
    if (!hot_listing::capped_count(*pool, *votes, total)) {
        return std::nullopt;
    }
    std::string array = "[";
    for (const auto& q : picked) {
        array += array.size() > 1 ? "," : "";
        array += q.json;
    }
    array += ']';
    return listing_body(total, array, picked.empty());
}

http::response product_questions(const question_services& s, const http::request& req) {
    const auto type = server_type_of(req);
    const std::string barcode = core::normalize_barcode(req.path_param("barcode"));
    const int count = count_of(req);
    const std::string lang = req.params.get_or("lang", "en");
    const auto types = types_of(req);
    const auto who = voter_of(req);
    auto conn = s.pool().acquire(req.deadline);
    auto rows = questions::product_questions(*conn, type, barcode, types, who, count);
    std::string body = "{\"questions\":" + questions_json(s, *conn, type, rows, lang) + ",\"status\":\"" +
                       (rows.empty() ? "no_questions" : "found") + "\"}";
    return http::response::json(std::move(body));
}

http::response list_questions(question_services& s, const http::request& req,
                              std::optional<questions::question_order> fixed_order) {
    questions::question_order order = questions::question_order::popularity;
    if (fixed_order) {
        order = *fixed_order;
    } else if (auto order_by = req.params.get("order_by")) {
        if (*order_by == "random") {
            order = questions::question_order::random;
        } else if (*order_by == "confidence") {
            order = questions::question_order::confidence;
        } else if (*order_by != "popularity") {
            throw core::client_error(400, "Invalid parameter",
                                     "invalid '" + *order_by + "' value for order_by parameter");
        }
    }
    questions::question_filter f;
    f.server_type = server_type_of(req);
    const int count = count_of(req);
    const long long page = page_of(req);
    const std::string lang = req.params.get_or("lang", "en");
    f.types = types_of(req);
    f.value_tag = req.params.get("value_tag");
    f.predictor = req.params.get("predictor");
    f.brands = req.params.get_list("brands", 10);
    f.countries = countries_of(req, s);
    f.campaigns = campaigns_of(req);
    f.include_reserved = req.params.get_bool("reserved_barcode").value_or(false);
    f.with_image = req.params.get_bool("with_image");
    f.exclude_voted = voter_of(req);

    auto conn = s.pool().acquire(req.deadline);
    const long long offset = order == questions::question_order::random ? 0 : (page - 1) * count;
    if (order != questions::question_order::confidence) {
        if (auto body = page_from_pool(s, *conn, f, order, count, offset, lang)) {
            return http::response::json(std::move(*body));
        }
    }
    auto rows = questions::list_questions(*conn, f, order, count, offset);
    const long long total = questions::count_questions(*conn, f, hot_listing::count_cap);
    return http::response::json(
        listing_body(total, questions_json(s, *conn, f.server_type, rows, lang), rows.empty()));
}

http::response unanswered(question_services& s, const http::request& req) {
    questions::unanswered_filter f;
    f.server_type = server_type_of(req);
    const int count = count_of(req);
    const long long page = page_of(req);
    f.type = req.params.get("type");
    f.countries = countries_of(req, s);
    f.campaigns = campaigns_of(req);
    f.predictor = req.params.get("predictor");
    f.include_reserved = req.params.get_bool("reserved_barcode").value_or(false);
    // The parsed filter is the cache key (not the raw query string: unknown parameters such as device_id
    // do not change the answer).
    // Each text is length-prefixed so that no value can imitate another filter.
    auto part = [](std::string_view text) { return std::to_string(text.size()) + ":" + std::string(text) + ";"; };
    std::string key = part(core::to_string(f.server_type)) + part(f.type.value_or("")) +
                      part(f.predictor.value_or("")) + (f.include_reserved ? "r;" : "-;") +
                      std::to_string(count) + ";" + std::to_string(page) + ";c";
    for (const auto& c : f.countries) {
        key += part(c);
    }
    key += "k";
    for (const auto& c : f.campaigns) {
        key += part(c);
    }
    return http::response::json(*s.unanswered_bodies.get(key, [&] {
        auto conn = s.pool().acquire(req.deadline);
        auto result = questions::unanswered_questions(*conn, f, count, (page - 1) * count);
        std::string body = "{\"count\":" + std::to_string(result.total) + ",\"questions\":[";
        for (std::size_t i = 0; i < result.groups.size(); ++i) {
            body += i == 0 ? "[" : ",[";
            if (result.groups[i].first) {
                core::append_json_string(body, *result.groups[i].first);
            } else {
                body += "null";
            }
            body += "," + std::to_string(result.groups[i].second) + "]";
        }
        body += std::string("],\"status\":\"") + (result.groups.empty() ? "no_questions" : "found") + "\"}";
        return body;
    }));
}

std::vector<http::param_doc> list_docs(bool with_order) {
    std::vector<http::param_doc> docs = {
        {"count", "query", "integer", false, "1..100 (larger values are clamped), default 25"},
        {"page", "query", "integer", false, "1-based page (ignored for random)"},
        {"lang", "query", "string", false, "language of texts and values, default en"},
        {"insight_types", "query", "array", false,
         "question types; default category,label,product_weight,brand,packaging"},
        {"value_tag", "query", "string", false, "exact value_tag"},
        {"brands", "query", "array", false, "brand tags (any of, first 10)"},
        {"countries", "query", "array", false, "country codes (any of)"},
        {"campaigns", "query", "array", false, "campaigns (all of)"},
        {"predictor", "query", "string", false, "exact predictor"},
        {"with_image", "query", "boolean", false, "exact with_image"},
        {"reserved_barcode", "query", "boolean", false, "true: include reserved barcodes"},
        {"server_type", "query", "string", false, "off, obf, opff, opf, off_pro"},
        {"device_id", "query", "string", false, "anonymous voter id"},
    };
    if (with_order) {
        docs.push_back({"order_by", "query", "string", false, "popularity (default), random or confidence"});
    }
    return docs;
}

}  // namespace

void add_question_routes(http::router& router, question_services& services) {
    auto& s = services;
    router.add({"GET", "/api/v1/questions/random",
                [&s](const http::request& r) { return list_questions(s, r, questions::question_order::random); },
                "Random questions", list_docs(false), "questions"});
    router.add({"GET", "/api/v1/questions/popular",
                [&s](const http::request& r) { return list_questions(s, r, questions::question_order::popularity); },
                "Questions of the most scanned products", list_docs(false), "questions"});
    router.add({"GET", "/api/v1/questions/unanswered", [&s](const http::request& r) { return unanswered(s, r); },
                "Open insights grouped by value_tag",
                {{"count", "query", "integer", false, "groups per page, 1..100"},
                 {"page", "query", "integer", false, "1-based page"},
                 {"type", "query", "string", false, "insight type"},
                 {"countries", "query", "array", false, "country codes (any of)"},
                 {"campaigns", "query", "array", false, "campaigns (all of)"},
                 {"predictor", "query", "string", false, "exact predictor"},
                 {"reserved_barcode", "query", "boolean", false, "true: include reserved barcodes"},
                 {"server_type", "query", "string", false, "off, obf, opff, opf, off_pro"}},
                "questions"});
    router.add({"GET", "/api/v1/questions/{barcode}", [&s](const http::request& r) { return product_questions(s, r); },
                "Questions about one product",
                {{"barcode", "path", "string", true, "product barcode"},
                 {"count", "query", "integer", false, "1..100, default 25"},
                 {"lang", "query", "string", false, "language, default en"},
                 {"insight_types", "query", "array", false, "question types"},
                 {"server_type", "query", "string", false, "off, obf, opff, opf, off_pro"},
                 {"device_id", "query", "string", false, "anonymous voter id"}},
                "questions"});
    router.add({"GET", "/api/v1/questions",
                [&s](const http::request& r) { return list_questions(s, r, std::nullopt); },
                "Questions over all products", list_docs(true), "questions"});
}

}  // namespace robotoff::api
