#!/usr/bin/env bash
# Installs what is missing, builds detectd and detectctl, checks the bundled rules with their own tests, and
# starts detectd on them (gRPC on 0.0.0.0:50051, Prometheus metrics on :9090). Extra arguments go to detectd.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
cmake -S . -B build -G Ninja -DDETECT_BUILD_TESTS=OFF >/dev/null
cmake --build build -j"$(nproc)"
build/bin/detectctl test rules/ >/dev/null || { build/bin/detectctl test rules/; exit 1; }
exec build/bin/detectd --rules=rules --listen=0.0.0.0:50051 "$@"
