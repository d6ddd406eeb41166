#!/usr/bin/env bash
# Runs the suite. Starts a private PostgreSQL cluster on loopback (when Debian's server is
# installed) so the control-plane tests run on both SQLite and PostgreSQL, and stops it after.
set -euo pipefail
BIN=.venv/bin
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -n "$pgbin" ] && [ -x "$pgbin/initdb" ]; then
  pgdir=$(mktemp -d /tmp/touchline-pg.XXXXXX)
  port=$($BIN/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  as_pg=()
  if [ "$(id -u)" = 0 ]; then chown postgres "$pgdir"; as_pg=(runuser -u postgres --); fi
  "${as_pg[@]}" "$pgbin/initdb" -D "$pgdir/data" -A trust -U touchline >/dev/null
  "${as_pg[@]}" "$pgbin/pg_ctl" -D "$pgdir/data" -l "$pgdir/log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $pgdir -c fsync=off" start >/dev/null
  trap '"${as_pg[@]}" "$pgbin/pg_ctl" -D "$pgdir/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$pgdir"' EXIT
  export TOUCHLINE_TEST_POSTGRES_URL="postgresql+psycopg://touchline@127.0.0.1:$port/postgres"
  echo "PostgreSQL cluster for the control-plane tests on 127.0.0.1:$port"
else
  echo "PostgreSQL server not installed: control-plane tests run on SQLite only" >&2
fi
workers=${TOUCHLINE_TEST_WORKERS:-2}
$BIN/pytest -n "$workers" --dist loadfile "$@"
