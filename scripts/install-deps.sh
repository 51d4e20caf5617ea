#!/usr/bin/env bash
# Installs the Debian 12 packages detectd needs to build, run and test. Idempotent: installs only what is
# missing, so a second run costs one dpkg query. This file is the single source of the package list: the
# Dockerfile and the tests read it from here.
set -euo pipefail

# Build toolchain and libraries (also what the Dockerfile's build stage installs).
BUILD_PACKAGES=(
  build-essential cmake ninja-build pkg-config ccache
  libgrpc++-dev libprotobuf-dev protobuf-compiler protobuf-compiler-grpc
  libabsl-dev libre2-dev libyaml-cpp-dev libsimdjson-dev
  libcivetweb-dev libssl-dev zlib1g-dev
  libhiredis-dev libcurl4-openssl-dev
)
# Only needed for the test suite: unit tests, benchmarks, fuzzers, sanitizers, cross-language and chart tests.
TEST_PACKAGES=(
  libgtest-dev libgmock-dev libbenchmark-dev
  clang lld libclang-rt-14-dev
  python3 python3-grpcio python3-protobuf python3-yaml
  golang-go golang-google-grpc-dev golang-google-protobuf-dev golang-github-golang-protobuf-1-5-dev
  protoc-gen-go protoc-gen-go-grpc
  openssl unzip procps curl
  redis-server redis-tools
)

want=("${BUILD_PACKAGES[@]}")
if [[ "${1:-}" == "--with-tests" ]]; then want+=("${TEST_PACKAGES[@]}"); fi

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm fetches the Helm binary for the chart tests; some images ship Node.js (with npm) outside Debian's
# packages, so only ask apt for it when the command is absent.
if [[ "${1:-}" == "--with-tests" ]] && ! command -v npm >/dev/null 2>&1; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends npm >/dev/null
fi

# The OTLP test (tests/otlp) sends with the OpenTelemetry JavaScript SDK from npm, at the versions its
# package-lock.json pins (npm ci: exactly those, into tests/otlp/node_modules).
if [[ "${1:-}" == "--with-tests" ]]; then
  (cd "$(dirname "${BASH_SOURCE[0]}")/../tests/otlp" && npm ci --no-audit --no-fund --ignore-scripts >/dev/null)
fi
