#pragma once
// One libpq connection with typed, parameterized queries. SQL text is always constant; values travel
// only as parameters (PQexecParams, text format). Not thread-safe: one thread at a time (a lease).
//
//   auto r = conn.exec("SELECT id, value FROM prediction WHERE barcode = $1 AND type = $2", {barcode, type});
//   for (int i = 0; i < r.rows(); ++i) { r.get_int(i, 0); r.get_optional(i, 1); }
//
//   db::transaction tx(conn);      // BEGIN
//   ... tx.commit();               // COMMIT; destructor without commit -> ROLLBACK

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

struct pg_conn;
struct pg_result;

namespace robotoff::db {

// Any database failure. sqlstate() is the SQLSTATE ("23505" unique violation, "57014" statement timeout, ...).
class db_error : public std::runtime_error {
public:
    db_error(std::string message, std::string sqlstate)
        : std::runtime_error(std::move(message)), sqlstate_(std::move(sqlstate)) {}
    const std::string& sqlstate() const { return sqlstate_; }

private:
    std::string sqlstate_;
};

// The database cannot be reached (connect failed or the connection broke): HTTP 503.
class unavailable : public db_error {
public:
    explicit unavailable(std::string message) : db_error(std::move(message), "08006") {}
};

// No connection became free before the deadline: HTTP 503 + Retry-After.
class pool_exhausted : public db_error {
public:
    explicit pool_exhausted(std::string message) : db_error(std::move(message), "53300") {}
};

// A query parameter: NULL or text. Constructible from strings, numbers, bools and optionals.
class param {
public:
    param() = default;  // NULL
    param(std::nullopt_t) {}
    param(const char* s) : value_(s ? std::optional<std::string>(s) : std::nullopt) {}
    param(std::string s) : value_(std::move(s)) {}
    param(std::string_view s) : value_(std::string(s)) {}
    param(int v) : value_(std::to_string(v)) {}
    param(long v) : value_(std::to_string(v)) {}
    param(long long v) : value_(std::to_string(v)) {}
    param(unsigned v) : value_(std::to_string(v)) {}
    param(unsigned long v) : value_(std::to_string(v)) {}
    param(unsigned long long v) : value_(std::to_string(v)) {}
    param(double v);
    param(bool v) : value_(v ? "true" : "false") {}
    template <typename T>
    param(const std::optional<T>& v) {
        if (v) {
            *this = param(*v);
        }
    }

    bool is_null() const { return !value_.has_value(); }
    const std::string& text() const { return *value_; }

private:
    std::optional<std::string> value_;
};

using params = std::vector<param>;

// Owns a PGresult. Row/column indexes are 0-based; accessors throw db_error on type mismatch.
class result {
public:
    result() = default;
    explicit result(pg_result* res);
    result(result&&) noexcept = default;
    result& operator=(result&&) noexcept = default;

    int rows() const;
    int columns() const;
    // Rows affected by INSERT/UPDATE/DELETE.
    long long affected() const;
    int column_index(const char* name) const;  // -1 if absent

    bool is_null(int row, int col) const;
    std::string_view get_view(int row, int col) const;  // empty for NULL
    std::string get_string(int row, int col) const;
    std::optional<std::string> get_optional(int row, int col) const;
    long long get_int(int row, int col) const;
    std::optional<long long> get_optional_int(int row, int col) const;
    double get_double(int row, int col) const;
    bool get_bool(int row, int col) const;

private:
    struct deleter {
        void operator()(pg_result* r) const;
    };
    std::unique_ptr<pg_result, deleter> res_;
};

class connection {
public:
    // Connects (blocking). Throws unavailable.
    connection(const std::string& url, int statement_timeout_ms, int connect_timeout_s,
               const std::string& application_name);
    ~connection();
    connection(const connection&) = delete;
    connection& operator=(const connection&) = delete;

    // Runs one statement with parameters. Throws db_error (unavailable when the connection broke).
    result exec(std::string_view sql, const params& values = {});
    // The same through a statement prepared once per connection (named after a hash of `sql`). For the hot
    // read queries: PostgreSQL spends ~1 ms planning a query on a table with ~25 indexes against ~0.1 ms
    // executing it. Not for queries whose best plan depends on the parameter values: a prepared statement
    // switches to a generic plan after five executions.
    result exec_prepared(std::string_view sql, const params& values = {});
    // Runs several statements without parameters (migrations). Throws db_error.
    void exec_script(std::string_view sql);
    // COPY ... FROM STDIN with the given text-format payload. Returns rows copied.
    long long copy_in(std::string_view copy_sql, std::string_view data);

    // Streaming COPY (import-robotoff). COPY takes no parameters: `copy_sql` must be built from constant
    // text and catalog identifiers only, never from values.
    // copy_out: runs `COPY ... TO STDOUT` and calls on_row once per row (text format: the line with its
    // '\n'), as rows arrive, so memory stays bounded. Returns rows. If on_row throws, the connection is left
    // mid-COPY: discard it.
    long long copy_out(std::string_view copy_sql, const std::function<void(std::string_view row)>& on_row);
    // copy_in_begin/put/end: one `COPY ... FROM STDIN` fed in pieces; copy_in_end returns rows copied.
    void copy_in_begin(std::string_view copy_sql);
    void copy_in_put(std::string_view data);
    long long copy_in_end();

    bool broken() const;
    bool in_transaction() const;
    // LISTEN support for the job queue: returns pending notification channel names (non-blocking).
    std::vector<std::string> take_notifications();
    // Waits up to `timeout_ms` for the socket to become readable (notifications). Returns false on timeout.
    bool wait_readable(int timeout_ms);

    pg_conn* native() { return conn_.get(); }

private:
    // Reads every pending result; sums their affected rows; throws the first error (unavailable when the
    // connection broke).
    long long drain_results();
    // Runs a COPY statement and checks it entered the expected state (PGRES_COPY_IN or PGRES_COPY_OUT).
    void start_copy(std::string_view copy_sql, int expected_status);

    struct deleter {
        void operator()(pg_conn* c) const;
    };
    std::unique_ptr<pg_conn, deleter> conn_;
    std::unordered_set<std::string> prepared_;  // statement names prepared on this connection
};

// BEGIN on construction; ROLLBACK on destruction unless commit() was called.
class transaction {
public:
    explicit transaction(connection& conn);
    ~transaction();
    transaction(const transaction&) = delete;
    transaction& operator=(const transaction&) = delete;

    void commit();
    connection& conn() { return conn_; }

private:
    connection& conn_;
    bool done_ = false;
};

// 64-bit key for pg_advisory_xact_lock from a product key "{server_type}:{barcode}" (stable hash).
long long advisory_key(std::string_view text);

// {"a","b \"c\""}: a PostgreSQL array literal, every element quoted and escaped, for a `$n::text[]`
// parameter (`= ANY($1::text[])`, `?| $1::text[]`).
std::string array_literal(const std::vector<std::string>& items);
// {1,2,3}: the same for a `$n::bigint[]` parameter.
std::string array_literal(const std::vector<long long>& items);

}  // namespace robotoff::db
