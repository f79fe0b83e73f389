#!/usr/bin/env bash
# Runs robotoffd in the foreground on 127.0.0.1:5500 with a private PostgreSQL cluster under .local/pg/.
# Installs missing packages, builds, creates the cluster the first time, migrates, serves.
# Ctrl-C stops the daemon and the cluster. Extra arguments are passed to `robotoffd serve`
# (e.g. --log.level=debug). data.dir defaults to ../shared/data when it exists.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
. scripts/lib/pg.sh

scripts/install-deps.sh
scripts/build.sh

pgdir="$root/.local/pg"
pgport=${ROBOTOFF_PG_PORT:-55432}
mkdir -p "$root/.local"
pg_init "$pgdir"
pg_start "$pgdir" "$pgport"
cleanup() {
    trap - EXIT INT TERM
    if [ -n "${daemon_pid:-}" ] && kill -0 "$daemon_pid" 2>/dev/null; then
        kill -TERM "$daemon_pid" 2>/dev/null || true
        wait "$daemon_pid" 2>/dev/null || true
    fi
    pg_stop "$pgdir"
    echo "robotoffd and its PostgreSQL cluster are stopped."
}
trap cleanup EXIT INT TERM
pg_create_db "$pgport" robotoff

export ROBOTOFF_DATABASE_URL="postgresql://postgres@127.0.0.1:$pgport/robotoff"
export ROBOTOFF_HTTP_LISTEN="${ROBOTOFF_HTTP_LISTEN:-127.0.0.1:5500}"
if [ -z "${ROBOTOFF_DATA_DIR:-}" ] && [ -d "$root/../shared/data" ]; then
    export ROBOTOFF_DATA_DIR="$root/../shared/data"
fi
mkdir -p "$root/.local/cache" "$root/.local/datasets"
export ROBOTOFF_OCR_CACHE_DIR="${ROBOTOFF_OCR_CACHE_DIR:-$root/.local/cache/ocr}"
export ROBOTOFF_DATASET_DIR="${ROBOTOFF_DATASET_DIR:-$root/.local/datasets}"

build/robotoffd migrate
echo
echo "robotoffd is starting on http://$ROBOTOFF_HTTP_LISTEN  (Ctrl-C to stop)"
echo "  try: curl http://$ROBOTOFF_HTTP_LISTEN/api/v1/status"
echo
build/robotoffd serve "$@" &
daemon_pid=$!
wait "$daemon_pid" || true
