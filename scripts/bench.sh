#!/usr/bin/env bash
# Prints Baton's figures: release bundle sizes (raw, gzip -9, and the brotli copy `baton precompress` wrote, which
# is what browsers get); the median deep-link render time in headless Chromium over 20 loads; API throughput of an
# access-checked GET against a bare axum handler with 10 and 1,000 agreements; the 10,000-parameter table in Chromium
# and a 10,000-row CSV import; the KPI scorecard over ten years of history (API, SQL alone, Chromium); and the time `baton audit verify`
# takes for 1,000,000 entries; the throughput and server peak memory of a 200 MB document upload, to the local store
# and to an S3-compatible bucket; live updates with 1,000 subscribers (write-to-event latency, RSS with the idle
# streams, scans of the events table per write). Figures only; nothing passes or fails on a number. The API and
# live-update figures are taken on SQLite (one instance) and on a throwaway PostgreSQL (live updates: two instances).
# Takes about 20 minutes.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
scripts/build-release.sh
source scripts/setup.sh --with-test-tools

echo
echo "Release bundle (dist/; br = the precompressed .br copy served to browsers, quality 11):"
printf '  %-6s %10s %10s %10s\n' kind raw gzip br
for kind in wasm js css; do
  raw=0; gz=0; br=0
  for f in dist/*."$kind"; do
    raw=$((raw + $(wc -c <"$f")))
    gz=$((gz + $(gzip -9c "$f" | wc -c)))
    # A file too small to gain from brotli has no copy and is sent as it is.
    if [ -f "$f.br" ]; then br=$((br + $(wc -c <"$f.br"))); else br=$((br + $(wc -c <"$f"))); fi
  done
  printf '  %-6s %8d B %8d B %8d B\n' "$kind" "$raw" "$gz" "$br"
done
echo
export BATON_BIN="$ROOT/target/release/baton" BATON_TEST_DIST="$ROOT/dist"
cargo build -q --release -p baton-tests --bin bench_deep_link --bin bench_api --bin bench_audit --bin bench_parameters --bin bench_kpi \
  --bin bench_upload --bin bench_events
"$ROOT/target/release/bench_deep_link"
echo
"$ROOT/target/release/bench_parameters"
echo
"$ROOT/target/release/bench_kpi"
echo
"$ROOT/target/release/bench_api"
echo
PG_DIR="$(mktemp -d /tmp/baton-pg.XXXXXX)"
trap 'scripts/test-postgres.sh stop "$PG_DIR"' EXIT
PG_URL="$(BATON_PG_DURABLE=1 scripts/test-postgres.sh start "$PG_DIR")"
BATON_TEST_DATABASE_URL="$PG_URL" BATON_BENCH_BACKEND=postgres "$ROOT/target/release/bench_api"
echo
"$ROOT/target/release/bench_events"
echo
BATON_TEST_DATABASE_URL="$PG_URL" BATON_BENCH_BACKEND=postgres "$ROOT/target/release/bench_events"
echo
"$ROOT/target/release/bench_audit"
echo
"$ROOT/target/release/bench_upload"
