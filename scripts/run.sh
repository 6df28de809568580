#!/usr/bin/env bash
# Runs Baton: installs missing tools, builds in release mode, loads the demo data into a SQLite database in
# ./data, and serves on http://127.0.0.1:8080 (BATON_ADDR to change). A second run rebuilds only what changed.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
scripts/build-release.sh
BIN="$ROOT/target/release/baton"
"$BIN" seed-demo
echo
echo "Open http://${BATON_ADDR:-127.0.0.1:8080}/ and log in with one of the accounts above. Ctrl-C stops Baton."
exec "$BIN" serve
