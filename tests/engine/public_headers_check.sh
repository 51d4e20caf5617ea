#!/bin/sh
# The engine's public headers (engine/*.h, engine/analysis/*.h, engine/testing/*.h) must not pull in simdjson,
# RE2 or yaml-cpp, directly or through another header: those are linked PRIVATE (engine/CMakeLists.txt), and
# simdjson.h alone is 31k lines in every file that includes rule_set.h. Preprocesses each header on its own
# and fails naming the header and the offending include chain. Also prints each header's preprocessed size.
# Usage: public_headers_check.sh <c++ compiler> <source dir>
set -eu
CXX=$1
SRC=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0
for h in "$SRC"/engine/*.h "$SRC"/engine/analysis/*.h "$SRC"/engine/testing/*.h; do
  rel=${h#"$SRC"/}
  printf '#include "%s"\n' "$rel" > "$tmp/tu.cc"
  if ! "$CXX" -std=c++17 -I"$SRC" -E -H "$tmp/tu.cc" -o "$tmp/tu.ii" 2> "$tmp/includes"; then
    echo "FAIL $rel: does not preprocess on its own:"; cat "$tmp/includes"; status=1; continue
  fi
  # -H prints one line per included file, dots for depth: find the first forbidden one and its chain.
  bad=$(grep -nE '(/|^\.+ )(simdjson\.h|simdjson/|re2/|yaml-cpp/)' "$tmp/includes" | head -1 || true)
  if [ -n "$bad" ]; then
    line=${bad%%:*}
    echo "FAIL $rel includes a private dependency; include chain (from -H):"
    # The chain: for each depth, the last file opened at that depth before the offender.
    head -n "$line" "$tmp/includes" | awk '/^\.+ / { d = index($0, " ") - 1; chain[d] = $0; for (k in chain) if (k + 0 > d) delete chain[k]; last = d }
      END { for (i = 1; i <= last; i++) print "  " chain[i] }'
    status=1
  else
    echo "ok   $rel: $(wc -l < "$tmp/tu.ii") preprocessed lines"
  fi
done
exit $status
