#!/usr/bin/env bash
# Peak resident memory of the server during a flood of parallel failed logins from one address.
# Usage: scripts/login-flood-rss.sh [BATON_BINARY] [PARALLEL]   (defaults: target/debug/baton, 100)
# Starts the binary on a fresh SQLite database with the demo data, reads VmHWM (the peak RSS) from
# /proc/<pid>/status before and after the flood, prints both and how the logins were answered, and stops it.
set -euo pipefail
bin="${1:-${CARGO_TARGET_DIR:-target}/debug/baton}"
parallel="${2:-100}"
scratch="$(mktemp -d /tmp/baton-flood.XXXX)"
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$scratch"' EXIT
export BATON_DATA_DIR="$scratch" BATON_DIST_DIR="$scratch/dist" BATON_LOG=error
"$bin" seed-demo >/dev/null
"$bin" serve --addr 127.0.0.1:0 >"$scratch/out" &
pid=$!
for _ in $(seq 100); do grep -q "running at" "$scratch/out" 2>/dev/null && break; sleep 0.2; done
url="$(sed -n 's/^Baton is running at \(.*\)\/$/\1/p' "$scratch/out")"
[ -n "$url" ] || { echo "the server did not start" >&2; exit 1; }
hwm() { awk '/VmHWM/ {print $2 " " $3}' "/proc/$pid/status"; }
echo "peak RSS before the flood: $(hwm)"
for i in $(seq "$parallel"); do
  curl -s -o /dev/null -w '%{http_code}\n' -H 'content-type: application/json' \
    -d "{\"email\": \"flood$i@spray.example\", \"password\": \"wrong-password-$i\"}" "$url/api/v1/session" \
    >>"$scratch/codes" &
done
wait $(jobs -p | grep -v "^$pid\$")
echo "peak RSS after $parallel parallel failed logins: $(hwm)"
echo "answers: $(sort "$scratch/codes" | uniq -c | awk '{printf "%s x %s  ", $1, $2}')"
