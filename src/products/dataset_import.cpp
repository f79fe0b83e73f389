#include "robotoff/products/dataset_import.hpp"

#include "robotoff/core/file_io.hpp"
#include "robotoff/core/json.hpp"
#include "robotoff/core/log.hpp"
#include "robotoff/products/field_filter.hpp"
#include "robotoff/products/product.hpp"
#include "robotoff/products/repository.hpp"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <cstdio>
#include <exception>
#include <mutex>
#include <thread>
#include <unordered_set>

namespace robotoff::products {
namespace {

constexpr const char* create_staging_sql =
    "CREATE TEMP TABLE IF NOT EXISTS product_import_batch (LIKE product INCLUDING DEFAULTS INCLUDING COMPRESSION) "
    "ON COMMIT DELETE ROWS";

// The same columns, in the order append_row writes them.
constexpr const char* copy_sql =
    "COPY product_import_batch (server_type, barcode, product_name, lang, record, brands_tags, countries_tags, "
    "categories_tags, labels_tags, unique_scans_n, last_modified_t, source) FROM STDIN";
constexpr const char* copy_direct_sql =
    "COPY product (server_type, barcode, product_name, lang, record, brands_tags, countries_tags, "
    "categories_tags, labels_tags, unique_scans_n, last_modified_t, source) FROM STDIN";

constexpr const char* merge_sql = R"SQL(
INSERT INTO product (server_type, barcode, product_name, lang, record, brands_tags, countries_tags,
                     categories_tags, labels_tags, unique_scans_n, last_modified_t, deleted, fetched_at, source)
SELECT server_type, barcode, product_name, lang, record, brands_tags, countries_tags, categories_tags,
       labels_tags, unique_scans_n, last_modified_t, false, now(), source
FROM product_import_batch
ON CONFLICT (server_type, barcode) DO UPDATE SET
    product_name = EXCLUDED.product_name, lang = EXCLUDED.lang, record = EXCLUDED.record,
    brands_tags = EXCLUDED.brands_tags, countries_tags = EXCLUDED.countries_tags,
    categories_tags = EXCLUDED.categories_tags, labels_tags = EXCLUDED.labels_tags,
    unique_scans_n = EXCLUDED.unique_scans_n, last_modified_t = EXCLUDED.last_modified_t,
    deleted = false, fetched_at = now(), source = EXCLUDED.source
)SQL";

constexpr const char* mark_absent_sql =
    "UPDATE product SET deleted = true WHERE server_type = $1 AND NOT deleted AND fetched_at < $2::timestamptz";

struct batch {
    std::string payload;  // COPY text rows
    std::size_t rows = 0;
};

// Writes batches on its own thread so parsing the next batch overlaps with PostgreSQL's work.
// At most `max_pending` batches wait (a few MB each); submit() blocks while they are there (bounded
// memory), and they absorb PostgreSQL's pauses (checkpoints) without stopping the parser.
class batch_writer {
public:
    static constexpr std::size_t max_pending = 3;

    explicit batch_writer(db::connection& conn) : conn_(conn), thread_([this] { run(); }) {}
    ~batch_writer() { finish_no_throw(); }

    void submit(batch b) {
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [&] { return pending_.size() < max_pending || failed_; });
        rethrow_locked();
        pending_.push_back(std::move(b));
        changed_.notify_all();
    }

    // Waits for every submitted batch; rethrows the writer's failure.
    void finish() {
        finish_no_throw();
        std::lock_guard lock(mutex_);
        rethrow_locked();
    }

    std::uint64_t written() const {
        std::lock_guard lock(mutex_);
        return written_;
    }

private:
    void finish_no_throw() {
        {
            std::lock_guard lock(mutex_);
            stopping_ = true;
            changed_.notify_all();
        }
        if (thread_.joinable()) {
            thread_.join();
        }
    }

    void rethrow_locked() {
        if (failed_) {
            std::exception_ptr e = failure_;
            failure_ = nullptr;
            if (e) {
                std::rethrow_exception(e);
            }
        }
    }

    void run() {
        for (;;) {
            batch b;
            {
                std::unique_lock lock(mutex_);
                changed_.wait(lock, [&] { return !pending_.empty() || stopping_; });
                if (pending_.empty()) {
                    return;
                }
                b = std::move(pending_.front());
                pending_.pop_front();
                changed_.notify_all();
            }
            try {
                db::transaction tx(conn_);
                write(b);
                tx.commit();
                std::lock_guard lock(mutex_);
                written_ += b.rows;
            } catch (...) {
                std::lock_guard lock(mutex_);
                failed_ = true;
                failure_ = std::current_exception();
                changed_.notify_all();
                return;
            }
        }
    }

    // New products (a first import) are copied straight into `product`. The first batch that meets a known
    // barcode is rolled back to its savepoint and upserted through the staging table (30% more work), and so
    // is every later batch: a dump that overlaps the table once is a re-import.
    void write(const batch& b) {
        if (copy_directly_) {
            conn_.exec("SAVEPOINT direct_copy");
            try {
                conn_.copy_in(copy_direct_sql, b.payload);
                conn_.exec("RELEASE SAVEPOINT direct_copy");
                return;
            } catch (const db::db_error& e) {
                if (e.sqlstate() != "23505") {
                    throw;
                }
                conn_.exec("ROLLBACK TO SAVEPOINT direct_copy");
                copy_directly_ = false;
            }
        }
        conn_.copy_in(copy_sql, b.payload);
        conn_.exec(merge_sql);
    }

    db::connection& conn_;
    bool copy_directly_ = true;
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::deque<batch> pending_;
    bool stopping_ = false;
    bool failed_ = false;
    std::exception_ptr failure_;
    std::uint64_t written_ = 0;
    std::jthread thread_;
};

void append_json_list(std::string& out, const std::vector<std::string>& items) {
    append_copy_field(out, core::json_string_array(items));
}

void append_row(std::string& out, const product& p) {
    out += core::to_string(p.server_type);
    out += '\t';
    append_copy_field(out, p.barcode);
    out += '\t';
    if (p.product_name.empty()) {
        out += "\\N";
    } else {
        append_copy_field(out, p.product_name);
    }
    out += '\t';
    if (p.lang.empty()) {
        out += "\\N";
    } else {
        append_copy_field(out, p.lang.substr(0, 10));
    }
    out += '\t';
    append_copy_field(out, record_to_json(p));
    out += '\t';
    append_json_list(out, p.brands_tags);
    out += '\t';
    append_json_list(out, p.countries_tags);
    out += '\t';
    append_json_list(out, p.categories_tags);
    out += '\t';
    append_json_list(out, p.labels_tags);
    out += '\t';
    long long scans = p.unique_scans_n;
    if (scans > 2147483647LL || scans < 0) {
        scans = scans < 0 ? 0 : 2147483647LL;
    }
    out += std::to_string(scans);
    out += '\t';
    out += p.last_modified_t ? std::to_string(*p.last_modified_t) : std::string("\\N");
    out += "\tdump\n";
}

}  // namespace

dataset_import_summary import_dataset(db::connection& conn, const std::string& path,
                                      const dataset_import_options& options) {
    using clock = std::chrono::steady_clock;
    const auto started = clock::now();
    core::line_reader reader(path);
    conn.exec(create_staging_sql);
    const std::string run_start = conn.exec("SELECT now()::text").get_string(0, 0);

    dataset_import_summary summary;
    std::size_t batch_size = options.batch_size == 0 ? 1 : options.batch_size;
    batch current;
    std::unordered_set<std::string> in_batch;
    auto last_progress = started;
    auto elapsed = [&] { return std::chrono::duration<double>(clock::now() - started).count(); };
    auto report = [&](std::uint64_t written) {
        if (options.on_progress) {
            options.on_progress({reader.raw_offset(), reader.raw_size(), summary.lines, written, elapsed()});
        }
    };

    rapidjson::MemoryPoolAllocator<> value_alloc(1 << 16);
    // One allocator reused for every line: parsing allocates nothing per line once it has grown.
    rapidjson::Document doc(&value_alloc);
    std::string line;
    field_filter fields(options.languages);
    std::string kept;  // the fields of `line` the product record needs
    {
        batch_writer writer(conn);
        auto flush = [&] {
            if (current.rows > 0) {
                writer.submit(std::move(current));
                current = batch{};
                in_batch.clear();
            }
        };
        try {
            while (reader.next(line)) {
                ++summary.lines;
                if ((summary.lines & 255) == 0 && options.on_progress &&
                    clock::now() - last_progress > std::chrono::milliseconds(200)) {
                    last_progress = clock::now();
                    report(writer.written());
                }
                if (line.find_first_not_of(" \t\r") == std::string::npos) {
                    continue;
                }
                bool parsed = fields.filter(line, kept);
                if (parsed) {
                    doc.SetNull();
                    value_alloc.Clear();
                    // In situ: strings point into the `kept` buffer instead of being copied.
                    parsed = core::parse_json_insitu(kept.data(), doc) && doc.IsObject();
                }
                if (!parsed) {
                    ++summary.corrupt;
                    if (summary.corrupt_line_numbers.size() < 100) {
                        summary.corrupt_line_numbers.push_back(summary.lines);
                        core::log::warning("products.import.corrupt_line",
                                           {{"path", path}, {"line", summary.lines}});
                    }
                    continue;
                }
                product p = normalize_product(doc, options.type, {}, options.languages);
                if (p.barcode.empty()) {
                    ++summary.without_code;
                    continue;
                }
                if (!in_batch.insert(p.barcode).second) {
                    flush();  // the same code twice in one upsert statement is not allowed
                    in_batch.insert(p.barcode);
                }
                append_row(current.payload, p);
                ++current.rows;
                if (current.rows >= batch_size) {
                    flush();
                }
            }
        } catch (const core::io_error& e) {
            summary.error = e.what();
        }
        // What was read before a broken stream is still written: nothing already read is lost.
        flush();
        writer.finish();
        summary.products = writer.written();
    }
    if (options.complete && summary.error.empty()) {
        auto r = conn.exec(mark_absent_sql, {std::string(core::to_string(options.type)), run_start});
        summary.marked_deleted = static_cast<std::uint64_t>(r.affected());
    }
    summary.bytes = reader.raw_size();
    summary.seconds = elapsed();
    report(summary.products);
    return summary;
}

std::string format_summary(const dataset_import_summary& s) {
    char buf[512];
    double rate = s.seconds > 0 ? static_cast<double>(s.products) / s.seconds : 0.0;
    std::snprintf(buf, sizeof buf,
                  "imported %llu products from %llu lines in %.1f s (%.0f products/s, %.1f MB read); "
                  "corrupt lines %llu; without code %llu; marked deleted %llu",
                  static_cast<unsigned long long>(s.products), static_cast<unsigned long long>(s.lines), s.seconds,
                  rate, static_cast<double>(s.bytes) / 1e6, static_cast<unsigned long long>(s.corrupt),
                  static_cast<unsigned long long>(s.without_code), static_cast<unsigned long long>(s.marked_deleted));
    std::string out = buf;
    if (!s.corrupt_line_numbers.empty()) {
        out += " (lines";
        for (std::size_t i = 0; i < s.corrupt_line_numbers.size() && i < 10; ++i) {
            out += ' ';
            out += std::to_string(s.corrupt_line_numbers[i]);
        }
        if (s.corrupt_line_numbers.size() > 10) {
            out += " ...";
        }
        out += ')';
    }
    if (!s.error.empty()) {
        out += "; stopped early: " + s.error;
    }
    return out;
}

}  // namespace robotoff::products
