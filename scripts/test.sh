#!/usr/bin/env bash
# Runs every test: installs missing packages, builds with warnings as errors, starts a throwaway
# PostgreSQL cluster on a free port in a temporary folder, runs ctest (unit, pg, integration), builds the
# fuzz targets and runs each briefly, stops the cluster. Exits non-zero if anything failed.
set -euo pipefail
cd "$(dirname "$0")/.."
# ccache keys on paths relative to the checkout, so clones in other folders share the cache.
export CCACHE_BASEDIR="$(pwd)"
export CCACHE_NOHASHDIR=1
root=$(pwd)
. scripts/lib/pg.sh

start=$(date +%s)
scripts/install-deps.sh
after_install=$(date +%s)

cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DROBOTOFF_WERROR=ON >/dev/null
cmake --build build -j2
after_build=$(date +%s)

tmp=$(mktemp -d /tmp/robotoffd-test.XXXXXX)
chmod 755 "$tmp"
pgdir="$tmp/pg"
pgport=$(free_port)
cleanup() {
    pg_stop "$pgdir"
    rm -rf "$tmp"
}
trap cleanup EXIT
pg_init "$pgdir"
# Durability is not what these tests check: skip fsync to keep the run short.
pg_start "$pgdir" "$pgport" fsync=off synchronous_commit=off full_page_writes=off max_connections=300

export ROBOTOFF_TEST_DATABASE_URL="postgresql://postgres@127.0.0.1:$pgport/postgres"
export ROBOTOFF_TEST_TMPDIR="$tmp"
# The intake tests start their own redis-server (installed by scripts/install-deps.sh); they fail without it.
export ROBOTOFF_TEST_REDIS_SERVER=$(command -v redis-server)

# Playwright (no browser download: the test uses Debian's chromium) for the annotation page test.
(cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)

status=0
(cd build && ctest --output-on-failure -j2 --timeout 900) || status=$?
# The unit tests again in a time namespace where the machine booted 2 minutes ago: steady_clock's epoch is boot
# time, so a default time_point used as "long ago" is only minutes old there (issue 14).
uptime_s=$(cut -d. -f1 /proc/uptime)
if [ "$uptime_s" -gt 130 ]; then
    (cd build && unshare --fork --time --monotonic=-$((uptime_s - 120)) --boottime=-$((uptime_s - 120)) ctest --output-on-failure -j2 -L unit) || status=1
else
    echo "test.sh: the machine booted less than 130 s ago: the unit tests already ran in that situation"
fi
after_tests=$(date +%s)

if [ -f tests/fuzz/CMakeLists.txt ]; then
    scripts/fuzz.sh --smoke || status=1
fi

echo "timings: install $((after_install - start))s, build $((after_build - after_install))s," \
     "tests $((after_tests - after_build))s, total $(($(date +%s) - start))s"
exit $status
