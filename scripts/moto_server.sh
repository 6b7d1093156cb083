#!/usr/bin/env bash
# Throwaway S3 endpoint (moto_server) on a free loopback port, for the S3 tests.
#
#   eval "$(scripts/moto_server.sh start)"
#       starts moto and prints `export` lines: MOTO_DIR, PGQRS_S3_ENDPOINT, and the standard AWS_ENDPOINT_URL,
#       AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY (moto accepts any credentials, but the client
#       refuses to run without them).
#   scripts/moto_server.sh stop "$MOTO_DIR"
#       stops it by PID and removes the directory.
#
# moto_server comes from the machine's Python if present, else from a venv under ~/.cache/pgqrs (created on
# first use with `pip install 'moto[server]'`). moto keeps everything in memory: nothing survives a stop.
set -euo pipefail

venv=${PGQRS_CACHE_DIR:-$HOME/.cache/pgqrs}/moto-venv

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

find_moto() {
  if command -v moto_server >/dev/null 2>&1 && moto_server --help >/dev/null 2>&1; then
    command -v moto_server
    return
  fi
  if [ ! -x "$venv/bin/moto_server" ]; then
    echo "moto_server: installing moto[server] into $venv" >&2
    python3 -m venv "$venv" >&2
    "$venv/bin/pip" install -q 'moto[server]' >&2
  fi
  echo "$venv/bin/moto_server"
}

start() {
  local moto dir port
  moto=$(find_moto)
  dir=$(mktemp -d /tmp/moto.XXXXXX)
  port=$(free_port)
  # stdout/stderr to a file and stdin from /dev/null: the caller reads our stdout through $(...), which would
  # otherwise wait for moto to exit.
  "$moto" -H 127.0.0.1 -p "$port" >"$dir/moto.log" 2>&1 </dev/null &
  echo $! >"$dir/pid"
  for _ in $(seq 150); do
    if python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 1)" 2>/dev/null; then
      echo "export MOTO_DIR=$dir"
      echo "export PGQRS_S3_ENDPOINT=http://127.0.0.1:$port"
      echo "export AWS_ENDPOINT_URL=http://127.0.0.1:$port"
      echo "export AWS_REGION=us-east-1"
      echo "export AWS_ACCESS_KEY_ID=pgqrs-moto-access-key"
      echo "export AWS_SECRET_ACCESS_KEY=pgqrs-moto-secret-key"
      return
    fi
    if ! kill -0 "$(cat "$dir/pid")" 2>/dev/null; then break; fi
    sleep 0.1
  done
  echo "moto_server: did not start on port $port" >&2
  cat "$dir/moto.log" >&2
  stop "$dir"
  exit 1
}

stop() {
  local dir=${1:?usage: moto_server.sh stop DIR}
  [ -d "$dir" ] || return 0
  if [ -s "$dir/pid" ]; then
    local pid
    pid=$(cat "$dir/pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -rf "$dir"
}

case ${1:-} in
  start) shift; start "$@" ;;
  stop) shift; stop "$@" ;;
  *) echo "usage: $0 start | stop DIR" >&2; exit 2 ;;
esac
