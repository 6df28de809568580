#!/usr/bin/env bash
# Runs every check and test: formatting, lints for both targets, unit tests, API tests on SQLite and PostgreSQL,
# and end-to-end tests in headless Chromium against the front end precompressed as in production. Starts (and removes) its own PostgreSQL unless
# BATON_TEST_DATABASE_URL names one.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source scripts/setup.sh --with-test-tools

step() { printf '\n\033[1;34m== %s\033[0m\n' "$*"; }
started=$SECONDS

step "formatting"
cargo fmt --all --check
step "lints (native)"
cargo clippy --all-targets -- -D warnings
step "lints (wasm32)"
cargo clippy -p baton-app -p baton-domain --target wasm32-unknown-unknown -- -D warnings
step "front end (debug build for the browser tests)"
trunk build --dist target/test-dist
step "server binary"
cargo build -p baton-server --bin baton
step "precompressed front end (what production serves)"
target/debug/baton precompress --dist target/test-dist

if [ -z "${BATON_TEST_DATABASE_URL:-}" ]; then
  step "PostgreSQL (throwaway)"
  PG_DIR="$(mktemp -d /tmp/baton-pg.XXXXXX)"
  trap 'scripts/test-postgres.sh stop "$PG_DIR"' EXIT
  BATON_TEST_DATABASE_URL="$(scripts/test-postgres.sh start "$PG_DIR")"
  export BATON_TEST_DATABASE_URL
  echo "$BATON_TEST_DATABASE_URL"
fi

step "tests"
log="$(mktemp)"
cargo test --workspace --exclude baton-app 2>&1 | tee "$log"
echo
echo "All checks passed in $((SECONDS - started)) s."
# One closing line with the totals of every test binary above.
awk '/^test result:/ { p += $4; f += $6 } END { printf "Tests: %d passed, %d failed\n", p, f }' "$log"
rm -f "$log"
