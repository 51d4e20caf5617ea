#!/usr/bin/env bash
# Installs what is missing, builds everything, and runs every test: unit, integration, reliability, chart,
# cross-language and conformance tests (the last read ../shared when it is beside the repository), then the
# sanitizer builds (ASan+UBSan on every test, TSan on the threaded ones) and each fuzzer for a bounded time.
# `.ci/run` runs exactly this.
#   DETECT_SANITIZERS=0       skip the sanitizer builds (they double the build time)
#   DETECT_FUZZ_SECONDS=N     seconds per fuzzer (default 60; 0 skips fuzzing)
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh --with-tests
jobs=$(nproc)
start=$(date +%s)

echo "== build and test (build/)"
cmake -S . -B build -G Ninja -DDETECT_BUILD_TESTS=ON -DDETECT_BUILD_BENCHMARKS=ON >/dev/null
cmake --build build -j"$jobs"
ctest --test-dir build --output-on-failure -j"$jobs" --timeout 900

if [[ "${DETECT_SANITIZERS:-1}" != 0 && -x scripts/sanitizers.sh ]]; then
  echo "== AddressSanitizer + UndefinedBehaviorSanitizer (build-asan/)"
  JOBS="$jobs" scripts/sanitizers.sh asan
  echo "== ThreadSanitizer (build-tsan/)"
  JOBS="$jobs" scripts/sanitizers.sh tsan
fi

fuzz_seconds=${DETECT_FUZZ_SECONDS:-60}
if [[ "$fuzz_seconds" != 0 && -x tests/fuzz/run_fuzzers.sh ]]; then
  echo "== fuzzers, ${fuzz_seconds}s each (build-fuzz/)"
  tests/fuzz/run_fuzzers.sh "$fuzz_seconds"
fi
echo "scripts/test.sh: everything passed in $(( $(date +%s) - start ))s"
