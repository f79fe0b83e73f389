#include "prepared.hpp"

#include <libpq-fe.h>

#include <cstdio>
#include <functional>
#include <string>
#include <vector>

namespace robotoff::insights {
namespace {

std::string trimmed(const char* text) {
    std::string s = text ? text : "";
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) {
        s.pop_back();
    }
    return s;
}

[[noreturn]] void fail(PGconn* conn, PGresult* res) {
    const char* state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
    std::string message = trimmed(res ? PQresultErrorMessage(res) : PQerrorMessage(conn));
    if (message.empty()) {
        message = trimmed(PQerrorMessage(conn));
    }
    if (PQstatus(conn) == CONNECTION_BAD) {
        throw db::unavailable("database connection lost: " + message);
    }
    throw db::db_error(message, state ? state : "");
}

bool ok(PGresult* res) {
    auto status = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    return status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
}

bool unknown_statement(PGresult* res) {
    const char* state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
    return state && std::string_view(state) == "26000";
}

}  // namespace

db::result exec_prepared(db::connection& conn, std::string_view sql, const db::params& values) {
    PGconn* native = conn.native();
    char name[32];
    std::snprintf(name, sizeof name, "ri_%016zx", std::hash<std::string_view>{}(sql));
    std::vector<const char*> raw;
    raw.reserve(values.size());
    for (const auto& p : values) {
        raw.push_back(p.is_null() ? nullptr : p.text().c_str());
    }
    const int n = static_cast<int>(raw.size());
    PGresult* res = PQexecPrepared(native, name, n, raw.data(), nullptr, nullptr, 0);
    if (ok(res)) {
        return db::result(res);
    }
    if (!unknown_statement(res)) {
        db::result guard(res);
        fail(native, res);
    }
    PQclear(res);
    const std::string text(sql);
    PGresult* prepared = PQprepare(native, name, text.c_str(), n, nullptr);
    if (!ok(prepared)) {
        db::result guard(prepared);
        fail(native, prepared);
    }
    PQclear(prepared);
    res = PQexecPrepared(native, name, n, raw.data(), nullptr, nullptr, 0);
    if (!ok(res)) {
        db::result guard(res);
        fail(native, res);
    }
    return db::result(res);
}

}  // namespace robotoff::insights
