#!/usr/bin/env bash
# Runs a command with TEST_POSTGRES_URL pointing at a throwaway PostgreSQL on 127.0.0.1, started
# here and removed afterwards. Without PostgreSQL binaries the command runs anyway and the
# PostgreSQL tests skip (under CI=true they fail instead: CI must test both databases).
set -euo pipefail

if [[ -n "${TEST_POSTGRES_URL:-}" ]]; then exec "$@"; fi

bindir=""
for dir in "$(dirname "$(command -v initdb 2>/dev/null || echo /nonexistent/x)")" /usr/lib/postgresql/*/bin; do
    if [[ -x "$dir/initdb" && -x "$dir/pg_ctl" ]]; then bindir="$dir"; break; fi
done
if [[ -z "$bindir" ]]; then
    echo "with-postgres: no initdb/pg_ctl found; PostgreSQL tests will be skipped" >&2
    exec "$@"
fi

datadir=$(mktemp -d /tmp/cmas-pg.XXXXXX)
as_pg=()
if [[ $(id -u) -eq 0 ]]; then  # PostgreSQL refuses to run as root
    chown postgres "$datadir"
    as_pg=(runuser -u postgres --)
fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

stop() {
    "${as_pg[@]}" "$bindir/pg_ctl" -D "$datadir/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$datadir"
}
trap stop EXIT

"${as_pg[@]}" "$bindir/initdb" -D "$datadir/data" -A trust -U postgres >/dev/null
"${as_pg[@]}" "$bindir/pg_ctl" -D "$datadir/data" -l "$datadir/log" -w \
    -o "-p $port -k $datadir -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
echo "with-postgres: PostgreSQL on 127.0.0.1:$port" >&2

export TEST_POSTGRES_URL="postgresql+asyncpg://postgres@127.0.0.1:$port/postgres"
"$@"
