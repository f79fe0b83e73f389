#include "robotoff/db/migrations.hpp"

#include "robotoff/core/log.hpp"

#include <algorithm>

namespace robotoff::db {

// Generated at build time from src/db/migrations/*.sql (see CMakeLists.txt).
std::vector<migration> generated_migrations();

namespace {

// Any fixed 64-bit number shared by every node: serializes concurrent `migrate` runs.
constexpr long long migrate_lock_key = 0x726f626f746f6666LL;  // "robotoff"

constexpr const char* create_table_sql =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())";

}  // namespace

const std::vector<migration>& embedded_migrations() {
    static const std::vector<migration> all = [] {
        auto list = generated_migrations();
        std::sort(list.begin(), list.end(), [](const auto& a, const auto& b) { return a.version < b.version; });
        return list;
    }();
    return all;
}

int latest_version() {
    const auto& all = embedded_migrations();
    return all.empty() ? 0 : all.back().version;
}

int applied_version(connection& conn) {
    const auto exists = conn.exec("SELECT to_regclass('public.schema_migrations') IS NOT NULL");
    if (!exists.get_bool(0, 0)) {
        return 0;
    }
    const auto r = conn.exec("SELECT coalesce(max(version), 0) FROM schema_migrations");
    return static_cast<int>(r.get_int(0, 0));
}

std::vector<int> migrate(connection& conn) {
    std::vector<int> applied;
    // A session lock (not a transaction lock): it must span the several transactions below.
    conn.exec("SELECT pg_advisory_lock($1)", {migrate_lock_key});
    try {
        conn.exec(create_table_sql);
        for (const auto& m : embedded_migrations()) {
            const auto done = conn.exec("SELECT 1 FROM schema_migrations WHERE version = $1", {m.version});
            if (done.rows() > 0) {
                continue;
            }
            transaction tx(conn);
            conn.exec_script(m.sql);
            conn.exec("INSERT INTO schema_migrations (version) VALUES ($1)", {m.version});
            tx.commit();
            core::log::info("db.migration_applied", {{"version", m.version}, {"name", m.name}});
            applied.push_back(m.version);
        }
    } catch (...) {
        if (!conn.broken()) {
            conn.exec("SELECT pg_advisory_unlock($1)", {migrate_lock_key});
        }
        throw;
    }
    conn.exec("SELECT pg_advisory_unlock($1)", {migrate_lock_key});
    return applied;
}

}  // namespace robotoff::db
