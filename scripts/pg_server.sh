#!/usr/bin/env bash
# Throwaway PostgreSQL (and optionally PgBouncer in transaction mode) on free loopback ports.
#
#   eval "$(scripts/pg_server.sh start [--pgbouncer] [--durable])"
#       starts the servers and prints `export` lines: PGTEST_DIR, PGQRS_PG_DSN, PGQRS_PGBOUNCER_DSN.
#       --durable keeps fsync / synchronous_commit / full_page_writes on (benchmarks); tests turn them off.
#   scripts/pg_server.sh stop "$PGTEST_DIR"
#       stops both by PID and removes the directory.
#   scripts/pg_server.sh restart "$PGTEST_DIR" [fast|immediate]
#       restarts PostgreSQL (same port and settings) under whatever is connected; PgBouncer keeps running.
#   scripts/pg_server.sh password "$PGTEST_DIR" PASSWORD
#       gives the postgres role PASSWORD and makes TCP connections authenticate with it (scram-sha-256; the
#       unix socket stays trusted), for tests of a wrong password.
#
# initdb, pg_ctl and pgbouncer refuse to run as root: when root, they run as the `postgres` user.
set -euo pipefail

pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -n "$pgbin" ] || { echo "pg_server: PostgreSQL binaries not found (run scripts/install-deps.sh)" >&2; exit 1; }

runas=()
[ "$(id -u)" = 0 ] && runas=(runuser -u postgres --)

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

start() {
  local pgbouncer=0 durable=0
  for a in "$@"; do
    case $a in
      --pgbouncer) pgbouncer=1 ;;
      --durable) durable=1 ;;
      *) echo "pg_server: unknown option $a" >&2; exit 2 ;;
    esac
  done
  local dir port opts
  dir=$(mktemp -d /tmp/pgt.XXXXXX)  # short path: unix socket paths are limited to 107 bytes
  [ "$(id -u)" = 0 ] && chown postgres: "$dir"
  port=$(free_port)
  opts="-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=300 -c shared_buffers=256MB"
  [ $durable = 1 ] || opts="$opts -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  "${runas[@]}" "$pgbin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; exit 1; }
  "${runas[@]}" "$pgbin/pg_ctl" -D "$dir/data" -l "$dir/pg.log" -w -t 60 start -o "$opts" >/dev/null \
    || { cat "$dir/pg.log" >&2; exit 1; }
  echo "export PGTEST_DIR=$dir"
  echo "export PGQRS_PG_DSN=postgresql://postgres@127.0.0.1:$port/postgres"
  if [ $pgbouncer = 1 ]; then
    local bport
    bport=$(free_port)
    cat >"$dir/pgb.ini" <<INI
[databases]
* = host=$dir port=$port
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $bport
unix_socket_dir = $dir
auth_type = trust
auth_file = $dir/userlist.txt
pool_mode = transaction
max_client_conn = 500
default_pool_size = 20
logfile = $dir/pgb.log
pidfile = $dir/pgb.pid
admin_users = postgres
ignore_startup_parameters = extra_float_digits,options
INI
    echo '"postgres" ""' >"$dir/userlist.txt"
    [ "$(id -u)" = 0 ] && chown postgres: "$dir/pgb.ini" "$dir/userlist.txt"
    "${runas[@]}" pgbouncer -d "$dir/pgb.ini" >/dev/null
    for _ in $(seq 100); do
      [ -s "$dir/pgb.pid" ] && python3 -c "import socket; socket.create_connection(('127.0.0.1', $bport), 1)" 2>/dev/null && break
      sleep 0.1
    done
    echo "export PGQRS_PGBOUNCER_DSN=postgresql://postgres@127.0.0.1:$bport/postgres"
  fi
}

stop() {
  local dir=${1:?usage: pg_server.sh stop DIR}
  [ -d "$dir" ] || return 0
  if [ -s "$dir/pgb.pid" ]; then kill "$(cat "$dir/pgb.pid")" 2>/dev/null || true; fi
  if [ -f "$dir/data/postmaster.pid" ]; then
    "${runas[@]}" "$pgbin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 \
      || kill "$(head -1 "$dir/data/postmaster.pid")" 2>/dev/null || true
  fi
  rm -rf "$dir"
}

restart() {
  local dir=${1:?usage: pg_server.sh restart DIR [fast|immediate]} mode=${2:-fast}
  case $mode in fast|immediate) ;; *) echo "pg_server: unknown shutdown mode $mode" >&2; exit 2 ;; esac
  # pg_ctl restart reuses the options of the previous start (postmaster.opts).
  "${runas[@]}" "$pgbin/pg_ctl" -D "$dir/data" -l "$dir/pg.log" -m "$mode" -w -t 60 restart >/dev/null \
    || { tail -20 "$dir/pg.log" >&2; exit 1; }
}

password() {
  local dir=${1:?usage: pg_server.sh password DIR PASSWORD} pw=${2:?usage: pg_server.sh password DIR PASSWORD}
  local port
  port=$(sed -n 4p "$dir/data/postmaster.pid")
  # The password travels as a psql variable (:'pw' quotes it), never spliced into the SQL text.
  echo "ALTER ROLE postgres PASSWORD :'pw';" |
    "$pgbin/psql" -q -h "$dir" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 -v pw="$pw" >/dev/null
  printf 'local all all trust\nhost all all 127.0.0.1/32 scram-sha-256\nhost all all ::1/128 scram-sha-256\n' \
    >"$dir/data/pg_hba.conf"
  "${runas[@]}" "$pgbin/pg_ctl" -D "$dir/data" reload >/dev/null
  # reload only signals the server: wait until a TCP connection without the password is refused.
  for _ in $(seq 100); do
    PGPASSWORD='' "$pgbin/psql" -w -h 127.0.0.1 -p "$port" -U postgres -d postgres -c 'SELECT 1' >/dev/null 2>&1 || return 0
    sleep 0.1
  done
  echo "pg_server: the server still accepts connections without a password" >&2
  exit 1
}

case ${1:-} in
  start) shift; start "$@" ;;
  password) shift; password "$@" ;;
  stop) shift; stop "$@" ;;
  restart) shift; restart "$@" ;;
  *) echo "usage: $0 start [--pgbouncer] [--durable] | stop DIR | restart DIR [fast|immediate] | password DIR PASSWORD" >&2; exit 2 ;;
esac
