#!/usr/bin/env bash
# Reliability and throughput of the job system (issue 5), against the real daemon, a private PostgreSQL
# cluster and the fake Product Opener, all on loopback. Prints one line per scenario:
#   baseline   500 image imports on the real OCR files (jobs/s)
#   kill9      kill -9 of the daemon mid-way, restart: all jobs done, same insights as the baseline
#   two_nodes  two daemons on one database: every job ran once (attempts = 1), same insights
#   po_outage  Product Opener answering 500 for a while: retries with back-off, all done, API answering
#   pg_restart PostgreSQL restarted mid-way: the daemon heals without restart, all done
# Usage: bench/jobs_reliability.sh [BUILD_DIR] [N_JOBS]   (default build, 500). Bounded: each wait has a deadline.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
build=${1:-build}
n=${2:-500}
bin="$root/$build/robotoffd"
. scripts/lib/pg.sh

tmp=$(mktemp -d /tmp/robotoffd-jobs-bench.XXXXXX)
chmod 755 "$tmp"
pgdir="$tmp/pg"
pgport=$(free_port)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
    pg_stop "$pgdir"
    rm -rf "$tmp"
}
trap cleanup EXIT
pg_init "$pgdir"
pg_start "$pgdir" "$pgport" fsync=off synchronous_commit=off max_connections=300
psql_db() { as_pg_user "$PG_BIN/psql" -h 127.0.0.1 -p "$pgport" -U postgres -d "$1" -tAc "$2"; }

python3 tests/fake_po/fake_po.py --samples ../shared/samples --fixtures "$tmp/fixtures" > "$tmp/po.port" &
pids+=($!)
for _ in $(seq 100); do [ -s "$tmp/po.port" ] && break; sleep 0.1; done
po="http://127.0.0.1:$(cat "$tmp/po.port")"

# N synthetic products, each with one raw image whose OCR JSON is one of the real samples (round robin).
python3 - "$po" "$n" "$tmp/imports.txt" <<'PY'
import json, os, sys, urllib.request
po, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
samples = []
for name in sorted(os.listdir("../shared/samples/ocr")):
    stem = name.split(".")[0]
    if "_" in stem and stem.split("_")[1].isdigit():
        samples.append(stem.split("_"))
def split(b):
    return "/%s/%s/%s/%s" % (b[0:3], b[3:6], b[6:9], b[9:])
with open(out, "w") as f:
    for i in range(n):
        code, image_id = samples[i % len(samples)]
        src = json.load(urllib.request.urlopen(po + "/api/v2/product/" + code))["product"]
        barcode = "2%012d" % (i + 1)
        product = {"code": barcode, "lang": src.get("lang", "fr"), "images": {image_id: src["images"][image_id]}}
        req = urllib.request.Request(po + "/__product/" + barcode, data=json.dumps(product).encode(), method="PUT")
        urllib.request.urlopen(req).read()
        base = po + "/images/products" + split(code.zfill(13)) + "/" + image_id
        f.write("barcode=%s&image_url=%s.jpg&ocr_url=%s.json\n" % (barcode, base, base))
PY

start_daemon() {  # start_daemon DB LOGFILE [extra flags...] -> sets daemon_pid, daemon_port
    local db=$1 log=$2
    shift 2
    "$bin" serve --database.url="postgresql://postgres@127.0.0.1:$pgport/$db" --http.listen=127.0.0.1:0 \
        --fetch.allowed_networks=127.0.0.0/8 --off.world_url="$po" --off.images_url="$po" --off.static_url="$po" --data.dir="$root/../shared/data" \
        --ocr.backend=gcv --jobs.poll_interval_ms=500 --jobs.lease_s=10 --jobs.heartbeat_s=2 \
        --jobs.updated_product_wait_s=0 "$@" 2>"$log" &
    daemon_pid=$!
    pids+=($daemon_pid)
    for _ in $(seq 600); do grep -q startup.ready "$log" && break; sleep 0.1; done
    grep -q startup.ready "$log" || { echo "daemon did not start:"; tail -5 "$log"; exit 1; }
    daemon_port=$(grep -o 'event=http.listening.*port=[0-9]*' "$log" | grep -o '[0-9]*$')
}
new_db() { as_pg_user "$PG_BIN/createdb" -h 127.0.0.1 -p "$pgport" -U postgres "$1";
           "$bin" migrate --database.url="postgresql://postgres@127.0.0.1:$pgport/$1" >/dev/null 2>&1; }
enqueue_all() {  # enqueue_all PORT
    python3 - "$1" "$tmp/imports.txt" <<'PY'
import sys, urllib.request
port, path = sys.argv[1], sys.argv[2]
for line in open(path):
    r = urllib.request.urlopen(urllib.request.Request("http://127.0.0.1:%s/api/v1/images/import" % port,
                                                      data=line.strip().encode()))
    assert r.status == 200
PY
}
done_count() { psql_db "$1" "SELECT count(*) FROM job WHERE kind = 'import_image' AND state = 'done'"; }
wait_all_done() {  # wait_all_done DB TIMEOUT_S
    local end=$(( $(date +%s) + $2 ))
    while [ "$(psql_db "$1" "SELECT count(*) FROM job WHERE state IN ('pending','running')" 2>/dev/null || echo 1)" != "0" ]; do
        [ "$(date +%s)" -lt "$end" ] || { echo "timeout waiting for $1"; return 1; }
        sleep 0.2
    done
}
wait_done_at_least() {
    local end=$(( $(date +%s) + $3 ))
    while [ "$(done_count "$1" 2>/dev/null || echo 0)" -lt "$2" ]; do
        [ "$(date +%s)" -lt "$end" ] || return 1
        sleep 0.05
    done
}
fingerprint() {  # insights + predictions, ids and timestamps excluded
    psql_db "$1" "SELECT md5(string_agg(x, '|' ORDER BY x)) FROM (
        SELECT barcode || type || coalesce(value_tag,'') || coalesce(value,'') || coalesce(source_image,'') ||
               automatic_processing::text AS x FROM product_insight
        UNION ALL SELECT 'p' || barcode || type || coalesce(value_tag,'') || coalesce(value,'') ||
               coalesce(source_image,'') || data::text FROM prediction) t"
}
duplicates() {
    psql_db "$1" "SELECT count(*) FROM (SELECT 1 FROM product_insight GROUP BY barcode, type, value_tag, value,
                  source_image HAVING count(*) > 1) d"
}
stop_daemon() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }
# The N import requests through the HTTP route of a daemon that runs no workers, so processing is then
# measured (and interrupted) on its own.
enqueue_only() {
    start_daemon "$1" "$tmp/$1.enqueue.log" --jobs.workers=0
    local e0 e1
    e0=$(date +%s.%N)
    enqueue_all "$daemon_port"
    e1=$(date +%s.%N)
    stop_daemon "$daemon_pid"
    enqueue_rate=$(python3 -c "print(f'{$n / ($e1 - $e0):.0f}')")
}

# --- baseline
new_db base
enqueue_only base
start_daemon base "$tmp/base.log"
t0=$(date +%s.%N)
wait_all_done base 600
t2=$(date +%s.%N)
stop_daemon "$daemon_pid"
base_fp=$(fingerprint base)
printf 'baseline: %d image imports (route: %s requests/s); processing %.1f s from daemon ready: %.1f jobs/s (4 workers); insights %s, predictions %s, failed %s\n' \
    "$n" "$enqueue_rate" "$(echo "$t2 - $t0" | bc)" "$(echo "$n / ($t2 - $t0)" | bc -l)" \
    "$(psql_db base 'SELECT count(*) FROM product_insight')" "$(psql_db base 'SELECT count(*) FROM prediction')" \
    "$(psql_db base "SELECT count(*) FROM job WHERE state = 'failed'")"

# --- kill -9 mid-way
new_db kill9
enqueue_only kill9
start_daemon kill9 "$tmp/kill9a.log"
wait_done_at_least kill9 $((n / 2)) 600 || true
at_kill=$(done_count kill9)
kill -9 "$daemon_pid"; wait "$daemon_pid" 2>/dev/null || true
running=$(psql_db kill9 "SELECT count(*) FROM job WHERE state = 'running'")
start_daemon kill9 "$tmp/kill9b.log"
t0=$(date +%s.%N)
wait_all_done kill9 600
t1=$(date +%s.%N)
stop_daemon "$daemon_pid"
fp=$(fingerprint kill9)
printf 'kill9: killed at %s/%d done (%s running), restart finished in %.1f s; done %s, failed %s, reclaimed "worker lost" %s, duplicated insights %s, same as baseline: %s\n' \
    "$at_kill" "$n" "$running" "$(echo "$t1 - $t0" | bc)" "$(done_count kill9)" \
    "$(psql_db kill9 "SELECT count(*) FROM job WHERE state = 'failed'")" \
    "$(psql_db kill9 "SELECT count(*) FROM job WHERE last_error = 'worker lost'")" "$(duplicates kill9)" \
    "$([ "$fp" = "$base_fp" ] && echo yes || echo NO)"

# --- two daemons on one database
new_db two
enqueue_only two
start_daemon two "$tmp/two_a.log"; pid_a=$daemon_pid
start_daemon two "$tmp/two_b.log"; pid_b=$daemon_pid
t0=$(date +%s.%N)
wait_all_done two 600
t1=$(date +%s.%N)
stop_daemon "$pid_a"; stop_daemon "$pid_b"
fp=$(fingerprint two)
printf 'two_nodes: %d jobs in %.1f s after both were ready (%.1f jobs/s); by node: %s; jobs run more than once: %s; duplicated insights %s; same as baseline: %s\n' \
    "$n" "$(echo "$t1 - $t0" | bc)" "$(echo "$n / ($t1 - $t0)" | bc -l)" \
    "$(grep -c 'event=jobs.done.*kind=import_image' "$tmp/two_a.log")+$(grep -c 'event=jobs.done.*kind=import_image' "$tmp/two_b.log")" \
    "$(psql_db two "SELECT count(*) FROM job WHERE kind = 'import_image' AND attempts <> 1")" "$(duplicates two)" \
    "$([ "$fp" = "$base_fp" ] && echo yes || echo NO)"

# --- Product Opener failing for a while
new_db outage
start_daemon outage "$tmp/outage.log"
curl -s -XPOST "$po/__fail" -d "{\"status\": 500, \"count\": $((n / 2)), \"prefix\": \"/api/v2/product/\"}" >/dev/null
t0=$(date +%s.%N)
enqueue_all "$daemon_port"
api_ok=0; api_fail=0
end=$(( $(date +%s) + 900 ))
while [ "$(psql_db outage "SELECT count(*) FROM job WHERE state IN ('pending','running')")" != "0" ] && [ "$(date +%s)" -lt "$end" ]; do
    if curl -sf "http://127.0.0.1:$daemon_port/api/v1/status" >/dev/null; then api_ok=$((api_ok + 1)); else api_fail=$((api_fail + 1)); fi
    sleep 1
done
t1=$(date +%s.%N)
stop_daemon "$daemon_pid"
fp=$(fingerprint outage)
printf 'po_outage: %d product reads answered 500; all settled in %.1f s; done %s, failed %s, retries %s; API status checks ok %d / failed %d; same as baseline: %s\n' \
    "$((n / 2))" "$(echo "$t1 - $t0" | bc)" "$(done_count outage)" \
    "$(psql_db outage "SELECT count(*) FROM job WHERE state = 'failed'")" \
    "$(grep -c 'event=jobs.error' "$tmp/outage.log")" "$api_ok" "$api_fail" \
    "$([ "$fp" = "$base_fp" ] && echo yes || echo NO)"

# --- PostgreSQL restart while jobs run
new_db pgrestart
enqueue_only pgrestart
start_daemon pgrestart "$tmp/pgrestart.log"
t0=$(date +%s.%N)
wait_done_at_least pgrestart $((n / 3)) 600 || true
at_restart=$(done_count pgrestart)
as_pg_user "$PG_BIN/pg_ctl" -D "$pgdir" -m fast -w -t 60 stop >/dev/null
sleep 3
pg_start "$pgdir" "$pgport" fsync=off synchronous_commit=off max_connections=300
wait_all_done pgrestart 900
t1=$(date +%s.%N)
alive=$(kill -0 "$daemon_pid" 2>/dev/null && echo yes || echo no)
stop_daemon "$daemon_pid"
fp=$(fingerprint pgrestart)
printf 'pg_restart: restarted at %s/%d done (down 3 s); all settled %.1f s after the daemon was ready; daemon still the same process: %s; done %s, failed %s, duplicated insights %s, same as baseline: %s\n' \
    "$at_restart" "$n" "$(echo "$t1 - $t0" | bc)" "$alive" "$(done_count pgrestart)" \
    "$(psql_db pgrestart "SELECT count(*) FROM job WHERE state = 'failed'")" "$(duplicates pgrestart)" \
    "$([ "$fp" = "$base_fp" ] && echo yes || echo NO)"
