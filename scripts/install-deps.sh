#!/usr/bin/env bash
# Installs the Debian 12 packages robotoffd needs to build, run and test. Idempotent: packages already
# installed are skipped, and apt is not touched at all when nothing is missing. Must run as root.
set -euo pipefail

packages=(
    # build
    build-essential cmake pkg-config ccache git
    # libraries (headers)
    libboost1.81-dev libboost-program-options1.81-dev libboost-iostreams1.81-dev libboost-locale1.81-dev
    libpq-dev rapidjson-dev libsimdjson-dev libpcre2-dev libicu-dev libstemmer-dev zlib1g-dev libssl-dev libsystemd-dev
    libtesseract-dev libleptonica-dev libopencv-dev libhiredis-dev
    catch2
    # PostgreSQL 15 server (tests and scripts/run.sh start a private cluster)
    postgresql-15 postgresql-client-15
    # Redis (tests start a private redis-server: Product Opener's event streams; redis-cli drives them)
    redis-server redis-tools
    # Tesseract models: English, French, German, Spanish, Italian, Dutch, Portuguese + orientation (OSD)
    tesseract-ocr tesseract-ocr-eng tesseract-ocr-fra tesseract-ocr-deu tesseract-ocr-spa tesseract-ocr-ita
    tesseract-ocr-nld tesseract-ocr-por tesseract-ocr-osd
    # gettext (msgfmt compiles the question translations), python3 (the fake Product Opener in tests)
    gettext python3
    # fuzzing (libFuzzer + sanitizers) and load generation for benchmarks
    clang libclang-rt-14-dev wrk curl ca-certificates
    # headless browser for the annotation page test (driven by Playwright from tests/browser; node 20 + npm
    # come with the machine image)
    chromium
)

if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps.sh: must run as root (apt-get install)" >&2
    exit 1
fi

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done

if [ ${#missing[@]} -eq 0 ]; then
    echo "install-deps: all ${#packages[@]} packages present"
    exit 0
fi

echo "install-deps: installing ${#missing[@]} packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y --no-install-recommends "${missing[@]}"
