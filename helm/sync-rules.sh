#!/usr/bin/env bash
# Copies the repository's rules/ (*.yml, *.yaml and lookup-table data *.csv, *.json, *.jsonl, *.ndjson, keeping
# the tree) into helm/detectd/rules/, which the chart
# packs into its rules ConfigMap (rules.fromFiles). Helm does not follow symlinks out of a chart, hence a copy.
# Run it after changing rules/ and commit the result with them.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
src="$top/rules"
dest="$top/helm/detectd/rules"

[[ -d "$src" ]] || { echo "sync-rules: $src does not exist" >&2; exit 1; }
mkdir -p "$dest"
# Start from an empty copy so deleted or renamed rules disappear from the chart too; keep .gitkeep.
find "$dest" -mindepth 1 ! -name .gitkeep -delete
(cd "$src" && find . -type f \( -name '*.yml' -o -name '*.yaml' -o -name '*.csv' -o -name '*.json' -o -name '*.jsonl' \
    -o -name '*.ndjson' \) ! -path '*/.*' -print0 |
  xargs -0r cp --parents -t "$dest")
count=$(find "$dest" -type f ! -name .gitkeep | wc -l)
echo "sync-rules: $count rule file(s) in ${dest#"$top"/}"
