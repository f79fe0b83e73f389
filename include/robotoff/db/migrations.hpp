#pragma once
// Schema migrations: numbered .sql files under src/db/migrations/, embedded in the binary at build time.
// migrate() applies the pending ones in order, each in its own transaction, under an advisory lock (so
// several nodes may run it at once), recording each in schema_migrations(version, applied_at).

#include "robotoff/db/connection.hpp"

#include <string>
#include <vector>

namespace robotoff::db {

struct migration {
    int version;
    std::string name;
    std::string sql;
};

// The embedded migrations, sorted by version.
const std::vector<migration>& embedded_migrations();

// Applies pending migrations; returns the versions applied (empty when up to date). Blocking.
std::vector<int> migrate(connection& conn);

// Highest applied version (0 for an empty database) and the highest embedded one.
int applied_version(connection& conn);
int latest_version();

}  // namespace robotoff::db
