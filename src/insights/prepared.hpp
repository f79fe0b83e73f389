#pragma once
// Prepared execution of the read routes' queries. Why here: PostgreSQL spends ~1 ms planning these queries on
// a table with ~25 indexes against ~0.1-0.2 ms executing them (EXPLAIN ANALYZE on the bench database), so
// re-planning on every request caps the API at a few thousand requests/s on 2 cores. db::connection has no
// prepared statements yet; this helper belongs there (proposed to the db owner) and moves when it exists.
// Statements are named after a hash of their text and prepared lazily per connection: an execution that
// fails with 26000 (unknown statement) prepares and retries once. Outside transactions only (a failed
// statement would abort the transaction). Not thread-safe (like the connection).

#include "robotoff/db/connection.hpp"

#include <string_view>

namespace robotoff::insights {

db::result exec_prepared(db::connection& conn, std::string_view sql, const db::params& values);

}  // namespace robotoff::insights
