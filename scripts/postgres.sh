#!/usr/bin/env bash
# A throw-away PostgreSQL server for the tests and benchmarks of PostgreSQL
# inputs (tests/postgres.rs, benches/inputs.py): Debian's server, installed
# here if missing, a fresh cluster in $DDSS_PG_DIR (default
# /tmp/ddss-postgres) listening on 127.0.0.1:$DDSS_PG_PORT (default 55432)
# and on a socket in that folder, password authentication (scram-sha-256)
# for a login role `ddss_test` with a random password.
#
#   eval "$(bash scripts/postgres.sh start)"   # exports DDSS_TEST_POSTGRES*
#   bash scripts/postgres.sh stop
#
# `start` prints only the export lines on stdout; progress goes to stderr.
set -euo pipefail

DIR="${DDSS_PG_DIR:-/tmp/ddss-postgres}"
PORT="${DDSS_PG_PORT:-55432}"

pg_bin() {
    local bin
    bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
    if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
        echo "== installing PostgreSQL (Debian's postgresql package)" >&2
        local sudo=""
        if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
        $sudo apt-get update -qq >&2
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql >/dev/null
        bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
    fi
    echo "$bin"
}

# The server refuses to run as root: as root, run it as the `postgres` user
# the package creates.
as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

start() {
    local bin password
    bin=$(pg_bin)
    stop >/dev/null 2>&1 || true
    rm -rf "$DIR"
    mkdir -p "$DIR"
    if [ "$(id -u)" -eq 0 ]; then chown postgres "$DIR"; fi
    password=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
    local superpw="$DIR/superuser.pw"
    as_owner bash -c "umask 077; python3 -c 'import secrets; print(secrets.token_hex(16))' > '$superpw'"
    echo "== PostgreSQL cluster in $DIR (port $PORT)" >&2
    as_owner "$bin/initdb" -D "$DIR/data" -U postgres --pwfile="$superpw" \
        --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$DIR/initdb.log" 2>&1 ||
        { cat "$DIR/initdb.log" >&2; exit 1; }
    as_owner "$bin/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 \
        -o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
        start >&2 || { cat "$DIR/server.log" >&2; exit 1; }
    as_owner "$bin/psql" -q -h "$DIR" -p "$PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 >&2 <<SQL
CREATE ROLE ddss_test LOGIN PASSWORD '$password';
CREATE DATABASE ddss OWNER ddss_test;
SQL
    echo "export DDSS_TEST_POSTGRES='postgres://ddss_test@127.0.0.1:$PORT/ddss'"
    echo "export DDSS_TEST_POSTGRES_PASSWORD='$password'"
    echo "export DDSS_TEST_POSTGRES_DIR='$DIR'"
}

stop() {
    local bin
    bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
    if [ -n "$bin" ] && [ -f "$DIR/data/postmaster.pid" ]; then
        as_owner "$bin/pg_ctl" -D "$DIR/data" -m fast -w stop >&2
    fi
    rm -rf "$DIR"
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
