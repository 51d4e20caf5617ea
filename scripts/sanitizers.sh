#!/usr/bin/env bash
# Sanitizer builds (clang) and their test runs. docs/reliability.md records what they prove and how long they take.
#
#   scripts/sanitizers.sh asan   # build-asan: ASan + UBSan (aborting), every test, leaks checked
#   scripts/sanitizers.sh tsan   # build-tsan: TSan, the tests that run threads (engine concurrency, server,
#                                # integration, reliability: real detectd processes under load), with
#                                # tests/tsan_absl_mutex.cc linked in and tests/tsan.supp
#
# Builds keep going past a failed target and the tests that built still run; the exit status is non-zero if
# anything failed. Environment: JOBS (build and ctest parallelism, default 2), DETECT_BUILD_SERVER (default ON; OFF: engine only).
# Prints a `sanitizers-summary` line with the build and test seconds. Exits non-zero when a build or a test fails.
set -uo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
mode=${1:-}
jobs=${JOBS:-2}
server=${DETECT_BUILD_SERVER:-ON}

case "$mode" in
  asan)
    build=build-asan
    flags="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
    ;;
  tsan)
    build=build-tsan
    flags="-fsanitize=thread -fno-omit-frame-pointer"
    ;;
  *)
    echo "usage: $0 asan|tsan" >&2
    exit 2
    ;;
esac

# A cache made with another compiler cannot be switched to clang in place.
if [ -f "$build/CMakeCache.txt" ] && ! grep -q '^CMAKE_CXX_COMPILER:[A-Z]*=.*clang++' "$build/CMakeCache.txt"; then
  rm -rf "$build/CMakeCache.txt" "$build/CMakeFiles"
fi

start=$(date +%s)
link_flags=""
if [ "$mode" = tsan ]; then
  # Debian's abseil is not built with TSan: tests/tsan_absl_mutex.cc makes its Mutex visible. Linked into every
  # executable and exported, so that it also takes the calls gRPC makes into abseil. Named by its hash: a
  # changed shim changes the link flags, which relinks everything.
  mkdir -p "$build"
  shim="$repo/$build/tsan_absl_mutex-$(sha256sum tests/tsan_absl_mutex.cc | cut -c1-12).o"
  [ -f "$shim" ] || clang++ -std=c++17 -O2 -fPIC -c tests/tsan_absl_mutex.cc -o "$shim" || exit 1
  # The shim calls absl::Condition::Eval: name absl's synchronization library after it, or a fresh configure
  # fails (CMake's compiler check links a program without abseil).
  link_flags="$shim -labsl_synchronization -ldl"
  for sym in '_ZN4absl*5Mutex*' '_ZN4absl*7CondVar*' '_ZN4absl*12Notification*' '_ZNK4absl*12Notification*'; do
    link_flags+=" -Wl,--export-dynamic-symbol=$sym"
  done
fi
cmake -S . -B "$build" -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  "-DCMAKE_CXX_FLAGS=$flags" "-DCMAKE_EXE_LINKER_FLAGS=$link_flags" -DDETECT_BUILD_TESTS=ON -DDETECT_BUILD_BENCHMARKS=OFF -DDETECT_BUILD_FUZZERS=OFF \
  -DDETECT_BUILD_SERVER="$server" >/dev/null || exit 1

# The test binaries that run threads, by ctest label (the binary's name, tests/CMakeLists.txt; `reliability` for
# tests/reliability/), and the targets they need; the server side's when this build has them.
tsan_labels=()
tsan_targets=(engine_test)
if [ "$mode" = tsan ]; then
  available=$(cmake --build "$build" --target help 2>/dev/null | sed -n 's/^\([a-z_]*\): .*/\1/p')
  for t in server_test proto_test client_test integration_test shutdown_test detectctl_test; do
    if grep -qx "$t" <<<"$available"; then
      tsan_labels+=("$t")
      tsan_targets+=("$t")
    fi
  done
  # The reliability binaries (real detectd processes under load) share the label `reliability`: every one that
  # tests/reliability/CMakeLists.txt declares, so that a new one cannot be left unbuilt (ctest would fail it).
  reliability_targets=$(sed -n 's/^detect_add_reliability_test(\([a-z0-9_]*\) .*/\1/p' tests/reliability/CMakeLists.txt)
  for t in $reliability_targets; do
    if grep -qx "$t" <<<"$available"; then
      tsan_targets+=("$t")
      [[ " ${tsan_labels[*]} " == *" reliability "* ]] || tsan_labels+=(reliability)
    fi
  done
  for t in detectd detectctl; do grep -qx "$t" <<<"$available" && tsan_targets+=("$t"); done
  cmake --build "$build" -j"$jobs" --target "${tsan_targets[@]}" -- -k 0 || build_status=$?
else
  cmake --build "$build" -j"$jobs" -- -k 0 || build_status=$?
fi
built=$(date +%s)

# Run what built even when some target did not (keep going: one broken area must not hide the others).
status=${build_status:-0}
[ "$status" -eq 0 ] || echo "sanitizers: the build failed (status $status); running the tests that built"
if [ "$mode" = asan ]; then
  ASAN_OPTIONS="detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}" \
  LSAN_OPTIONS="suppressions=$repo/tests/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}" \
  UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}" \
    ctest --test-dir "$build" --output-on-failure -j"$jobs" --timeout 900 || status=$?
else
  export TSAN_OPTIONS="suppressions=$repo/tests/tsan.supp halt_on_error=1 second_deadlock_stack=1 ignore_noninstrumented_modules=1${TSAN_OPTIONS:+ $TSAN_OPTIONS}"
  ctest --test-dir "$build" --output-on-failure -j"$jobs" --timeout 900 \
    -R '^RuleSetTest\.ConcurrentEvaluationAgreesWithSerial$' || status=$?
  if [ ${#tsan_labels[@]} -gt 0 ]; then
    label_re="^($(IFS='|'; echo "${tsan_labels[*]}"))\$"
    ctest --test-dir "$build" --output-on-failure -j"$jobs" --timeout 900 -L "$label_re" || status=$?
  else
    echo "tsan: no server/integration test binaries in this build (DETECT_BUILD_SERVER=$server)"
  fi
  # The Python client drives the TSan-built detectd binary: a real server process under TSan.
  if ctest --test-dir "$build" -N -R '^python_client_test$' | grep -q 'Total Tests: 1'; then
    ctest --test-dir "$build" --output-on-failure --timeout 900 -R '^python_client_test$' || status=$?
  fi
fi
end=$(date +%s)

result=ok
[ $status -eq 0 ] || result=FAILED
echo "sanitizers-summary mode=$mode result=$result build_s=$((built - start)) test_s=$((end - built)) jobs=$jobs"
exit $status
