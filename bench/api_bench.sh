#!/usr/bin/env bash
# Benchmarks of issue 4 (not part of the tests):
#   1. API: a synthetic database of 10M insights over 1M products (generated in SQL), then wrk for 30 s per
#      route at 64 connections against build/robotoffd: /insights/{barcode}, /insights/random?type=label&
#      countries=fr, /insights?insight_types=category&order_by=popularity. Prints req/s and latency percentiles.
#   2. Dataset import: the 1,000-product sample replicated to 1M lines with fresh barcodes, imported with
#      `robotoffd import-dataset` under /usr/bin/time -v (products/s and peak RSS).
#
# usage: bench/api_bench.sh [--api-only | --import-only] [--insights N] [--products N] [--lines N]
#        [--duration S] [--build DIR]
# Runs its own PostgreSQL cluster on a free port in a temporary folder (removed at the end). Needs wrk.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
. scripts/lib/pg.sh

insights=10000000
products=1000000
lines=1000000
duration=30
build=build
run_api=1
run_import=1
while [ $# -gt 0 ]; do
    case "$1" in
        --api-only) run_import=0 ;;
        --import-only) run_api=0 ;;
        --insights) insights=$2; shift ;;
        --products) products=$2; shift ;;
        --lines) lines=$2; shift ;;
        --duration) duration=$2; shift ;;
        --build) build=$2; shift ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
case "$build" in /*) bin="$build/robotoffd" ;; *) bin="$root/$build/robotoffd" ;; esac
[ -x "$bin" ] || { echo "build $bin first (cmake --build $build --target robotoffd)" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 1; }

. bench/lib.sh
bench_start_cluster bench

if [ "$run_api" = 1 ]; then
    bench_generate_db bench "$insights" "$products"
    url="postgresql://postgres@127.0.0.1:$pgport/bench"

    psql_do -d bench -c "SELECT barcode FROM product ORDER BY random() LIMIT 20000" >"$tmp/barcodes.txt"
    cat >"$tmp/barcode.lua" <<LUA
local codes = {}
for line in io.lines("$tmp/barcodes.txt") do codes[#codes + 1] = line end
math.randomseed(os.time())
request = function()
    return wrk.format("GET", "/api/v1/insights/" .. codes[math.random(#codes)])
end
LUA
    bench_write_report_lua "$tmp/report.lua"
    cat "$tmp/report.lua" >>"$tmp/barcode.lua"

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
        # Warm-up (caches, connections, the count cache of /insights/random), then the measured run. 10 s: each
        # of the 32 fresh PostgreSQL backends page-faults the shared buffers it touches the first time (several
        # % of the CPU for seconds), which a long-running daemon's connections have long done.
        curl -s -o /dev/null --max-time 600 "$base$path"
        wrk -t2 -c64 -d10s -s "$script" "$base$path" >/dev/null 2>&1 || true
        echo "== $name: wrk -t2 -c64 -d${duration}s =="
        wrk -t2 -c64 -d"${duration}s" --latency -s "$script" "$base$path" | tee "$tmp/wrk.out" \
            | grep -E 'Latency|Req/Sec|requests in|Non-2xx|Socket errors|RESULT|^ +(50|75|90|99)%'
    }
    bench_route "GET /api/v1/insights/{barcode} (random barcodes)" "$tmp/barcode.lua" "/api/v1/insights/0"
    bench_route "GET /api/v1/insights/random?type=label&countries=fr" "$tmp/report.lua" \
        "/api/v1/insights/random?type=label&countries=fr"
    bench_route "GET /api/v1/insights?insight_types=category&order_by=popularity" "$tmp/report.lua" \
        "/api/v1/insights?insight_types=category&order_by=popularity"
    kill "$daemon_pid"
    wait "$daemon_pid" 2>/dev/null || true
    daemon_pid=""
fi

if [ "$run_import" = 1 ]; then
    # The import starts from a quiet server: without the API database and its pending checkpoint.
    if [ "$run_api" = 1 ]; then
        psql_do -c "DROP DATABASE bench" -c "CHECKPOINT"
    fi
    pg_create_db "$pgport" bench_import
    url="postgresql://postgres@127.0.0.1:$pgport/bench_import"
    "$bin" migrate --database.url="$url" >/dev/null 2>&1
    dump="$tmp/products-1m.jsonl"
    echo "== dataset import: sample replicated to $lines lines with fresh barcodes =="
    python3 - "$root/../shared/samples/products/openfoodfacts-products-min.jsonl.gz" "$dump" "$lines" <<'PY'
import gzip, re, sys
src, dst, total = sys.argv[1], sys.argv[2], int(sys.argv[3])
lines = gzip.open(src, "rb").read().splitlines()
code = re.compile(rb'"(code|_id|id)":"[^"]*"')
with open(dst, "wb", buffering=1 << 24) as out:
    n = 0
    while n < total:
        for line in lines:
            if n >= total:
                break
            fresh = b"%013d" % (2000000000000 + n)
            out.write(code.sub(lambda m: b'"' + m.group(1) + b'":"' + fresh + b'"', line))
            out.write(b"\n")
            n += 1
PY
    ls -l "$dump" | awk '{printf "input: %.1f GB\n", $5 / 1e9}'
    # The 22 GB just written are flushed before the clock starts, then dropped from the page cache: right
    # after writing them, the cache holds ~20 GB of this file and the import spends its time in the kernel's
    # page reclaim (38,700 products/s, 6 s of sys time, against 55,000/s and 1.9 s when memory is free).
    # A real dump is downloaded long before it is imported.
    sync
    python3 -c 'import os, sys; fd = os.open(sys.argv[1], os.O_RDONLY); os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)' "$dump"
    free -g | awk '/Mem:/{print "memory: " $4 " GiB free, " $6 " GiB cache"}'
    # The virtual disk keeps writing the file back for a while after sync returns (steal time, slower reads):
    # 47,800 products/s right after, 51,400 a minute later, same cluster settings.
    sleep 60
    /usr/bin/time -v "$bin" import-dataset "$dump" --database.url="$url" 2>"$tmp/time.txt" | tee "$tmp/import.out"
    grep -E 'Maximum resident set size|Elapsed \(wall clock\)|Percent of CPU' "$tmp/time.txt"
    psql_do -d bench_import -c "SELECT count(*) || ' product rows' FROM product"
fi
