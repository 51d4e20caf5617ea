#!/usr/bin/env bash
# Installs what is missing, builds everything, and runs every test: unit, integration, conformance (when
# ../shared is beside the repository), chart and cross-language tests. `.ci/run` runs exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh --with-tests
jobs=$(nproc)
cmake -S . -B build -G Ninja -DDETECT_BUILD_TESTS=ON -DDETECT_BUILD_BENCHMARKS=ON >/dev/null
cmake --build build -j"$jobs"
ctest --test-dir build --output-on-failure -j"$jobs" --timeout 900
