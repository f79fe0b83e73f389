#!/usr/bin/env bash
# Benchmark of `robotoffd import-robotoff` (migration.md; not part of the tests): a Robotoff 1.85 source
# database (tests/pg/data/robotoff_1_85_schema.sql) filled with N product_insight rows (a mix of types, a third
# annotated, boxes, countries, brands), N/5 votes and N/4 predictions, imported into a fresh migrated database
# of the same cluster. Prints the summary and the product_insight rate: rows / (copy + rebuild of the indexes
# dropped for the copy) seconds, and rows / copy seconds. A second run shows the cost of a re-run that finds
# everything present.
#
# usage: bench/import_robotoff_bench.sh [--insights N] [--build DIR]
# Builds robotoffd in DIR (default build), runs its own PostgreSQL cluster (bench/lib.sh settings: fsync off)
# on a free loopback port in a temporary folder, removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
. scripts/lib/pg.sh

insights=1000000
build=build
while [ $# -gt 0 ]; do
    case "$1" in
        --insights) insights=$2; shift ;;
        --build) build=$2; shift ;;
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
bench_start_cluster import-robotoff
echo "robotoffd: $("$bin" --version 2>/dev/null | head -1 || true); insights=$insights"

pg_create_db "$pgport" robotoff_source
psql_do -d robotoff_source -f "$root/tests/pg/data/robotoff_1_85_schema.sql"
echo "== generating the source: $insights insights, $((insights / 5)) votes, $((insights / 4)) predictions =="
t0=$(date +%s)
psql_do -d robotoff_source -v n="$insights" <<'SQL'
INSERT INTO product_insight
SELECT md5(g::text)::uuid,
       lpad((3000000000000 + g % 400000)::text, 13, '0'),
       (ARRAY['label', 'category', 'product_weight', 'brand', 'packaging', 'store', 'packager_code',
              'expiration_date', 'nutrition_image', 'ingredient_spellcheck'])[1 + g % 10],
       jsonb_build_object('text', 'organic ' || g, 'lang', 'fr', 'bounding_box',
                          jsonb_build_array(0.1, 0.2, 0.3 + (g % 5) / 10.0, 0.4)),
       timestamp '2023-01-01' + (g || ' seconds')::interval,
       CASE WHEN g % 3 = 0 THEN timestamp '2023-06-01' + (g || ' seconds')::interval END,
       CASE WHEN g % 3 = 0 THEN (g % 4) - 1 END,
       CASE WHEN g % 3 = 0 THEN 1 END,
       g % 4,
       CASE WHEN g % 6 = 0 THEN 'user' || (g % 1000) END,
       '["en:france", "en:belgium"]'::jsonb,
       jsonb_build_array('brand-' || (g % 5000)),
       NULL,
       'en:value-' || (g % 2000),
       NULL,
       '/300/000/000/' || (g % 400000) || '/' || (1 + g % 7) || '.jpg',
       g % 5 = 0,
       CASE WHEN g % 50 = 0 THEN 'off-pro' WHEN g % 7 = 0 THEN NULL ELSE 'off' END,
       g % 300,
       false,
       'regex', '1', '[]', 0.5 + (g % 50) / 100.0,
       jsonb_build_array(0.1, 0.2, 0.3 + (g % 5) / 10.0, 0.4),
       CASE WHEN g % 10 = 9 THEN '{fr}'::varchar[] END,
       true
FROM generate_series(1, :n) AS g;
INSERT INTO annotation_vote
SELECT md5('v' || g)::uuid, md5((g * 5)::text)::uuid, NULL, (g % 3) - 1, 'device-' || g,
       timestamp '2023-07-01' + (g || ' seconds')::interval
FROM generate_series(1, :n / 5) AS g;
INSERT INTO prediction (barcode, type, data, timestamp, value_tag, source_image, automatic_processing, predictor,
                        confidence, server_type)
SELECT lpad((3000000000000 + g % 400000)::text, 13, '0'), 'label', '{"text": "bio"}',
       timestamp '2023-01-01' + (g || ' seconds')::interval, 'en:value-' || g, '/300/000/000/1.jpg', false, 'regex',
       0.8, 'off'
FROM generate_series(1, :n / 4) AS g;
ANALYZE;
SQL
echo "source ready in $(( $(date +%s) - t0 )) s ($(psql_do -d robotoff_source -c \
    "SELECT pg_size_pretty(pg_database_size('robotoff_source'))"))"

pg_create_db "$pgport" robotoffd
target="postgresql://postgres@127.0.0.1:$pgport/robotoffd"
"$bin" --config=/dev/null migrate --database.url="$target" >/dev/null 2>&1
psql_do -d robotoffd -c "CHECKPOINT"
sync

run_import() {
    local out=$1
    local t_start t_end
    t_start=$(date +%s.%N)
    "$bin" --config=/dev/null --log.level=warning import-robotoff --database.url="$target" \
        --from "postgresql://postgres@127.0.0.1:$pgport/robotoff_source" --reject-file "$tmp/rejects.tsv" \
        >"$out" 2>"$out.err" || { cat "$out" "$out.err" >&2; exit 1; }
    t_end=$(date +%s.%N)
    cat "$out"
    wall=$(echo "$t_end - $t_start" | bc)
}

echo "== import (empty target) =="
run_import "$tmp/first.txt"
# product_insight's line: table read written present merged skipped copy_s index_s rows/s
read -r copy_s index_s rate < <(awk '$1 == "product_insight" { print $7, $8, $9 }' "$tmp/first.txt")
echo "RESULT product_insight rows=$insights copy=${copy_s}s index_rebuild=${index_s}s" \
     "rows/s=$rate (copy and index rebuild) copy_only_rows/s=$(echo "$insights / $copy_s" | bc)" \
     "whole_command=${wall}s"

echo "== second run (everything present) =="
run_import "$tmp/second.txt"
echo "RESULT re-run whole_command=${wall}s"
