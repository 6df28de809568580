#!/usr/bin/env bash
# Prints Baton's front-end figures: release bundle sizes (raw and gzip) and the median deep-link render time
# in headless Chromium over 20 loads. Figures only; nothing here passes or fails on a number.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
scripts/build-release.sh
source scripts/setup.sh --with-test-tools

echo
echo "Release bundle (dist/):"
printf '  %-6s %10s %10s\n' kind raw gzip
for kind in wasm js css; do
  raw=0; gz=0
  for f in dist/*."$kind"; do
    raw=$((raw + $(wc -c <"$f")))
    gz=$((gz + $(gzip -9c "$f" | wc -c)))
  done
  printf '  %-6s %8d B %8d B\n' "$kind" "$raw" "$gz"
done
echo
BATON_BIN="$ROOT/target/release/baton" BATON_TEST_DIST="$ROOT/dist" cargo run -q -p baton-tests --bin bench_deep_link
