#!/usr/bin/env bash
# Release builds of the front end (into dist/) and the server (target/release/baton), then brotli and gzip copies
# of the front end's files for the server to send as they are. Incremental after the first.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source scripts/setup.sh
trunk build --release --cargo-profile wasm-release
cargo build --release -p baton-server --bin baton
target/release/baton precompress --dist dist
