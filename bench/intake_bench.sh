#!/usr/bin/env bash
# Benchmarks of the Redis Streams consumer (intake.md §3, group mode; not part of the tests):
#   1. throughput: the product_updates stream pre-filled with N update events (XADDed with redis-cli --pipe),
#      then one node (redis.start_id=0, jobs.workers=0) reads the stream: events/s from the consumer's start
#      until N redis_stream_event rows are committed with their jobs. Twice: N distinct barcodes (N job rows;
#      the consumer pauses at 10,000 pending jobs, intake.md §3.6, so the figure is the rate up to the pause),
#      then N/10 barcodes (the jobs of a product merge into one pending row: the whole stream is read).
#   2. latency: one node with job workers, the fake Product Opener serving products and their Vision OCR JSON,
#      redis.ocr_ready_enabled=false (an upload runs the whole import). S image-upload events, one at a time:
#      the time from the XADD (the entry ID's milliseconds) to the first product_insight row of the product,
#      and to its committed job row (redis_stream_event.received_at). p50, p90, p99, max.
#
# usage: bench/intake_bench.sh [--events N] [--samples S] [--batch-size B] [--build DIR]
#        [--throughput-only | --latency-only]
# Builds robotoffd in DIR (default build), runs its own PostgreSQL cluster (bench/lib.sh settings: fsync off),
# redis-server and fake Product Opener on free loopback ports in a temporary folder, removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
. scripts/lib/pg.sh

events=50000
samples=50
batch_size=100
build=build
run_throughput=1
run_latency=1
while [ $# -gt 0 ]; do
    case "$1" in
        --events) events=$2; shift ;;
        --samples) samples=$2; shift ;;
        --batch-size) batch_size=$2; shift ;;
        --build) build=$2; shift ;;
        --throughput-only) run_latency=0 ;;
        --latency-only) run_throughput=0 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
case "$build" in /*) ;; *) build="$root/$build" ;; esac
bin="$build/robotoffd"
if [ ! -f "$build/CMakeCache.txt" ]; then
    cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
cmake --build "$build" -j2 --target robotoffd >/dev/null

. bench/lib.sh
po_pid=""
intake_cleanup() {
    if [ -n "$po_pid" ]; then kill "$po_pid" 2>/dev/null || true; wait "$po_pid" 2>/dev/null || true; fi
    bench_stop_redis
    bench_cleanup
}
bench_start_cluster intake
trap intake_cleanup EXIT
bench_start_redis
rcli() { redis-cli -p "$redis_port" "$@"; }
echo "robotoffd: $("$bin" --version 2>/dev/null | head -1 || true); batch_size=$batch_size"

# start_node DB LOG [flags...]: a serving node consuming the streams from the start; sets $daemon_pid,
# $daemon_port, $t_consumer (the time its consumer started, seconds since the epoch).
start_node() {
    local db=$1 log=$2
    shift 2
    "$bin" --config=/dev/null serve --database.url="postgresql://postgres@127.0.0.1:$pgport/$db" \
        --http.listen=127.0.0.1:0 --data.dir="$root/../shared/data" --ocr.backend=gcv \
        --ocr.cache_dir="$tmp/ocr-cache" --dataset.dir="$tmp/datasets" \
        --redis.url="redis://127.0.0.1:$redis_port" --redis.consumer=bench --redis.start_id=0 \
        --redis.batch_size="$batch_size" "$@" 2>"$log" &
    daemon_pid=$!
    local end=$(( $(date +%s) + 120 ))
    until grep -q intake.consumer_started "$log"; do
        if [ "$(date +%s)" -ge "$end" ] || ! kill -0 "$daemon_pid" 2>/dev/null; then
            echo "the node did not start its consumer:" >&2
            tail -5 "$log" >&2
            exit 1
        fi
        sleep 0.01
    done
    t_consumer=$(date +%s.%N)
    daemon_port=$(grep -o 'event=http.listening.*port=[0-9]*' "$log" | grep -o '[0-9]*$')
}
stop_node() {
    kill "$daemon_pid" 2>/dev/null || true
    wait "$daemon_pid" 2>/dev/null || true
    daemon_pid=""
}
new_db() {
    pg_create_db "$pgport" "$1"
    "$bin" --config=/dev/null migrate --database.url="postgresql://postgres@127.0.0.1:$pgport/$1" >/dev/null 2>&1
}

# throughput NAME PRODUCTS: $events update events over PRODUCTS barcodes (round robin) pre-filled, then one node
# from the start of the stream. With as many products as events, every entry adds a pending job row; a node
# without workers then reaches the consumer's back-pressure threshold (10,000 pending jobs, intake.md §3.6,
# not a setting) and stops reading: the rate is then the one up to that pause. With fewer products, the jobs of
# a product merge into one pending row and the whole stream is read.
throughput() {
    local name=$1 products=$2
    echo "== throughput ($name): $events update events over $products products pre-filled, one node from" \
         "redis.start_id=0, jobs.workers=0 =="
    new_db intake_tp
    python3 - "$events" "$products" "$tmp/updates.resp" <<'PY'
import sys
n, products, path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
def resp(args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        a = a.encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)
with open(path, "wb") as f:
    for i in range(n):
        code = "%013d" % (2100000000000 + i % products)
        f.write(resp(["XADD", "product_updates", "*", "timestamp", "1718822400", "code", code, "rev", "2",
                      "product_type", "food", "flavor", "off", "user_id", "alice", "action", "updated",
                      "comment", "", "diffs", '{"fields":{"change":["product_name","product_name_fr"]}}',
                      "ip", "203.0.113.7", "client_id", "smoothie"]))
PY
    local t0 t1 t_launch t_done rows elapsed end paused=0
    t0=$(date +%s.%N)
    rcli --pipe <"$tmp/updates.resp" | tail -1
    t1=$(date +%s.%N)
    echo "XADD of $(rcli XLEN product_updates) entries: $(echo "$t1 - $t0" | bc) s"

    t_launch=$(date +%s.%N)
    start_node intake_tp "$tmp/tp.log" --jobs.workers=0
    end=$(( $(date +%s) + 600 ))
    while true; do
        rows=$(psql_do -d intake_tp -c 'SELECT count(*) FROM redis_stream_event')
        [ "$rows" -lt "$events" ] || break
        if grep -q intake.paused "$tmp/tp.log"; then
            paused=1
            break
        fi
        [ "$(date +%s)" -lt "$end" ] || { echo "timeout: $rows rows"; exit 1; }
        sleep 0.05
    done
    t_done=$(date +%s.%N)
    stop_node
    psql_do -d intake_tp -c "SELECT count(*) || ' redis_stream_event rows (' || count(*) FILTER (WHERE outcome =
        'enqueued') || ' enqueued), ' || (SELECT count(*) FROM job WHERE kind = 'product_updated' AND state =
        'pending') || ' pending product_updated jobs' FROM redis_stream_event"
    rows=$(psql_do -d intake_tp -c 'SELECT count(*) FROM redis_stream_event')
    echo "pending in the group: $(rcli XPENDING product_updates robotoffd | head -1)"
    elapsed=$(echo "$t_done - $t_consumer" | bc)
    if [ "$paused" = 1 ]; then
        echo "RESULT throughput ($name) PAUSED by back-pressure after $rows of $events entries:" \
             "seconds=$elapsed events/s=$(echo "$rows / $elapsed" | bc) (up to the pause)"
    else
        echo "RESULT throughput ($name) events=$events seconds=$elapsed events/s=$(echo "$events / $elapsed" | bc)"
    fi
    echo "(node start to consumer start: $(echo "$t_consumer - $t_launch" | bc | cut -c1-5) s, not counted)"
    psql_do -c "DROP DATABASE intake_tp"
    rcli FLUSHALL >/dev/null
}

if [ "$run_throughput" = 1 ]; then
    throughput "distinct products" "$events"
    throughput "10 updates per product" "$(( (events + 9) / 10 ))"
fi

if [ "$run_latency" = 1 ]; then
    echo "== latency: $samples image-upload events, XADD -> insight row (redis.ocr_ready_enabled=false, 2 workers) =="
    new_db intake_lat
    python3 tests/fake_po/fake_po.py --samples ../shared/samples --fixtures "$tmp/fixtures" >"$tmp/po.port" &
    po_pid=$!
    for _ in $(seq 100); do [ -s "$tmp/po.port" ] && break; sleep 0.1; done
    po="http://127.0.0.1:$(cat "$tmp/po.port")"
    # S synthetic products, each with one raw image whose OCR JSON is a real sample that yields insights
    # (brand, label, packaging, product weight), round robin; the fake PO serves both under the new barcode.
    python3 - "$po" "$samples" "$tmp/fixtures" "$tmp/barcodes.txt" <<'PY'
import json, os, shutil, sys, urllib.request
po, n, fixtures, out = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
# (9421023629015_5 is left out: its brand insight depends on the barcode's prefix.)
sources = [("3038350013804", "11"), ("0890000001202", "1"), ("5400910301160", "1"), ("2509757363133", "2")]
def split(b):
    return "/%s/%s/%s/%s" % (b[0:3], b[3:6], b[6:9], b[9:])
with open(out, "w") as f:
    for i in range(n):
        code, image_id = sources[i % len(sources)]
        src = json.load(urllib.request.urlopen(po + "/api/v2/product/" + code))["product"]
        # Not 2...: restricted-circulation (variable weight) barcodes get no product-weight insight.
        barcode = "%013d" % (3990000000000 + i)
        product = {"code": barcode, "lang": src.get("lang", "en"), "images": {image_id: src["images"][image_id]}}
        req = urllib.request.Request(po + "/__product/" + barcode, data=json.dumps(product).encode(), method="PUT")
        urllib.request.urlopen(req).read()
        target = os.path.join(fixtures, "images", "products") + split(barcode)
        os.makedirs(target, exist_ok=True)
        shutil.copyfile(os.path.join(fixtures, "images", "products") + split(code) + "/" + image_id + ".json",
                        os.path.join(target, image_id + ".json"))
        f.write("%s %s\n" % (barcode, image_id))
PY
    start_node intake_lat "$tmp/lat.log" --jobs.workers=2 --redis.ocr_ready_enabled=false \
        --jobs.updated_product_wait_s=0 --fetch.allowed_networks=127.0.0.0/8 --off.world_url="$po" --off.images_url="$po" --off.static_url="$po"
    # One event at a time: XADD (redis-cli prints the entry ID, whose milliseconds are the XADD time), then
    # the product's insight rows are polled over one psql session (~0.3 ms a query).
    python3 - "$redis_port" "$pgport" "$tmp/barcodes.txt" "$tmp/latency.txt" <<'PY'
import os, subprocess, sys, time
redis_port, pgport, barcodes, out = sys.argv[1:5]
cmd = ["/usr/lib/postgresql/15/bin/psql", "-h", "127.0.0.1", "-p", pgport, "-U", "postgres", "-d", "intake_lat",
       "-qAtX"]
if os.getuid() == 0:
    cmd = ["runuser", "-u", "postgres", "--"] + cmd
psql = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
def query(sql):
    psql.stdin.write(sql + ";\n")
    psql.stdin.flush()
    return psql.stdout.readline().strip()
missing = []
with open(out, "w") as f:
    for line in open(barcodes):
        barcode, image_id = line.split()
        entry = subprocess.check_output(
            ["redis-cli", "-p", redis_port, "XADD", "product_updates", "*", "timestamp", str(int(time.time())),
             "code", barcode, "rev", "2", "product_type", "food", "flavor", "off", "user_id", "alice",
             "action", "updated", "comment", "", "diffs", '{"uploaded_images":{"add":["%s"]}}' % image_id,
             "ip", "", "client_id", ""], text=True).strip()
        added = int(entry.split("-")[0]) / 1000.0
        deadline = time.time() + 30
        while query("SELECT count(*) FROM product_insight WHERE barcode = '%s'" % barcode) == "0":
            if time.time() > deadline:
                missing.append(barcode)
                break
            time.sleep(0.001)
        else:
            f.write("%.3f\n" % ((time.time() - added) * 1000))
if missing:
    print("samples without an insight after 30 s: %d (%s)" % (len(missing), " ".join(missing)))
PY
    echo "RESULT latency XADD->insight $(bench_percentiles "$tmp/latency.txt")"
    psql_do -d intake_lat -c "SELECT (extract(epoch FROM received_at) * 1000 - split_part(entry_id, '-', 1)::bigint)::numeric(10,1)
                              FROM redis_stream_event" >"$tmp/enqueue.txt"
    echo "RESULT latency XADD->entry recorded (received_at, in the jobs transaction) $(bench_percentiles "$tmp/enqueue.txt")"
    psql_do -d intake_lat -c "SELECT count(*) || ' import_image jobs done, ' || (SELECT count(*) FROM product_insight)
                              || ' insights' FROM job WHERE kind = 'import_image' AND state = 'done'"
    stop_node
fi
