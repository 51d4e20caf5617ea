#!/usr/bin/env bash
# Builds what the benchmarks need (Release-like flags, benchmarks on) and runs the side-by-side table
# (tests/bench/run_all.py; --quick for a short smoke run). Writes BENCHMARKS.md unless --quick or --no-write.
set -euo pipefail
cd "$(dirname "$0")/../.."
cmake -S . -B build -G Ninja -DDETECT_BUILD_BENCHMARKS=ON >/dev/null
cmake --build build -j"$(nproc)" --target detectd detectctl json_parse_floor typed_eval_bench engine_benchmark
exec python3 tests/bench/run_all.py "$@"
