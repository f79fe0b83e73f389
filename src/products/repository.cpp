#include "robotoff/products/repository.hpp"

namespace robotoff::products {
namespace {

constexpr const char* upsert_sql = R"SQL(
INSERT INTO product (server_type, barcode, product_name, lang, record, brands_tags, countries_tags,
                     categories_tags, labels_tags, unique_scans_n, last_modified_t, deleted, fetched_at, source)
VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7::jsonb, $8::jsonb, $9::jsonb, $10, $11, false, now(), $12)
ON CONFLICT (server_type, barcode) DO UPDATE SET
    product_name = EXCLUDED.product_name, lang = EXCLUDED.lang, record = EXCLUDED.record,
    brands_tags = EXCLUDED.brands_tags, countries_tags = EXCLUDED.countries_tags,
    categories_tags = EXCLUDED.categories_tags, labels_tags = EXCLUDED.labels_tags,
    unique_scans_n = EXCLUDED.unique_scans_n, last_modified_t = EXCLUDED.last_modified_t,
    deleted = false, fetched_at = now(), source = EXCLUDED.source
)SQL";

constexpr const char* find_sql =
    "SELECT record::text FROM product WHERE server_type = $1 AND barcode = $2 AND NOT deleted";

constexpr const char* mark_deleted_sql =
    "UPDATE product SET deleted = true, fetched_at = now() WHERE server_type = $1 AND barcode = $2";

db::param optional_text(const std::string& s) {
    return s.empty() ? db::param() : db::param(s);
}

}  // namespace

void upsert_product(db::connection& conn, const product& p, std::string_view source) {
    conn.exec(upsert_sql, {std::string(core::to_string(p.server_type)), p.barcode, optional_text(p.product_name),
                           optional_text(p.lang), record_to_json(p), core::json_string_array(p.brands_tags),
                           core::json_string_array(p.countries_tags), core::json_string_array(p.categories_tags), core::json_string_array(p.labels_tags),
                           p.unique_scans_n, p.last_modified_t, std::string(source)});
}

std::optional<product> find_product(db::connection& conn, core::server_type type, std::string_view barcode) {
    std::string normalized = core::normalize_barcode(barcode);
    auto r = conn.exec(find_sql, {std::string(core::to_string(type)), normalized});
    if (r.rows() == 0) {
        return std::nullopt;
    }
    return record_from_json(r.get_view(0, 0), type, normalized);
}

bool mark_product_deleted(db::connection& conn, core::server_type type, std::string_view barcode) {
    auto r = conn.exec(mark_deleted_sql, {std::string(core::to_string(type)), core::normalize_barcode(barcode)});
    return r.affected() > 0;
}

void append_copy_field(std::string& out, std::string_view text) {
    std::size_t plain_from = 0;  // copied in runs: most fields need no escape at all
    for (std::size_t i = 0; i < text.size(); ++i) {
        char escaped;
        switch (text[i]) {
        case '\\': escaped = '\\'; break;
        case '\t': escaped = 't'; break;
        case '\n': escaped = 'n'; break;
        case '\r': escaped = 'r'; break;
        default: continue;
        }
        out.append(text, plain_from, i - plain_from);
        out += '\\';
        out += escaped;
        plain_from = i + 1;
    }
    out.append(text, plain_from);
}

}  // namespace robotoff::products
