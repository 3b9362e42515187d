#!/usr/bin/env bash
# Runs a command against a throwaway PostgreSQL cluster (Debian's server), then removes the cluster.
# Usage: scripts/with-postgres.sh COMMAND [ARGS...]; the command sees CENTREX_TEST_DATABASE_URL.
set -euo pipefail

pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$pg_bin" ] || [ ! -x "$pg_bin/initdb" ]; then
  echo "PostgreSQL server binaries not found (apt-get install postgresql)" >&2
  exit 1
fi

base=$(mktemp -d /tmp/centrex-pg.XXXXXX)
chmod 755 "$base"
data="$base/data"
sock="$base/sock"
mkdir -p "$sock"
# Below 32768: outside Linux's ephemeral range, where the benches' client sockets (TIME_WAIT) would collide.
port=${CENTREX_TEST_PG_PORT:-$((20000 + RANDOM % 12000))}

as_pg=()
if [ "$(id -u)" = 0 ]; then
  # initdb and postgres refuse to run as root: run them as the postgres user, who owns the cluster.
  chown -R postgres:postgres "$base"
  as_pg=(runuser -u postgres --)
fi

cleanup() {
  "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$base"
}
trap cleanup EXIT

"${as_pg[@]}" "$pg_bin/initdb" -D "$data" -U centrex --auth=trust -E UTF8 --locale=C.UTF-8 >"$base/initdb.log" 2>&1 \
  || { cat "$base/initdb.log" >&2; exit 1; }
"${as_pg[@]}" "$pg_bin/pg_ctl" -D "$data" -l "$base/server.log" -w \
  -o "-p $port -k $sock -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
  start >/dev/null || { cat "$base/server.log" >&2; exit 1; }
"$pg_bin/createdb" -h 127.0.0.1 -p "$port" -U centrex centrex_test

export CENTREX_TEST_DATABASE_URL="postgresql+psycopg://centrex@127.0.0.1:$port/centrex_test"
export CENTREX_TEST_PG_ADMIN_URL="postgresql+psycopg://centrex@127.0.0.1:$port/postgres"
echo "PostgreSQL test cluster on 127.0.0.1:$port ($base)"
"$@"
