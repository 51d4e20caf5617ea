#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan+UBSan, build dir build-fuzz) and runs each for SECONDS (default 60)
# on a copy of its seed corpus and regression inputs, in a temporary directory: nothing is written back into
# the repository. Exits non-zero when any fuzzer finds a crash, a leak, a timeout or an OOM; the reproducer is
# kept under $FUZZ_ARTIFACTS (default: a temp dir, printed). Prints one summary line per fuzzer.
#
#   tests/fuzz/run_fuzzers.sh [SECONDS] [FUZZER...]
#
# Environment: JOBS (build parallelism, default 2), BUILD_DIR (default build-fuzz), FUZZ_ARTIFACTS,
# FUZZ_WITH_SERVER=OFF (skip the typed-event fuzzer, which needs the gRPC/protobuf packages).
set -uo pipefail
cd "$(dirname "$0")/../.."
repo=$(pwd)
seconds=${1:-60}
if [ $# -gt 0 ]; then shift; fi  # The rest of the arguments name fuzzers.
jobs=${JOBS:-2}
build=${BUILD_DIR:-build-fuzz}
with_server=${FUZZ_WITH_SERVER:-ON}

declare -A max_len=([rule_yaml_fuzzer]=65536 [event_fuzzer]=16384 [ondemand_vs_dom_fuzzer]=16384
                    [audit_event_proto_fuzzer]=16384)
fuzzers=("$@")
if [ ${#fuzzers[@]} -eq 0 ]; then
  fuzzers=(rule_yaml_fuzzer event_fuzzer ondemand_vs_dom_fuzzer)
  [ "$with_server" = ON ] && fuzzers+=(audit_event_proto_fuzzer)
fi

cmake -S . -B "$build" -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  "-DCMAKE_CXX_FLAGS=-fsanitize=address,undefined,fuzzer-no-link -fno-omit-frame-pointer" \
  -DDETECT_BUILD_FUZZERS=ON -DDETECT_BUILD_TESTS=ON -DDETECT_BUILD_SERVER="$with_server" >/dev/null || exit 1
cmake --build "$build" -j"$jobs" --target "${fuzzers[@]}" || exit 1

work=$(mktemp -d /tmp/detect-fuzz.XXXXXX)
artifacts=${FUZZ_ARTIFACTS:-$work/artifacts}
mkdir -p "$artifacts"
export DETECT_SOURCE_DIR="$repo"
export ASAN_OPTIONS="detect_leaks=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"

failed=0
summary=()
for f in "${fuzzers[@]}"; do
  corpus="$work/$f/corpus"
  mkdir -p "$corpus"
  # Flatten the seeds and the regressions into one writable directory.
  for dir in "tests/fuzz/corpus/$f" "tests/fuzz/regressions/$f"; do
    [ -d "$dir" ] && find "$dir" -type f -exec cp --backup=numbered -t "$corpus" {} +
  done
  seeds=$(find "$corpus" -type f | wc -l)
  dict=()
  [ -f "tests/fuzz/$f.dict" ] && dict=(-dict="tests/fuzz/$f.dict")
  log="$work/$f.log"
  echo "== $f: ${seconds}s on $seeds seed inputs (log: $log)"
  "$build/fuzz/$f" "$corpus" "${dict[@]}" -max_total_time="$seconds" -max_len="${max_len[$f]:-16384}" \
    -rss_limit_mb=2048 -malloc_limit_mb=2048 -timeout=10 -print_final_stats=1 \
    -artifact_prefix="$artifacts/$f-" >"$log" 2>&1
  rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$log" | tail -1)
  units=$(find "$corpus" -type f | wc -l)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  if [ $rc -ne 0 ]; then
    failed=1
    result="FAILED(rc=$rc)"
    echo "---- $f failed; last lines of $log:"
    tail -40 "$log"
    echo "---- reproducers: $(ls "$artifacts" | grep "^$f-" | sed "s|^|$artifacts/|" | tr '\n' ' ')"
  else
    result=ok
  fi
  summary+=("$(printf 'fuzz-summary %-26s %s seconds=%s execs=%s exec/s=%s cov=%s corpus=%s->%s peak_rss_mb=%s' \
    "$f" "$result" "$seconds" "${execs:-?}" "${rate:-?}" "${cov:-?}" "$seeds" "$units" "${rss:-?}")")
done

printf '%s\n' "${summary[@]}"
if [ $failed -ne 0 ]; then
  echo "fuzzing FAILED: reproducers in $artifacts (turn them into tests/fuzz/regressions/<fuzzer>/ files)"
  exit 1
fi
rm -rf "$work"
exit 0
