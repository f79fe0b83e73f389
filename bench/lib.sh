# Shared by bench/api_bench.sh and bench/questions_bench.sh (source it after scripts/lib/pg.sh; needs $root, $bin).

# A throwaway PostgreSQL cluster on a free port in a temporary folder, tuned for bulk loads; removed (with the
# daemon $daemon_pid if set) when the script exits. Sets $tmp, $pgdir, $pgport.
bench_start_cluster() {
    tmp=$(mktemp -d "/tmp/robotoffd-$1.XXXXXX")
    chmod 755 "$tmp"
    pgdir="$tmp/pg"
    pgport=$(free_port)
    daemon_pid=""
    trap bench_cleanup EXIT
    pg_init "$pgdir"
    pg_start "$pgdir" "$pgport" fsync=off synchronous_commit=off full_page_writes=off max_connections=200 \
        shared_buffers=2GB work_mem=64MB maintenance_work_mem=1GB max_wal_size=8GB checkpoint_timeout=30min
    echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB RAM; $(uname -srm)"
}

bench_cleanup() {
    if [ -n "$daemon_pid" ]; then kill "$daemon_pid" 2>/dev/null || true; wait "$daemon_pid" 2>/dev/null || true; fi
    pg_stop "$pgdir"
    rm -rf "$tmp"
}

psql_do() { as_pg_user "$PG_BIN/psql" -h 127.0.0.1 -p "$pgport" -U postgres -v ON_ERROR_STOP=1 -qAt "$@"; }

# bench_generate_db DB INSIGHTS PRODUCTS [SQL]: the synthetic database of bench/api_bench_data.sql, migrated by
# $bin; SQL (optional) runs after the rows are loaded, before the indexes are rebuilt.
bench_generate_db() {
    local db=$1 insights=$2 products=$3 extra_sql=${4:-}
    pg_create_db "$pgport" "$db"
    "$bin" migrate --database.url="postgresql://postgres@127.0.0.1:$pgport/$db" >/dev/null 2>&1
    echo "== generating $insights insights over $products products (bench/api_bench_data.sql) =="
    local t0
    t0=$(date +%s)
    # Indexes are dropped during the bulk load and rebuilt afterwards (much faster than maintaining them).
    psql_do -d "$db" >"$tmp/indexes.sql" <<'SQL'
SELECT indexdef || ';' FROM pg_indexes
WHERE tablename = 'product_insight' AND indexname <> 'product_insight_pkey';
SQL
    psql_do -d "$db" -c "SELECT 'DROP INDEX ' || string_agg(indexname, ', ') FROM pg_indexes
                         WHERE tablename = 'product_insight' AND indexname <> 'product_insight_pkey'" \
        | psql_do -d "$db"
    psql_do -d "$db" -v products="$products" -v insights="$insights" -f "$root/bench/api_bench_data.sql"
    if [ -n "$extra_sql" ]; then
        psql_do -d "$db" -c "$extra_sql"
    fi
    echo "rows loaded in $(( $(date +%s) - t0 )) s; rebuilding indexes"
    psql_do -d "$db" -f "$tmp/indexes.sql"
    psql_do -d "$db" -c "VACUUM ANALYZE product_insight" -c "VACUUM ANALYZE product" \
        -c "VACUUM ANALYZE annotation_vote"
    psql_do -d "$db" -c "SELECT count(*) || ' insights, ' || count(*) FILTER (WHERE annotation IS NULL AND NOT
                                automatic_processing) || ' open non-automatic, ' ||
                                pg_size_pretty(pg_total_relation_size('product_insight')) FROM product_insight"
    # Write the generated gigabytes out before measuring: otherwise the checkpointer and the kernel's
    # writeback of a freshly loaded cluster stall PostgreSQL during the first runs.
    psql_do -d "$db" -c "CHECKPOINT"
    sync
    echo "database ready in $(( $(date +%s) - t0 )) s"
}

# The wrk script ending that prints one RESULT line (req/s, latency percentiles, errors).
bench_write_report_lua() {
    cat >"$1" <<'LUA'
done = function(summary, latency, requests)
    local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status +
                   summary.errors.timeout
    io.write(string.format("RESULT req/s=%.0f p50=%.2fms p90=%.2fms p99=%.2fms max=%.2fms requests=%d errors=%d\n",
        summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(90) / 1000,
        latency:percentile(99) / 1000, latency.max / 1000, summary.requests, errors))
end
LUA
}

# bench_start_redis: a private redis-server on a free loopback port in $tmp/redis (no persistence: the
# benchmarks measure robotoffd, not Redis's disk). Sets $redis_port and $redis_pid. Call bench_stop_redis from
# the script's EXIT trap (bench_cleanup does not know about it).
bench_start_redis() {
    if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null; then
        echo "redis-server and redis-cli are needed (scripts/install-deps.sh installs them)" >&2
        return 1
    fi
    mkdir -p "$tmp/redis"
    redis_port=$(free_port)
    redis-server --port "$redis_port" --bind 127.0.0.1 --dir "$tmp/redis" --save "" --appendonly no \
        --daemonize no >"$tmp/redis/redis.log" 2>&1 &
    redis_pid=$!
    for _ in $(seq 100); do
        [ "$(redis-cli -p "$redis_port" ping 2>/dev/null)" = PONG ] && { echo "redis: $(redis-server --version | cut -d' ' -f3)"; return 0; }
        sleep 0.1
    done
    echo "redis-server did not start:" >&2
    tail -5 "$tmp/redis/redis.log" >&2
    return 1
}

bench_stop_redis() {
    if [ -n "${redis_pid:-}" ]; then
        kill "$redis_pid" 2>/dev/null || true
        wait "$redis_pid" 2>/dev/null || true
        redis_pid=""
    fi
}

# bench_percentiles FILE: "n=N p50=..ms p90=..ms p99=..ms max=..ms" of a file of numbers (milliseconds, one a
# line), nearest-rank percentiles.
bench_percentiles() {
    sort -n "$1" | awk '{ v[NR] = $1 } END {
        if (NR == 0) { print "n=0"; exit }
        split("50 90 99", ps, " ")
        out = "n=" NR
        for (i = 1; i <= 3; i++) { r = int((ps[i] * NR + 99) / 100); if (r < 1) r = 1; out = out sprintf(" p%s=%.1fms", ps[i], v[r]) }
        print out sprintf(" max=%.1fms", v[NR]) }'
}
