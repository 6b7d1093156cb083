#!/usr/bin/env bash
# A database written by our Turso backend opens in Turso's own CLI (tursodb, npm package `turso`) and in
# sqlite3, passes `pragma integrity_check` in both and holds what the application wrote; our SQLite backend
# then keeps working on the same file, and the Turso backend after it (the file format is shared).
#   cli_interop.sh QUICKSTART_BINARY
set -euo pipefail
quickstart=$1
# The CLI's version, pinned (its engine is the same Turso family as turso_sdk_kit 0.8.3).
tursodb_version=0.6.0
prefix=${PGQRS_NPM_CACHE:-$HOME/.cache/pgqrs/npm-turso-$tursodb_version}
tursodb=$prefix/node_modules/.bin/turso
if [ ! -x "$tursodb" ]; then
  command -v npm >/dev/null || { echo "cli_interop: npm is needed to install tursodb (scripts/install-deps.sh installs it)" >&2; exit 1; }
  npm install --silent --no-audit --no-fund --prefix "$prefix" "turso@$tursodb_version" >/dev/null
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
db=$work/queue.db

expect() {  # expect WHAT WANTED GOT
  if [ "$3" != "$2" ]; then echo "cli_interop: $1: expected '$2', got '$3'" >&2; exit 1; fi
  echo "cli_interop: $1: $3"
}

"$quickstart" "turso://$db" | grep -q "handled 5 messages; 0 left in the queue; 5 in the archive"
expect "tursodb integrity_check" ok "$("$tursodb" -q -m list "$db" "pragma integrity_check")"
expect "tursodb archived rows" 5 "$("$tursodb" -q -m list "$db" "select count(*) from pgqrs_archive")"
expect "sqlite3 integrity_check" ok "$(sqlite3 "$db" "pragma integrity_check")"
expect "sqlite3 archived rows" 5 "$(sqlite3 "$db" "select count(*) from pgqrs_archive")"
expect "sqlite3 queues" emails "$(sqlite3 "$db" "select queue_name from pgqrs_queues")"

# The other way round: our SQLite backend, then Turso again, on the same file.
"$quickstart" "sqlite://$db" | grep -q "10 in the archive"
"$quickstart" "turso://$db" | grep -q "15 in the archive"
expect "tursodb integrity_check after both backends" ok "$("$tursodb" -q -m list "$db" "pragma integrity_check")"
expect "sqlite3 integrity_check after both backends" ok "$(sqlite3 "$db" "pragma integrity_check")"
expect "sqlite3 archived rows after both backends" 15 "$(sqlite3 "$db" "select count(*) from pgqrs_archive")"
