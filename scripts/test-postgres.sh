#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests: initdb into a fresh directory, a free port on 127.0.0.1.
# Usage: scripts/test-postgres.sh start DIR   (prints the server URL)
#        scripts/test-postgres.sh stop DIR
# Tests run it with fsync off (they crash the server, not the machine); benches set BATON_PG_DURABLE=1 so that a
# commit waits for the disk, as it does in production.
set -euo pipefail
action="$1"; dir="$2"

bin_dir() {
  if command -v initdb >/dev/null; then dirname "$(command -v initdb)"; return; fi
  local found; found="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
  [ -n "$found" ] || { echo "PostgreSQL is not installed (scripts/setup.sh --with-test-tools installs it)" >&2; exit 1; }
  echo "$found"
}

# PostgreSQL refuses to run as root: as root, run it as the postgres user in a directory that user owns.
as_pg() {
  if [ "$(id -u)" = 0 ]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi
}

case "$action" in
  start)
    BIN="$(bin_dir)"
    port="$(node -e "const s=require('net').createServer(); s.listen(0, '127.0.0.1', () => { console.log(s.address().port); s.close(); })")"
    mkdir -p "$dir"
    if [ "$(id -u)" = 0 ]; then chown postgres "$dir"; fi
    as_pg "'$BIN/initdb' -D '$dir/data' -A trust -U postgres --no-sync" >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    fsync="off"; if [ "${BATON_PG_DURABLE:-}" = 1 ]; then fsync="on"; fi
    as_pg "'$BIN/pg_ctl' -D '$dir/data' -o \"-k '$dir' -p $port -c listen_addresses=127.0.0.1 -c fsync=$fsync -c max_connections=300\" -l '$dir/log' start -w" >/dev/null \
      || { cat "$dir/log" >&2; exit 1; }
    echo "postgres://postgres@127.0.0.1:$port/postgres"
    ;;
  stop)
    BIN="$(bin_dir)"
    as_pg "'$BIN/pg_ctl' -D '$dir/data' stop -m fast" >/dev/null 2>&1 || true
    rm -rf "$dir"
    ;;
  *) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
