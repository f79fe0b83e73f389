#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz in build-fuzz/ (clang, ASan + UBSan + libFuzzer) and runs each.
#   scripts/fuzz.sh --smoke        each target ~20 s (scripts/test.sh runs this)
#   scripts/fuzz.sh --minutes N    each target N minutes
# Corpora grow in build-fuzz/corpus/<target>; seeds come from ../shared/samples. A crash leaves its input in
# build-fuzz/artifacts/<target>/ and makes the script exit 1.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
export CCACHE_BASEDIR="$root"

case "${1:-}" in
    --smoke) seconds=20 ;;
    --minutes)
        [[ "${2:-}" =~ ^[0-9]+$ ]] || { echo "usage: scripts/fuzz.sh --smoke | --minutes N" >&2; exit 2; }
        seconds=$(( $2 * 60 )) ;;
    *) echo "usage: scripts/fuzz.sh --smoke | --minutes N" >&2; exit 2 ;;
esac

shared="$root/../shared"
# Every library is instrumented for coverage and the sanitizers; only the fuzz targets link libFuzzer's main.
# UBSan stays recoverable so tests/fuzz/ubsan.supp can silence library findings; halt_on_error=1 below still
# stops at the first unsuppressed report.
flags="-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer"
CC=clang CXX=clang++ cmake -S . -B build-fuzz -DROBOTOFF_FUZZ=ON -DROBOTOFF_BUILD_TESTS=OFF \
    -DROBOTOFF_BUILD_BENCH=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_FLAGS="$flags" -DCMAKE_CXX_FLAGS="$flags" >/dev/null

# Seeds per target (read-only corpora next to the writable one).
seeds_for() {
    case "$1" in
        fuzz_vision_json) echo "$shared/samples/ocr" ;;
        *image*) echo "$shared/samples/images" ;;
        *) echo "" ;;
    esac
}

status=0
for source in tests/fuzz/fuzz_*.cpp; do
    target=$(basename "$source" .cpp)
    cmake --build build-fuzz -j2 --target "$target"
    corpus="build-fuzz/corpus/$target"
    artifacts="build-fuzz/artifacts/$target/"
    mkdir -p "$corpus" "$artifacts"
    extra=()
    dict="tests/fuzz/${target#fuzz_}.dict"
    [ -f "$dict" ] && extra+=("-dict=$dict")
    seeds=$(seeds_for "$target")
    echo "fuzz: $target for ${seconds}s"
    ubsan="print_stacktrace=1:halt_on_error=1:suppressions=$root/tests/fuzz/ubsan.supp"
    if ! ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS="$ubsan" \
        "build-fuzz/tests/fuzz/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -max_len=262144 -print_final_stats=1 -artifact_prefix="$artifacts" "${extra[@]}" \
        "$corpus" $seeds 2>"build-fuzz/$target.log"; then
        echo "fuzz: $target FAILED (see build-fuzz/$target.log and $artifacts)" >&2
        tail -40 "build-fuzz/$target.log" >&2
        status=1
    fi
    grep -E "stat::number_of_executed_units|stat::peak_rss_mb|Done [0-9]+ runs" "build-fuzz/$target.log" || true
done
exit $status
