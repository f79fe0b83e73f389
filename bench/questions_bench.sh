#!/usr/bin/env bash
# Benchmark of the question routes (issue 7; not part of the tests): the synthetic database of
# bench/api_bench.sh (bench/api_bench_data.sql: 10M insights over 1M products by default), relations prewarmed,
# then wrk against build/robotoffd for each route below at 1 connection, at a moderate concurrency and at 64
# connections. Prints req/s and latency percentiles per route.
#
# usage: bench/questions_bench.sh [--insights N] [--products N] [--duration S] [--connections C] [--build DIR]
# Runs its own PostgreSQL cluster on a free port in a temporary folder (removed at the end). Needs wrk.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
. scripts/lib/pg.sh

insights=10000000
products=1000000
duration=20
connections=8
build=build
while [ $# -gt 0 ]; do
    case "$1" in
        --insights) insights=$2; shift ;;
        --products) products=$2; shift ;;
        --duration) duration=$2; shift ;;
        --connections) connections=$2; shift ;;
        --build) build=$2; shift ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
case "$build" in /*) bin="$build/robotoffd" ;; *) bin="$root/$build/robotoffd" ;; esac
[ -x "$bin" ] || { echo "build $bin first (cmake --build $build --target robotoffd)" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 1; }

. bench/lib.sh
bench_start_cluster qbench
# Some votes, so that the vote exclusion has rows to look at.
bench_generate_db bench "$insights" "$products" "INSERT INTO annotation_vote (insight_id, value, device_id)
    SELECT id, 1, 'device-' || (random() * 1000)::int FROM product_insight WHERE annotation IS NULL AND random() < 0.01"
url="postgresql://postgres@127.0.0.1:$pgport/bench"
# A serving database keeps its hot relations in memory; start from that state instead of a cold page cache
# (random questions read rows spread over the whole table). Heap into the OS cache, indexes into shared buffers.
psql_do -d bench -c "CREATE EXTENSION IF NOT EXISTS pg_prewarm" \
    -c "SELECT pg_prewarm('product_insight', 'read'), pg_prewarm('product', 'read'),
               pg_prewarm('product_insight_random_idx'), pg_prewarm('product_insight_popularity_idx'),
               pg_prewarm('annotation_vote'), pg_prewarm('annotation_vote_insight_id_idx'),
               pg_prewarm('product_pkey')" >/dev/null
echo "relations prewarmed"

bench_write_report_lua "$tmp/report.lua"
psql_do -d bench -c "SELECT barcode FROM product ORDER BY random() LIMIT 20000" >"$tmp/barcodes.txt"
{
    echo "local codes = {}"
    echo "for line in io.lines(\"$tmp/barcodes.txt\") do codes[#codes + 1] = line end"
    echo "math.randomseed(os.time())"
    echo 'request = function() return wrk.format("GET", "/api/v1/questions/" .. codes[math.random(#codes)]) end'
    cat "$tmp/report.lua"
} >"$tmp/barcode.lua"
# Each request of this script carries another device id (vote exclusion by a different voter every time).
{
    echo "local n = 0"
    echo 'request = function() n = n + 1; return wrk.format("GET", wrk.path .. "&device_id=device-" .. (n % 1000)) end'
    cat "$tmp/report.lua"
} >"$tmp/device.lua"

port=$(free_port)
"$bin" serve --database.url="$url" --http.listen=127.0.0.1:$port --data.dir="$root/../shared/data" \
    --database.pool_size=32 --http.handler_threads=32 --log.level=warning >"$tmp/daemon.log" 2>&1 &
daemon_pid=$!
for _ in $(seq 1 300); do
    curl -sf "http://127.0.0.1:$port/api/v1/health" >/dev/null 2>&1 && break
    sleep 0.2
done
base="http://127.0.0.1:$port"
bench_route() {
    local name=$1 script=$2 path=$3
    curl -s "$base$path" >"$tmp/sample.json"
    head -c 300 "$tmp/sample.json"; echo
    # Warm-up at 64 connections: the fresh PostgreSQL backends page-fault the shared buffers they touch first.
    wrk -t2 -c64 -d10s -s "$script" "$base$path" >/dev/null 2>&1 || true
    for c in 1 "$connections" 64; do
        echo "== $name: wrk -c$c -d${duration}s =="
        local threads=$(( c < 2 ? c : 2 ))
        wrk -t"$threads" -c"$c" -d"${duration}s" --latency -s "$script" "$base$path" \
            | grep -E 'Non-2xx|Socket errors|RESULT'
    done
}
bench_route "GET /api/v1/questions/random" "$tmp/device.lua" "/api/v1/questions/random?lang=fr"
bench_route "GET /api/v1/questions/random?countries=fr&insight_types=label" "$tmp/device.lua" \
    "/api/v1/questions/random?lang=fr&countries=fr&insight_types=label"
bench_route "GET /api/v1/questions?order_by=popularity" "$tmp/device.lua" \
    "/api/v1/questions?order_by=popularity&lang=fr"
bench_route "GET /api/v1/questions?order_by=popularity&countries=fr&insight_types=category" "$tmp/device.lua" \
    "/api/v1/questions?order_by=popularity&countries=fr&insight_types=category&lang=fr"
bench_route "GET /api/v1/questions/popular?brands=brand-17" "$tmp/device.lua" \
    "/api/v1/questions/popular?brands=brand-17"
bench_route "GET /api/v1/questions/{barcode} (random barcodes)" "$tmp/barcode.lua" "/api/v1/questions/0"
bench_route "GET /api/v1/questions/unanswered?type=label&countries=fr" "$tmp/device.lua" \
    "/api/v1/questions/unanswered?type=label&countries=fr"
kill "$daemon_pid"
wait "$daemon_pid" 2>/dev/null || true
daemon_pid=""
