// import-robotoff: see the DESIGN comment of include/robotoff/migrate/robotoff_import.hpp.
//
// COPY statements take no parameters, so the source SELECTs are built here from constant text and column
// names of the tables below (only those the catalog lists); no value ever enters SQL text.
#include "robotoff/migrate/robotoff_import.hpp"

#include "copy_text.hpp"

#include "robotoff/core/log.hpp"
#include "robotoff/core/product_ref.hpp"
#include "robotoff/db/migrations.hpp"
#include "robotoff/insights/types.hpp"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <cstdio>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

namespace robotoff::migrate {
namespace {

using clock_type = std::chrono::steady_clock;

// ---- tables -------------------------------------------------------------------------------------------

// One column of a target table, read from the source column of the same name.
struct column {
    const char* name;
    const char* fallback = nullptr;  // SQL used when the source value is NULL or the column is missing
    bool json = false;               // jsonb (a source json column is cast)
};

enum class key_kind { uuid, serial };

struct table_def {
    const char* name;                 // source (public.) and target table
    key_kind key;
    std::vector<column> columns;      // source column 0 is the key ("id")
    int barcode_col = -1;             // indexes into columns
    int server_type_col = -1;
    int type_col = -1;
    const char* order_by = nullptr;   // source ORDER BY, when the row order decides which duplicate is kept
};

const table_def image_table{
    "image",
    key_kind::serial,
    {{"id"}, {"barcode"}, {"uploaded_at"}, {"image_id"}, {"source_image"}, {"width"}, {"height"},
     {"deleted", "false"}, {"server_type"}},
    1, 8, -1, nullptr};

const table_def prediction_table{
    "prediction",
    key_kind::serial,
    {{"id"}, {"barcode"}, {"type"}, {"data", "'{}'::jsonb", true}, {"timestamp", "(now() AT TIME ZONE 'UTC')"},
     {"value_tag"}, {"value"}, {"source_image"}, {"automatic_processing"}, {"predictor"}, {"predictor_version"},
     {"confidence"}, {"server_type"}},
    1, 12, 2, nullptr};

const table_def insight_table{
    "product_insight",
    key_kind::uuid,
    {{"id"}, {"barcode"}, {"type"}, {"data", "'{}'::jsonb", true},
     // Robotoff's timestamp is nullable, ours is not: the decision time, else the import time.
     {"timestamp", "COALESCE(\"completed_at\", now() AT TIME ZONE 'UTC')"}, {"completed_at"}, {"annotation"},
     {"annotated_result"}, {"n_votes", "0"}, {"username"}, {"countries", "'[]'::jsonb", true},
     {"brands", "'[]'::jsonb", true}, {"process_after"}, {"value_tag"}, {"value"}, {"source_image"},
     {"automatic_processing", "false"}, {"server_type"}, {"unique_scans_n", "0"}, {"reserved_barcode", "false"},
     {"predictor"}, {"predictor_version"}, {"campaign", "'[]'::jsonb", true}, {"confidence"},
     {"bounding_box", nullptr, true}, {"lc"}, {"with_image"}},
    1, 17, 2, nullptr};

const table_def vote_table{
    "annotation_vote",
    key_kind::uuid,
    {{"id"}, {"insight_id"}, {"username"}, {"value"}, {"device_id"}, {"timestamp", "(now() AT TIME ZONE 'UTC')"}},
    -1, -1, -1,
    // Newest first: of two votes of one voter on one insight (one allowed here), the newest is kept.
    "\"timestamp\" DESC, \"id\""};

// Source tables without a counterpart in our schema yet: counted only.
struct absent_table {
    const char* schema;
    const char* name;
};
const absent_table not_imported[] = {{"public", "image_prediction"},
                                     {"public", "logo_annotation"},
                                     {"public", "logo_confidence_threshold"},
                                     {"embedding", "logo_embedding"},
                                     {"embedding", "image_embedding"}};

std::string quoted(std::string_view name) { return "\"" + std::string(name) + "\""; }

// ---- SQL on our side ----------------------------------------------------------------------------------

constexpr const char* create_map_sql =
    "CREATE TABLE IF NOT EXISTS robotoff_import_id_map ("
    " source_table text NOT NULL, source_id bigint NOT NULL, target_id bigint,"
    " PRIMARY KEY (source_table, source_id))";
constexpr const char* create_state_sql =
    "CREATE TABLE IF NOT EXISTS robotoff_import_state (name text PRIMARY KEY, value text NOT NULL)";
constexpr const char* secondary_indexes_sql =
    "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
    "WHERE x.indrelid = $1::regclass AND NOT x.indisunique AND NOT x.indisprimary "
    "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid) ORDER BY i.relname";
constexpr const char* remember_index_sql =
    "INSERT INTO robotoff_import_state (name, value) VALUES ('index:' || $1, $2) ON CONFLICT (name) DO NOTHING";
constexpr const char* drop_index_sql = "SELECT format('DROP INDEX %I', $1::text)";
// The definition (pg_get_indexdef) names the table: "CREATE INDEX i ON public.t USING ...". Longest builds
// first, so that the two connections end together: several key columns (text sorts), then whole-table ones.
constexpr const char* pending_indexes_sql =
    "SELECT substr(name, 7), value FROM robotoff_import_state WHERE name LIKE 'index:%' "
    "AND ($1::text IS NULL OR value LIKE '% ON public.' || $1 || ' USING %') "
    "ORDER BY length(regexp_replace(split_part(value, ' WHERE ', 1), '[^,]', '', 'g')) DESC, "
    "(value LIKE '% WHERE %'), name";
constexpr const char* forget_index_sql = "DELETE FROM robotoff_import_state WHERE name = 'index:' || $1";
constexpr const char* table_empty_sql = "SELECT NOT EXISTS (SELECT 1 FROM %s)";
constexpr const char* serial_sequence_sql = "SELECT pg_get_serial_sequence($1, 'id')";

constexpr const char* insert_insights_sql =
    "WITH s AS (SELECT * FROM robotoff_stage_product_insight),"
    " present AS (SELECT count(*) AS n FROM s WHERE EXISTS (SELECT 1 FROM product_insight p WHERE p.id = s.id)),"
    " ins AS (INSERT INTO product_insight (%COLUMNS%) SELECT %COLUMNS% FROM s ON CONFLICT DO NOTHING RETURNING 1)"
    " SELECT (SELECT count(*) FROM ins), (SELECT n FROM present)";
constexpr const char* orphan_votes_sql =
    "SELECT s.id::text, s.insight_id::text FROM robotoff_stage_annotation_vote s "
    "WHERE NOT EXISTS (SELECT 1 FROM product_insight p WHERE p.id = s.insight_id)";
constexpr const char* insert_votes_sql =
    "WITH s AS (SELECT * FROM robotoff_stage_annotation_vote st"
    "           WHERE EXISTS (SELECT 1 FROM product_insight p WHERE p.id = st.insight_id)),"
    " present AS (SELECT count(*) AS n FROM s WHERE EXISTS (SELECT 1 FROM annotation_vote v WHERE v.id = s.id)),"
    " ins AS (INSERT INTO annotation_vote (%COLUMNS%) SELECT %COLUMNS% FROM s ORDER BY \"timestamp\" DESC, id"
    "         ON CONFLICT DO NOTHING RETURNING 1)"
    " SELECT (SELECT count(*) FROM ins), (SELECT n FROM present)";
// Serial-key tables: our ids are drawn first, so that the ids an insert returns tell which source rows
// became rows (the others conflicted with our uniqueness rule and are mapped to NULL).
constexpr const char* insert_mapped_sql =
    "WITH s AS (SELECT st.*, NOT EXISTS (SELECT 1 FROM robotoff_import_id_map m"
    "           WHERE m.source_table = $1 AND m.source_id = st.source_id) AS fresh FROM %STAGE% st),"
    " n AS (SELECT s.*, nextval($2::regclass) AS new_id FROM s WHERE fresh),"
    " ins AS (INSERT INTO %TABLE% (id, %COLUMNS%) SELECT new_id, %COLUMNS% FROM n ORDER BY source_id"
    "         ON CONFLICT DO NOTHING RETURNING id),"
    " mapped AS (INSERT INTO robotoff_import_id_map (source_table, source_id, target_id)"
    "            SELECT $1, n.source_id, ins.id FROM n LEFT JOIN ins ON ins.id = n.new_id RETURNING 1)"
    " SELECT (SELECT count(*) FROM ins), (SELECT count(*) FROM s WHERE NOT fresh), (SELECT count(*) FROM mapped)";

std::string replace_all(std::string text, std::string_view from, std::string_view to) {
    for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
        text.replace(at, from.size(), to);
    }
    return text;
}

// ---- reject file --------------------------------------------------------------------------------------

class reject_file {
public:
    explicit reject_file(std::string path) : path_(std::move(path)) {}
    ~reject_file() {
        if (file_) {
            std::fclose(file_);
        }
    }
    reject_file(const reject_file&) = delete;
    reject_file& operator=(const reject_file&) = delete;

    void add(std::string_view table, std::string_view key, std::string_view reason) {
        if (!file_) {
            file_ = std::fopen(path_.c_str(), "w");
            if (!file_) {
                throw import_error("cannot write the reject file " + path_);
            }
            std::fputs("table\tkey\treason\n", file_);
        }
        std::string line;
        append_clean(line, table);
        line += '\t';
        append_clean(line, key);
        line += '\t';
        append_clean(line, reason);
        line += '\n';
        if (std::fwrite(line.data(), 1, line.size(), file_) != line.size()) {
            throw import_error("cannot write the reject file " + path_);
        }
    }
    void close() {
        if (file_ && std::fclose(file_) != 0) {
            file_ = nullptr;
            throw import_error("cannot write the reject file " + path_);
        }
        file_ = nullptr;
    }

private:
    static void append_clean(std::string& out, std::string_view text) {
        for (char c : text.substr(0, 500)) {
            out += (c == '\t' || c == '\n' || c == '\r') ? ' ' : c;
        }
    }
    std::string path_;
    std::FILE* file_ = nullptr;
};

// ---- parallel COPY -------------------------------------------------------------------------------------

// Feeds one COPY ... FROM STDIN stream to several connections of our database, each on its own thread: on
// the direct path the target backend parsing the rows (jsonb, arrays) is the bottleneck, one core each.
// Chunks (whole rows) go round-robin; each connection commits every `batch_rows` rows. Abandoned (destroyed
// without finish(), or a failure): open batches roll back.
class parallel_copier {
public:
    parallel_copier(const std::string& url, int connect_timeout_s, std::size_t count, std::string copy_sql,
                    std::size_t batch_rows)
        : copy_sql_(std::move(copy_sql)), batch_rows_(batch_rows) {
        for (std::size_t i = 0; i < count; ++i) {
            auto w = std::make_unique<worker>();
            w->conn = std::make_unique<db::connection>(url, 0, connect_timeout_s, "robotoffd-import-robotoff");
            workers_.push_back(std::move(w));
        }
        for (auto& w : workers_) {
            w->thread = std::jthread([this, raw = w.get()] { run(*raw); });
        }
    }
    ~parallel_copier() {
        {
            std::lock_guard lock(mutex_);
            if (!finished_ && !failure_) {
                failure_ = "abandoned";
            }
        }
        cv_.notify_all();
        for (auto& w : workers_) {
            if (w->thread.joinable()) {
                w->thread.join();
            }
        }
    }
    parallel_copier(const parallel_copier&) = delete;
    parallel_copier& operator=(const parallel_copier&) = delete;

    // Blocks while that connection's queue is full. Throws import_error after a failure.
    void put(std::string chunk, std::size_t rows) {
        std::unique_lock lock(mutex_);
        worker& w = *workers_[next_];
        cv_.wait(lock, [&] { return w.queue.size() < max_queued || failure_; });
        if (failure_) {
            throw import_error(*failure_);
        }
        w.queue.emplace_back(std::move(chunk), rows);
        next_ = (next_ + 1) % workers_.size();
        cv_.notify_all();
    }

    // Commits the open batches and joins; returns rows copied. Throws import_error after a failure.
    long long finish() {
        {
            std::lock_guard lock(mutex_);
            for (auto& w : workers_) {
                w->closing = true;
            }
        }
        cv_.notify_all();
        long long copied = 0;
        for (auto& w : workers_) {
            w->thread.join();
            copied += w->copied;
        }
        std::lock_guard lock(mutex_);
        finished_ = true;
        if (failure_) {
            throw import_error(*failure_);
        }
        return copied;
    }

private:
    static constexpr std::size_t max_queued = 8;
    struct worker {
        std::unique_ptr<db::connection> conn;
        std::deque<std::pair<std::string, std::size_t>> queue;
        bool closing = false;
        long long copied = 0;
        std::jthread thread;
    };

    void run(worker& w) {
        try {
            std::optional<db::transaction> tx;
            std::size_t rows = 0;
            while (true) {
                std::pair<std::string, std::size_t> item;
                {
                    std::unique_lock lock(mutex_);
                    cv_.wait(lock, [&] { return !w.queue.empty() || w.closing || failure_; });
                    if (failure_) {
                        return;  // tx rolls back
                    }
                    if (w.queue.empty()) {
                        break;  // closing
                    }
                    item = std::move(w.queue.front());
                    w.queue.pop_front();
                }
                cv_.notify_all();
                if (!tx) {
                    tx.emplace(*w.conn);
                    w.conn->copy_in_begin(copy_sql_);
                }
                w.conn->copy_in_put(item.first);
                rows += item.second;
                if (rows >= batch_rows_) {
                    w.copied += w.conn->copy_in_end();
                    tx->commit();
                    tx.reset();
                    rows = 0;
                }
            }
            if (tx) {
                w.copied += w.conn->copy_in_end();
                tx->commit();
            }
        } catch (const std::exception& e) {
            {
                std::lock_guard lock(mutex_);
                if (!failure_) {
                    failure_ = std::string("copying into our database: ") + e.what();
                }
            }
            cv_.notify_all();
        }
    }

    std::string copy_sql_;
    std::size_t batch_rows_;
    std::mutex mutex_;
    std::condition_variable cv_;
    std::vector<std::unique_ptr<worker>> workers_;
    std::size_t next_ = 0;
    std::optional<std::string> failure_;
    bool finished_ = false;
};

// ---- the import ---------------------------------------------------------------------------------------

using catalog = std::map<std::string, std::map<std::string, std::string>>;  // "schema.table" -> column -> type

class importer {
public:
    importer(db::connection& target, db::connection& source, const import_options& options)
        : target_(target), source_(source), options_(options), rejects_(options.reject_path) {}

    import_summary run() {
        if (db::applied_version(target_) < db::latest_version()) {
            throw import_error("the target database schema is behind: run `robotoffd migrate` first");
        }
        target_.exec(create_map_sql);
        target_.exec(create_state_sql);

        source_.exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
        source_.exec("SET LOCAL TimeZone = 'UTC'");
        read_catalog();
        if (!catalog_.contains("public.product_insight")) {
            throw import_error("the source database has no public.product_insight table: not a Robotoff database");
        }
        for (const table_def* t : {&image_table, &prediction_table, &insight_table, &vote_table}) {
            summary_.tables.push_back(import_table(*t));
        }
        for (const auto& t : not_imported) {
            table_summary s;
            s.table = std::string(t.schema) == "public" ? t.name : std::string(t.schema) + "." + t.name;
            if (!catalog_.contains(std::string(t.schema) + "." + t.name)) {
                s.note = "absent in source";
            } else {
                s.note = "not imported (no table yet)";
                s.read = source_.exec("SELECT count(*) FROM " + quoted(t.schema) + "." + quoted(t.name)).get_int(0, 0);
            }
            summary_.tables.push_back(std::move(s));
        }
        source_.exec("COMMIT");
        rebuild_derived_state();
        rejects_.close();
        for (const auto& t : summary_.tables) {
            summary_.skipped += t.skipped;
        }
        if (summary_.skipped > 0) {
            summary_.reject_path = options_.reject_path;
        }
        return std::move(summary_);
    }

private:
    void read_catalog() {
        auto r = source_.exec(
            "SELECT table_schema || '.' || table_name, column_name, data_type FROM information_schema.columns "
            "WHERE table_schema IN ('public', 'embedding')");
        for (int i = 0; i < r.rows(); ++i) {
            catalog_[r.get_string(i, 0)][r.get_string(i, 1)] = r.get_string(i, 2);
        }
    }

    // The source expression of one target column.
    std::string source_expr(const std::map<std::string, std::string>& columns, const column& c) const {
        const auto it = columns.find(c.name);
        std::string expr;
        if (it != columns.end()) {
            expr = quoted(c.name);
            if (it->second == "timestamp with time zone") {
                expr = "(" + expr + " AT TIME ZONE 'UTC')";
            } else if (c.json && it->second == "json") {
                expr += "::jsonb";
            }
        }
        if (expr.empty()) {
            return c.fallback ? c.fallback : (c.json ? "NULL::jsonb" : "NULL");
        }
        return c.fallback ? "COALESCE(" + expr + ", " + c.fallback + ")" : expr;
    }

    static std::string bbox_valid(const std::string& expr) {
        return "CASE WHEN jsonb_typeof(" + expr + ") <> 'array' THEN false WHEN jsonb_array_length(" + expr +
               ") <> 4 THEN false ELSE jsonb_typeof(" + expr + " -> 0) = 'number' AND jsonb_typeof(" + expr +
               " -> 1) = 'number' AND jsonb_typeof(" + expr + " -> 2) = 'number' AND jsonb_typeof(" + expr +
               " -> 3) = 'number' END";
    }

    // COPY (SELECT <columns>, <reject reason or NULL>) TO STDOUT.
    std::string source_copy_sql(const table_def& t) const {
        const auto& columns = catalog_.at(std::string("public.") + t.name);
        std::string select;
        for (const auto& c : t.columns) {
            select += select.empty() ? "" : ", ";
            select += source_expr(columns, c);
        }
        std::string check = "NULL::text";
        if (&t == &insight_table || &t == &prediction_table) {
            const std::string data = source_expr(columns, {"data", "'{}'::jsonb", true});
            check = "CASE WHEN jsonb_typeof(" + data + ") <> 'object' THEN 'data is not a JSON object'";
            if (&t == &insight_table) {
                const std::string box = source_expr(columns, {"bounding_box", nullptr, true});
                const std::string data_box = "(" + data + " -> 'bounding_box')";
                check += " WHEN " + box + " IS NOT NULL AND jsonb_typeof(" + box + ") <> 'null' AND NOT (" +
                         bbox_valid(box) + ") THEN 'bounding_box is not four numbers'";
                check += " WHEN " + data_box + " IS NOT NULL AND jsonb_typeof(" + data_box + ") <> 'null' AND NOT (" +
                         bbox_valid(data_box) + ") THEN 'data.bounding_box is not four numbers'";
            }
            check += " END";
        }
        std::string sql = "COPY (SELECT " + select + ", " + check + " FROM public." + quoted(t.name);
        if (t.order_by) {
            sql += std::string(" ORDER BY ") + t.order_by;
        }
        return sql + ") TO STDOUT";
    }

    std::string target_columns(const table_def& t, bool with_key) const {
        std::string out;
        for (std::size_t i = with_key ? 0 : 1; i < t.columns.size(); ++i) {
            out += out.empty() ? "" : ", ";
            out += quoted(t.columns[i].name);
        }
        return out;
    }

    std::string stage_name(const table_def& t) const { return std::string("robotoff_stage_") + t.name; }

    void create_stage(const table_def& t) {
        const std::string key = t.key == key_kind::serial ? "0::bigint AS source_id, " : "";
        const std::string cols = target_columns(t, t.key == key_kind::uuid);
        target_.exec("CREATE TEMP TABLE IF NOT EXISTS " + stage_name(t) + " ON COMMIT DELETE ROWS AS SELECT " + key +
                     cols + " FROM " + t.name + " LIMIT 0");
    }

    // Drops the non-unique secondary indexes of an empty table, remembering their definitions.
    void drop_secondary_indexes(const table_def& t) {
        db::transaction tx(target_);
        auto r = target_.exec(secondary_indexes_sql, {t.name});
        for (int i = 0; i < r.rows(); ++i) {
            target_.exec(remember_index_sql, {r.get_string(i, 0), r.get_string(i, 1)});
            target_.exec(target_.exec(drop_index_sql, {r.get_string(i, 0)}).get_string(0, 0));
        }
        tx.commit();
        core::log::info("import_robotoff.indexes_dropped", {{"table", t.name}, {"count", r.rows()}});
    }

    // Validates and normalizes one source row into `out` (COPY text for our table); the reject reason else.
    std::optional<std::string> transform(const table_def& t, const std::vector<std::string_view>& f,
                                         table_summary& s, std::string& out) {
        if (f.size() != t.columns.size() + 1) {
            return "unexpected number of fields";
        }
        if (!copy_text::is_null(f.back())) {
            return copy_text::decode(f.back());
        }
        std::string barcode;
        if (t.barcode_col >= 0) {
            const auto raw = f[static_cast<std::size_t>(t.barcode_col)];
            if (copy_text::is_null(raw)) {
                return "barcode is null";
            }
            barcode = core::normalize_barcode(copy_text::decode(raw));
            if (barcode.empty()) {
                return "barcode is empty";
            }
        }
        std::string_view server_type = "off";  // a NULL server_type is Open Food Facts
        if (t.server_type_col >= 0) {
            const auto raw = f[static_cast<std::size_t>(t.server_type_col)];
            if (!copy_text::is_null(raw)) {
                const auto parsed = core::parse_server_type(copy_text::decode(raw));
                if (!parsed) {
                    return "unknown server_type '" + copy_text::decode(raw) + "'";
                }
                server_type = core::to_string(*parsed);
            }
        }
        if (t.type_col >= 0) {
            const auto raw = f[static_cast<std::size_t>(t.type_col)];
            if (copy_text::is_null(raw)) {
                return "type is null";
            }
            const std::string type = copy_text::decode(raw);
            const bool known =
                &t == &insight_table ? insights::is_insight_type(type) : insights::is_prediction_type(type);
            if (!known) {
                ++s.unknown_types;
                if (s.unknown_type_names.size() < 50 || s.unknown_type_names.contains(type)) {
                    ++s.unknown_type_names[type];
                }
            }
        }
        if (&t == &insight_table) {
            const auto a = f[6];
            if (!copy_text::is_null(a) && a != "-1" && a != "0" && a != "1" && a != "2") {
                return "annotation " + copy_text::decode(a) + " is outside -1..2";
            }
        } else if (&t == &vote_table) {
            const auto v = f[3];
            if (v != "-1" && v != "0" && v != "1") {
                return "vote value " + copy_text::decode(v) + " is not -1, 0 or 1";
            }
            if (copy_text::is_null(f[4])) {
                return "device_id is null";
            }
        } else if (&t == &image_table) {
            const auto id = f[3];
            if (copy_text::is_null(id) || !core::is_all_digits(copy_text::decode(id))) {
                return "image_id is not the id of a raw image";
            }
            if (copy_text::is_null(f[4]) || copy_text::is_null(f[5]) || copy_text::is_null(f[6])) {
                return "source_image, width or height is null";
            }
        }
        for (std::size_t i = 0; i + 1 < f.size(); ++i) {
            if (i > 0) {
                out += '\t';
            }
            if (static_cast<int>(i) == t.barcode_col) {
                copy_text::append_encoded(out, barcode);
            } else if (static_cast<int>(i) == t.server_type_col) {
                out += server_type;
            } else {
                out += f[i];
            }
        }
        out += '\n';
        return std::nullopt;
    }

    table_summary import_table(const table_def& t) {
        table_summary s;
        s.table = t.name;
        if (!catalog_.contains(std::string("public.") + t.name)) {
            s.note = "absent in source";
            return s;
        }
        const auto started = clock_type::now();
        const bool empty = target_.exec(replace_all(table_empty_sql, "%s", t.name)).get_bool(0, 0);
        if (empty && options_.fast_load) {
            drop_secondary_indexes(t);
        }
        // An empty product_insight takes the rows straight from COPY: no conflict is possible (the source's
        // ids are unique and nothing was there).
        const bool direct = empty && options_.fast_load && &t == &insight_table;
        std::string sequence;
        if (t.key == key_kind::serial) {
            sequence = target_.exec(serial_sequence_sql, {t.name}).get_string(0, 0);
        }
        if (!direct) {
            create_stage(t);
        }
        const std::string copy_in_sql =
            direct ? "COPY product_insight (" + target_columns(t, true) + ") FROM STDIN"
                   : "COPY " + stage_name(t) + " FROM STDIN";

        std::optional<db::transaction> tx;
        std::string chunk;
        std::size_t batch = 0;
        std::size_t chunk_rows = 0;
        std::vector<std::string_view> fields;
        auto last_progress = started;
        std::unique_ptr<parallel_copier> copier;
        if (direct && !options_.target_url.empty()) {
            copier = std::make_unique<parallel_copier>(options_.target_url, options_.connect_timeout_s, 2, copy_in_sql,
                                                       options_.batch_rows);
        }
        auto flush_chunk = [&] {
            if (chunk.empty()) {
                return;
            }
            if (copier) {
                copier->put(std::move(chunk), chunk_rows);
                chunk = std::string();
                chunk.reserve(1 << 19);
            } else {
                target_.copy_in_put(chunk);
                chunk.clear();
            }
            chunk_rows = 0;
        };

        auto finish_batch = [&] {
            if (!tx) {
                return;
            }
            flush_chunk();
            const long long copied = target_.copy_in_end();
            if (direct) {
                s.written += copied;
            } else {
                apply_stage(t, sequence, copied, s);
            }
            tx->commit();
            tx.reset();
            batch = 0;
        };

        source_.copy_out(source_copy_sql(t), [&](std::string_view row) {
            ++s.read;
            copy_text::split(row, fields);
            if (!tx && !copier) {
                tx.emplace(target_);
                target_.copy_in_begin(copy_in_sql);
            }
            const auto before = chunk.size();
            if (auto reason = transform(t, fields, s, chunk)) {
                chunk.resize(before);
                ++s.skipped;
                rejects_.add(t.name, fields.empty() ? "" : copy_text::decode(fields[0]), *reason);
            } else {
                ++batch;
                ++chunk_rows;
            }
            if (chunk.size() >= (1 << 18)) {
                flush_chunk();
            }
            if (batch >= options_.batch_rows && !copier) {
                finish_batch();
            }
            if ((s.read & 1023) == 0 && options_.on_progress) {
                const auto now = clock_type::now();
                if (now - last_progress >= std::chrono::milliseconds(250)) {
                    last_progress = now;
                    options_.on_progress({t.name, s.read, std::chrono::duration<double>(now - started).count(), false});
                }
            }
        });
        if (copier) {
            flush_chunk();
            s.written += copier->finish();
        } else {
            finish_batch();
        }
        s.seconds = std::chrono::duration<double>(clock_type::now() - started).count();
        const auto indexes_started = clock_type::now();
        s.indexes_rebuilt = rebuild_indexes(t.name);
        s.index_seconds = std::chrono::duration<double>(clock_type::now() - indexes_started).count();
        if (options_.on_progress) {
            options_.on_progress({t.name, s.read, s.seconds, true});
        }
        core::log::info("import_robotoff.table", {{"table", t.name}, {"read", s.read}, {"written", s.written},
                                                  {"present", s.present}, {"merged", s.merged},
                                                  {"skipped", s.skipped}, {"seconds", s.seconds},
                                                  {"indexes_rebuilt", s.indexes_rebuilt},
                                                  {"index_seconds", s.index_seconds}});
        return s;
    }

    // Moves one batch from the staging table into the table (inside the batch transaction).
    void apply_stage(const table_def& t, const std::string& sequence, long long staged, table_summary& s) {
        long long written = 0;
        long long present = 0;
        long long orphans = 0;
        if (&t == &insight_table) {
            auto r = target_.exec(replace_all(insert_insights_sql, "%COLUMNS%", target_columns(t, true)));
            written = r.get_int(0, 0);
            present = r.get_int(0, 1);
        } else if (&t == &vote_table) {
            auto o = target_.exec(orphan_votes_sql);
            for (int i = 0; i < o.rows(); ++i) {
                rejects_.add(t.name, o.get_string(i, 0), "vote without its insight " + o.get_string(i, 1));
            }
            orphans = o.rows();
            auto r = target_.exec(replace_all(insert_votes_sql, "%COLUMNS%", target_columns(t, true)));
            written = r.get_int(0, 0);
            present = r.get_int(0, 1);
        } else {
            const std::string cols = target_columns(t, false);
            std::string sql = replace_all(insert_mapped_sql, "%STAGE%", stage_name(t));
            sql = replace_all(sql, "%TABLE%", t.name);
            sql = replace_all(sql, "%COLUMNS%", cols);
            auto r = target_.exec(sql, {t.name, sequence});
            written = r.get_int(0, 0);
            present = r.get_int(0, 1);
        }
        s.written += written;
        s.present += present;
        s.skipped += orphans;
        s.merged += staged - orphans - written - present;
    }

    // Rebuilds the dropped indexes of `table` (all tables when null), two at a time on two connections when
    // options.target_url is set. Each index and the removal of its state row commit together, so a stop
    // leaves the rest for the next run. Returns how many were rebuilt.
    std::size_t rebuild_indexes(const char* table) {
        auto pending = target_.exec(pending_indexes_sql, {table ? db::param(table) : db::param()});
        std::vector<std::pair<std::string, std::string>> work;
        for (int i = 0; i < pending.rows(); ++i) {
            work.emplace_back(pending.get_string(i, 0), pending.get_string(i, 1));
        }
        if (work.empty()) {
            return 0;
        }
        if (options_.on_progress && table) {
            table_progress p;
            p.table = table;
            p.indexes = work.size();
            options_.on_progress(p);
        }
        std::mutex mutex;
        std::size_t next = 0;
        std::optional<std::string> failure;
        auto worker = [&](db::connection& conn) {
            conn.exec("SET maintenance_work_mem = '256MB'");
            while (true) {
                std::pair<std::string, std::string> item;
                {
                    std::lock_guard lock(mutex);
                    if (next >= work.size() || failure) {
                        return;
                    }
                    item = work[next++];
                }
                db::transaction tx(conn);
                try {
                    conn.exec(item.second);
                } catch (const db::db_error& e) {
                    if (e.sqlstate() != "42P07") {  // already there (created by hand): fine
                        throw;
                    }
                    tx.commit();  // the failed statement aborted the transaction: end it, then forget
                    conn.exec(forget_index_sql, {item.first});
                    continue;
                }
                conn.exec(forget_index_sql, {item.first});
                tx.commit();
            }
        };
        auto guarded = [&](db::connection* conn) {
            try {
                if (conn) {
                    worker(*conn);
                } else {
                    db::connection second(options_.target_url, 0, options_.connect_timeout_s,
                                          "robotoffd-import-robotoff");
                    worker(second);
                }
            } catch (const std::exception& e) {
                std::lock_guard lock(mutex);
                if (!failure) {
                    failure = std::string("rebuilding indexes: ") + e.what();
                }
            }
        };
        {
            std::optional<std::jthread> helper;
            if (!options_.target_url.empty() && work.size() > 1) {
                helper.emplace([&] { guarded(nullptr); });
            }
            guarded(&target_);
        }
        if (failure) {
            throw import_error(*failure + " (run import-robotoff again to finish)");
        }
        return work.size();
    }

    // Derived state left after the tables: dropped indexes not rebuilt yet (a stopped earlier run), then the
    // planner statistics. The hot listings and count caches of a serving node are in memory and at most a
    // second old, so they follow by themselves; no job is copied (Robotoff's queue lives in Redis).
    void rebuild_derived_state() {
        std::size_t indexes = 0;
        for (const auto& t : summary_.tables) {
            indexes += t.indexes_rebuilt;
        }
        if (const auto left = rebuild_indexes(nullptr); left > 0) {
            summary_.rebuilt.emplace_back(std::to_string(left) + " indexes left by an earlier run");
        }
        if (indexes > 0) {
            summary_.rebuilt.emplace_back(std::to_string(indexes) + " indexes dropped for the copy");
        }
        for (const table_def* t : {&image_table, &prediction_table, &insight_table, &vote_table}) {
            target_.exec(std::string("ANALYZE ") + t->name);
        }
        summary_.rebuilt.emplace_back("planner statistics (ANALYZE) of image, prediction, product_insight, "
                                      "annotation_vote");
    }

    db::connection& target_;
    db::connection& source_;
    const import_options& options_;
    reject_file rejects_;
    catalog catalog_;
    import_summary summary_;
};

}  // namespace

namespace {

// [begin, end) of every password in a DSN: URI user:password@host, and password=... (conninfo or URI query).
std::vector<std::pair<std::size_t, std::size_t>> password_spans(const std::string& url) {
    std::vector<std::pair<std::size_t, std::size_t>> spans;
    const auto scheme = url.find("://");
    if (scheme != std::string::npos) {
        const auto at = url.find('@', scheme + 3);
        const auto slash = url.find('/', scheme + 3);
        if (at != std::string::npos && (slash == std::string::npos || at < slash)) {
            const auto colon = url.find(':', scheme + 3);
            if (colon != std::string::npos && colon < at) {
                spans.emplace_back(colon + 1, at);
            }
        }
    }
    for (auto at = url.find("password="); at != std::string::npos; at = url.find("password=", at + 1)) {
        auto end = at + 9;
        if (end < url.size() && url[end] == '\'') {
            end = url.find('\'', end + 1);
            end = end == std::string::npos ? url.size() : end + 1;
        } else {
            while (end < url.size() && url[end] != ' ' && url[end] != '&') {
                ++end;
            }
        }
        spans.emplace_back(at + 9, end);
    }
    return spans;
}

}  // namespace

std::string redact_dsn(const std::string& url) {
    std::string out = url;
    auto spans = password_spans(url);
    // Right to left, so that earlier offsets stay valid.
    std::sort(spans.begin(), spans.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    for (const auto& [begin, end] : spans) {
        out.replace(begin, end - begin, "***");
    }
    return out;
}

import_summary import_robotoff(db::connection& target, const import_options& options) {
    std::unique_ptr<db::connection> source;
    try {
        source = std::make_unique<db::connection>(options.source_url, 0, options.connect_timeout_s,
                                                  "robotoffd-import-robotoff");
    } catch (const db::db_error& e) {
        // libpq's message may quote parts of the DSN: hide the password, whatever the form.
        std::string message = e.what();
        for (const auto& [begin, end] : password_spans(options.source_url)) {
            if (end > begin) {
                message = replace_all(message, options.source_url.substr(begin, end - begin), "***");
            }
        }
        throw import_error("cannot connect to the source database " + redact_dsn(options.source_url) + ": " +
                           message);
    }
    importer run(target, *source, options);
    return run.run();
}

}  // namespace robotoff::migrate

namespace robotoff::migrate {

std::string format_summary(const import_summary& summary) {
    std::string out;
    char line[256];
    std::snprintf(line, sizeof line, "%-26s %10s %10s %10s %8s %8s %8s %8s %9s\n", "table", "read", "written",
                  "present", "merged", "skipped", "copy s", "index s", "rows/s");
    out += line;
    for (const auto& t : summary.tables) {
        if (!t.note.empty()) {
            if (t.note == "absent in source") {
                std::snprintf(line, sizeof line, "%-26s %s\n", t.table.c_str(), t.note.c_str());
            } else {
                std::snprintf(line, sizeof line, "%-26s %10lld  %s\n", t.table.c_str(), t.read, t.note.c_str());
            }
            out += line;
            continue;
        }
        // The rate counts the index rebuild of the table: the time the table really took.
        const double total = t.seconds + t.index_seconds;
        const double rate = total > 0 ? static_cast<double>(t.read) / total : 0;
        std::snprintf(line, sizeof line, "%-26s %10lld %10lld %10lld %8lld %8lld %8.1f %8.1f %9.0f\n", t.table.c_str(),
                      t.read, t.written, t.present, t.merged, t.skipped, t.seconds, t.index_seconds, rate);
        out += line;
        if (t.unknown_types > 0) {
            out += "  " + std::to_string(t.unknown_types) + " rows of types unknown to robotoffd, kept:";
            for (const auto& [name, n] : t.unknown_type_names) {
                out += " " + name + "=" + std::to_string(n);
            }
            out += '\n';
        }
    }
    for (const auto& r : summary.rebuilt) {
        out += "rebuilt: " + r + '\n';
    }
    if (summary.skipped > 0) {
        out += std::to_string(summary.skipped) + " rows skipped, listed in " + summary.reject_path + '\n';
    } else {
        out += "no row skipped\n";
    }
    return out;
}

}  // namespace robotoff::migrate
