#!/usr/bin/env bash
# Side-by-side alerting benchmark: detectd started three ways (alerts off, memory store, Redis on a Unix socket),
# the same detectctl bench against each; detectd's CPU time (utime+stime from /proc) per event
# is printed too: under a shared machine's load it moves far less than the rates.
# Usage: tests/bench/alert_bench.sh BIN_DIR SOURCE_DIR [DURATION]   (BIN_DIR holds detectd and detectctl: build/bin)
set -euo pipefail
build=$1; src=$2; dur=${3:-8}
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$tmp"' EXIT
redis-server --port 0 --unixsocket "$tmp/r.sock" --save '' --appendonly no --dir "$tmp" >"$tmp/redis.log" 2>&1 &
for i in $(seq 100); do [ -S "$tmp/r.sock" ] && break; sleep 0.1; done
port=$((20000 + RANDOM % 20000))
for mode in off memory redis; do
  case $mode in
    off) flags=(--alerts=false) ;;
    memory) flags=(--alert_store=memory) ;;
    redis) flags=(--alert_store="unix://$tmp/r.sock") ;;
  esac
  port=$((port + 1))
  "$build/detectd" --rules "$src/rules" --listen "127.0.0.1:$port" --metrics_listen 127.0.0.1:0 \
      --watch_rules=false "${flags[@]}" >"$tmp/detectd-$mode.log" 2>&1 &
  pid=$!
  for i in $(seq 100); do "$build/detectctl" rules --server "127.0.0.1:$port" >/dev/null 2>&1 && break; sleep 0.1; done
  cpu0=$(awk '{print $14+$15}' /proc/$pid/stat)
  out=$("$build/detectctl" bench --server "127.0.0.1:$port" --duration "$dur" --concurrency 2 \
      "$src/tests/testdata/eks_audit_256.ndjson" 2>&1)
  cpu1=$(awk '{print $14+$15}' /proc/$pid/stat)
  events=$(echo "$out" | grep -oE '(^| )events=[0-9]+' | head -1 | tr -d ' ' | cut -d= -f2)
  ticks=$(getconf CLK_TCK)
  echo "mode=$mode $(echo "$out" | grep -o 'events_per_second=[0-9.]*\|match_rate=[0-9.%]*\|matches=[0-9]*' | tr '\n' ' ') events=$events detectd_cpu_us_per_event=$(python3 -c "print(round(($cpu1-$cpu0)/$ticks*1e6/$events, 2))")"
  echo "$out" | sed 's/^/    /' >&2
  kill -TERM $pid; wait $pid 2>/dev/null || true
done
