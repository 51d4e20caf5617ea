#!/bin/bash
# The OTLP rows of BENCHMARKS.md in one run: StreamEvaluate (detectctl bench), OTLP/gRPC and OTLP/HTTP protobuf
# (otlp_load) against one detectd (--alerts=false, the full pack), each 8 s, 2 workers, 500 events a request,
# two rounds. Usage: tests/bench/otlp_bench.sh [BUILD_DIR] (default: build).
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
B=${1:-$src/build}
EV=$src/tests/testdata/eks_audit_256.ndjson
T=$(mktemp -d)
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$T"' EXIT
"$B/bin/detectd" --rules "$src/rules" --listen 127.0.0.1:0 --metrics_listen 127.0.0.1:0 --ingest_listen 127.0.0.1:0 \
  --watch_rules=false --alerts=false >"$T/log" 2>&1 &
pid=$!
for _ in $(seq 300); do grep -q '"msg":"serving"' "$T/log" && break; sleep 0.1; done
serving=$(grep '"msg":"serving"' "$T/log")
port=$(sed 's/.*"port":\([0-9]*\).*/\1/' <<<"$serving")
iport=$(sed 's/.*"ingest_port":\([0-9]*\).*/\1/' <<<"$serving")
for round in 1 2; do
  echo "round $round"
  "$B/bin/detectctl" bench --server "127.0.0.1:$port" --mode stream --concurrency 2 --duration 8 --batch_size 500 \
    "$EV" 2>/dev/null | grep events_per_second
  "$B/bench/otlp_load" --protocol grpc --target "127.0.0.1:$port" --batch 500 --concurrency 2 --duration 8 "$EV"
  "$B/bench/otlp_load" --protocol http --target "127.0.0.1:$iport" --batch 500 --concurrency 2 --duration 8 "$EV"
done
