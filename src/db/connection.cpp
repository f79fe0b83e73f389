#include "robotoff/db/connection.hpp"

#include <libpq-fe.h>
#include <poll.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>

namespace robotoff::db {

namespace {

std::string error_message(PGconn* conn) {
    std::string message = conn ? PQerrorMessage(conn) : "no connection";
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) {
        message.pop_back();
    }
    return message;
}

// Throws the right db_error for a failed result (or a broken connection).
[[noreturn]] void throw_result_error(PGconn* conn, PGresult* res) {
    const char* state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
    std::string message = res ? PQresultErrorMessage(res) : "";
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) {
        message.pop_back();
    }
    if (message.empty()) {
        message = error_message(conn);
    }
    if (PQstatus(conn) == CONNECTION_BAD) {
        throw unavailable("database connection lost: " + message);
    }
    throw db_error(message, state ? state : "");
}

}  // namespace

param::param(double v) {
    if (std::isnan(v)) {
        value_ = "NaN";
        return;
    }
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.17g", v);
    value_ = buffer;
}

void result::deleter::operator()(pg_result* r) const { PQclear(r); }

result::result(pg_result* res) : res_(res) {}

int result::rows() const { return res_ ? PQntuples(res_.get()) : 0; }

int result::columns() const { return res_ ? PQnfields(res_.get()) : 0; }

long long result::affected() const {
    if (!res_) {
        return 0;
    }
    const char* n = PQcmdTuples(res_.get());
    return (n && *n) ? std::atoll(n) : 0;
}

int result::column_index(const char* name) const { return res_ ? PQfnumber(res_.get(), name) : -1; }

bool result::is_null(int row, int col) const { return PQgetisnull(res_.get(), row, col) != 0; }

std::string_view result::get_view(int row, int col) const {
    if (is_null(row, col)) {
        return {};
    }
    return std::string_view(PQgetvalue(res_.get(), row, col),
                            static_cast<std::size_t>(PQgetlength(res_.get(), row, col)));
}

std::string result::get_string(int row, int col) const { return std::string(get_view(row, col)); }

std::optional<std::string> result::get_optional(int row, int col) const {
    if (is_null(row, col)) {
        return std::nullopt;
    }
    return get_string(row, col);
}

long long result::get_int(int row, int col) const {
    if (is_null(row, col)) {
        throw db_error("unexpected NULL in integer column " + std::to_string(col), "");
    }
    return std::atoll(PQgetvalue(res_.get(), row, col));
}

std::optional<long long> result::get_optional_int(int row, int col) const {
    if (is_null(row, col)) {
        return std::nullopt;
    }
    return get_int(row, col);
}

double result::get_double(int row, int col) const {
    if (is_null(row, col)) {
        throw db_error("unexpected NULL in numeric column " + std::to_string(col), "");
    }
    return std::strtod(PQgetvalue(res_.get(), row, col), nullptr);
}

bool result::get_bool(int row, int col) const {
    const auto v = get_view(row, col);
    return v == "t" || v == "true";
}

void connection::deleter::operator()(pg_conn* c) const { PQfinish(c); }

connection::connection(const std::string& url, int statement_timeout_ms, int connect_timeout_s,
                       const std::string& application_name) {
    // Keyword/value arrays with expand_dbname: `url` may be a URI or a conninfo string; our keys override.
    const std::string timeout = std::to_string(connect_timeout_s);
    const std::string options = "-c statement_timeout=" + std::to_string(statement_timeout_ms);
    const char* keys[] = {"dbname", "application_name", "connect_timeout", "options", nullptr};
    const char* values[] = {url.c_str(), application_name.c_str(), timeout.c_str(), options.c_str(), nullptr};
    conn_.reset(PQconnectdbParams(keys, values, 1));
    if (!conn_ || PQstatus(conn_.get()) != CONNECTION_OK) {
        throw unavailable("cannot connect to PostgreSQL: " + error_message(conn_.get()));
    }
    // Server NOTICEs ("relation ... already exists, skipping") are not errors: keep them out of stderr.
    PQsetNoticeProcessor(conn_.get(), [](void*, const char*) {}, nullptr);
}

connection::~connection() = default;

result connection::exec(std::string_view sql, const params& values) {
    std::vector<const char*> raw;
    raw.reserve(values.size());
    for (const auto& p : values) {
        raw.push_back(p.is_null() ? nullptr : p.text().c_str());
    }
    const std::string text(sql);
    PGresult* res = PQexecParams(conn_.get(), text.c_str(), static_cast<int>(raw.size()), nullptr, raw.data(),
                                 nullptr, nullptr, 0);
    const auto status = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
        result guard(res);
        throw_result_error(conn_.get(), res);
    }
    return result(res);
}

result connection::exec_prepared(std::string_view sql, const params& values) {
    char name[24];
    std::snprintf(name, sizeof name, "p_%016zx", std::hash<std::string_view>{}(sql));
    std::vector<const char*> raw;
    raw.reserve(values.size());
    for (const auto& p : values) {
        raw.push_back(p.is_null() ? nullptr : p.text().c_str());
    }
    const int n = static_cast<int>(raw.size());
    if (!prepared_.contains(name)) {
        const std::string text(sql);
        PGresult* prepared = PQprepare(conn_.get(), name, text.c_str(), n, nullptr);
        result guard(prepared);
        if (!prepared || PQresultStatus(prepared) != PGRES_COMMAND_OK) {
            throw_result_error(conn_.get(), prepared);
        }
        prepared_.insert(name);
    }
    PGresult* res = PQexecPrepared(conn_.get(), name, n, raw.data(), nullptr, nullptr, 0);
    const auto status = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
        result guard(res);
        throw_result_error(conn_.get(), res);
    }
    return result(res);
}

void connection::exec_script(std::string_view sql) {
    const std::string text(sql);
    if (!PQsendQuery(conn_.get(), text.c_str())) {
        throw_result_error(conn_.get(), nullptr);
    }
    drain_results();
}

long long connection::drain_results() {
    long long affected = 0;
    std::optional<db_error> failure;
    while (PGresult* res = PQgetResult(conn_.get())) {
        result guard(res);
        const auto status = PQresultStatus(res);
        if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
            affected += guard.affected();
        } else if (!failure) {
            const char* state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
            failure.emplace(PQresultErrorMessage(res), state ? state : "");
        }
    }
    if (failure) {
        if (PQstatus(conn_.get()) == CONNECTION_BAD) {
            throw unavailable(failure->what());
        }
        throw *failure;
    }
    return affected;
}

void connection::start_copy(std::string_view copy_sql, int expected_status) {
    const std::string text(copy_sql);
    PGresult* start = PQexec(conn_.get(), text.c_str());
    if (!start || PQresultStatus(start) != expected_status) {
        result guard(start);
        throw_result_error(conn_.get(), start);
    }
    PQclear(start);
}

long long connection::copy_in(std::string_view copy_sql, std::string_view data) {
    copy_in_begin(copy_sql);
    copy_in_put(data);
    return copy_in_end();
}

// Streaming COPY (import-robotoff). -----------------------------------------------------------------------

long long connection::copy_out(std::string_view copy_sql, const std::function<void(std::string_view row)>& on_row) {
    start_copy(copy_sql, PGRES_COPY_OUT);
    long long rows = 0;
    while (true) {
        char* buffer = nullptr;
        const int n = PQgetCopyData(conn_.get(), &buffer, 0);
        if (n == -1) {
            break;  // COPY done: the final result follows
        }
        if (n < 0) {
            throw_result_error(conn_.get(), nullptr);
        }
        std::unique_ptr<char, void (*)(void*)> owned(buffer, PQfreemem);
        ++rows;
        on_row(std::string_view(buffer, static_cast<std::size_t>(n)));
    }
    drain_results();
    return rows;
}

void connection::copy_in_begin(std::string_view copy_sql) {
    start_copy(copy_sql, PGRES_COPY_IN);
}

void connection::copy_in_put(std::string_view data) {
    if (PQputCopyData(conn_.get(), data.data(), static_cast<int>(data.size())) != 1) {
        throw_result_error(conn_.get(), nullptr);
    }
}

long long connection::copy_in_end() {
    if (PQputCopyEnd(conn_.get(), nullptr) != 1) {
        throw_result_error(conn_.get(), nullptr);
    }
    return drain_results();
}

bool connection::broken() const { return !conn_ || PQstatus(conn_.get()) != CONNECTION_OK; }

bool connection::in_transaction() const {
    return conn_ && PQtransactionStatus(conn_.get()) != PQTRANS_IDLE;
}

std::vector<std::string> connection::take_notifications() {
    std::vector<std::string> channels;
    if (!PQconsumeInput(conn_.get())) {
        throw unavailable("database connection lost: " + error_message(conn_.get()));
    }
    while (PGnotify* n = PQnotifies(conn_.get())) {
        channels.emplace_back(n->relname);
        PQfreemem(n);
    }
    return channels;
}

bool connection::wait_readable(int timeout_ms) {
    pollfd fd{};
    fd.fd = PQsocket(conn_.get());
    fd.events = POLLIN;
    if (fd.fd < 0) {
        throw unavailable("database connection lost");
    }
    return ::poll(&fd, 1, timeout_ms) > 0;
}

transaction::transaction(connection& conn) : conn_(conn) { conn_.exec("BEGIN"); }

transaction::~transaction() {
    if (!done_) {
        try {
            if (!conn_.broken()) {
                conn_.exec("ROLLBACK");
            }
        } catch (...) {
            // The lease discards a connection left mid-transaction; nothing more to do here.
        }
    }
}

void transaction::commit() {
    conn_.exec("COMMIT");
    done_ = true;
}

long long advisory_key(std::string_view text) {
    // FNV-1a 64: stable across processes and versions (std::hash is not).
    unsigned long long h = 1469598103934665603ULL;
    for (unsigned char c : text) {
        h ^= c;
        h *= 1099511628211ULL;
    }
    return static_cast<long long>(h);
}

std::string array_literal(const std::vector<std::string>& items) {
    std::string out = "{";
    for (std::size_t i = 0; i < items.size(); ++i) {
        out += i == 0 ? "\"" : ",\"";
        for (char c : items[i]) {
            if (c == '"' || c == '\\') {
                out += '\\';
            }
            out += c;
        }
        out += '"';
    }
    out += '}';
    return out;
}

std::string array_literal(const std::vector<long long>& items) {
    std::string out = "{";
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i > 0) {
            out += ',';
        }
        out += std::to_string(items[i]);
    }
    out += '}';
    return out;
}

}  // namespace robotoff::db
